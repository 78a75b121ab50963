# SPDX-License-Identifier: EUPL-1.2
"""Routing: learn categories (department, service, team) from confirmed examples.

``train(texts, labels) -> RoutingModel`` is a job (seconds to a minute); ``predict(model,
texts)`` is the fast path: a sparse feature lookup and one matrix product, no learning.

The model
---------
* Features: the engine's :class:`~leerlus.engine.text.TextFeatures` (folded word stems, stem
  bigrams and character n-grams of content words, so Dutch compounds share features), plus a
  block of plain word unigrams and bigrams *with* function words ("how do I", "waarom
  niet"), which carry the intent of short questions.
* Classifiers: multinomial logistic regression and a linear support vector machine, both
  with balanced class weights (a rare category counts as much as a common one in macro-F1).
  The regularisation strength, the candidates and their blend are chosen on a validation
  split of the *training* data (the last 20 % by date when dates are given, else a
  stratified 20 %); the chosen configuration is then refitted on all training data.
* Calibration: the blended scores become probabilities by temperature scaling fitted on the
  validation split, so a confidence of 0.8 means right about 8 times in 10.
* Macro-F1: per-label offsets on the log-probabilities, fitted on the validation split,
  move the decision toward rare labels when that raises the validation macro-F1 by at least
  half a point (the reported confidence stays the calibrated probability of the chosen label).
* Unsure queue: a prediction below ``unsure_below`` (chosen on the validation split as the
  lowest confidence at which the confident predictions reach ``target_accuracy``) is flagged
  unsure, for a person to route.

Serialisation: :meth:`RoutingModel.to_bytes` writes a NumPy ``.npz`` archive of plain
arrays and one JSON header (no pickle, ``allow_pickle=False`` on reading), so a model file
cannot carry code.

The parts live beside this module: :mod:`~leerlus.engine.routing_words` (the word block),
:mod:`~leerlus.engine.routing_fit` (the classifiers and the validation split) and
:mod:`~leerlus.engine.routing_scores` (calibration, label offsets, the unsure threshold).
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]  # scipy ships no stubs

from leerlus.engine.routing_fit import fit_lr, fit_svm, validation_split
from leerlus.engine.routing_scores import (
    blended,
    choose,
    fit_label_bias,
    fit_temperature,
    macro_f1_codes,
    unsure_threshold,
)
from leerlus.engine.routing_words import WordBlock
from leerlus.engine.text import TextFeatures

__all__ = [
    "FORMAT",
    "Prediction",
    "RoutingModel",
    "RoutingSettings",
    "expected_calibration_error",
    "macro_f1",
    "predict",
    "predict_proba",
    "train",
]

FORMAT: Final = "leerlus-routing/1"
Progress = Callable[[str], None]


@dataclass(frozen=True)
class RoutingSettings:
    target_accuracy: float = 0.9  # of the predictions that are not flagged unsure
    validation_share: float = 0.2
    c_grid: tuple[float, ...] = (1.0, 4.0, 16.0)
    svm_c_grid: tuple[float, ...] = (0.1, 0.3, 1.0)
    blends: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0)  # weight of the LR probabilities
    word_weight: float = 1.0  # of the plain word block against the TextFeatures block
    min_df: int = 2
    max_features: int = 200_000
    language: str = "auto"
    char_weight: float = 0.6
    seed: int = 0
    min_examples_per_label: int = 2
    tune_label_bias: bool = True


class Prediction(tuple[str, float, bool]):
    """``(label, confidence, unsure)``; a tuple, with names for readability."""

    __slots__ = ()

    def __new__(cls, label: str, confidence: float, unsure: bool) -> Prediction:
        return super().__new__(cls, (label, confidence, unsure))

    @property
    def label(self) -> str:
        return self[0]

    @property
    def confidence(self) -> float:
        return self[1]

    @property
    def unsure(self) -> bool:
        return self[2]


# --- the model -----------------------------------------------------------------------------


@dataclass
class RoutingModel:
    """A trained router: features, one linear layer (the blend), temperature, threshold."""

    labels: list[str]
    features: TextFeatures
    word_block: WordBlock
    word_weight: float
    lr_coef: np.ndarray  # (labels, features) or (0, 0) when the blend does not use it
    lr_intercept: np.ndarray
    svm_coef: np.ndarray
    svm_intercept: np.ndarray
    blend: float  # weight of the LR probabilities
    lr_temperature: float
    svm_temperature: float
    unsure_below: float
    info: dict[str, Any] = field(default_factory=dict)
    # Added to the log-probabilities before the arg-max: per-label offsets that maximise the
    # validation macro-F1 (a rare label needs less evidence). Empty: no offsets.
    label_bias: np.ndarray = field(default_factory=lambda: np.zeros(0))

    # -- features --

    def matrix(self, texts: Sequence[str]) -> sp.csr_matrix:
        a = self.features.transform(texts)
        b = self.word_block.transform(texts)
        return sp.csr_matrix(sp.hstack([a, b * self.word_weight]), dtype=np.float32)

    # -- serialisation --

    def to_bytes(self) -> bytes:
        header = {
            "format": FORMAT,
            "labels": self.labels,
            "features": self.features.to_dict(),
            "word_vocabulary": _names(self.word_block.vocabulary),
            "word_weight": self.word_weight,
            "blend": self.blend,
            "lr_temperature": self.lr_temperature,
            "svm_temperature": self.svm_temperature,
            "unsure_below": self.unsure_below,
            "info": self.info,
        }
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            header=np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8),
            word_idf=self.word_block.idf.astype(np.float64),
            lr_coef=self.lr_coef.astype(np.float32),
            lr_intercept=self.lr_intercept.astype(np.float64),
            svm_coef=self.svm_coef.astype(np.float32),
            svm_intercept=self.svm_intercept.astype(np.float64),
            label_bias=self.label_bias.astype(np.float64),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> RoutingModel:
        """Read a model written by :meth:`to_bytes`; ValueError when it is not one."""
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as archive:
                header = json.loads(archive["header"].tobytes().decode("utf-8"))
                arrays = {k: archive[k] for k in archive.files if k != "header"}
        except (OSError, EOFError, KeyError, ValueError, zipfile.BadZipFile) as exc:
            raise ValueError(f"not a routing model: {exc}") from exc
        if header.get("format") != FORMAT:
            raise ValueError(f"not a routing model of format {FORMAT}")
        block = WordBlock(
            vocabulary={f: i for i, f in enumerate(header["word_vocabulary"])},
            idf=arrays["word_idf"],
        )
        return cls(
            labels=list(header["labels"]),
            features=TextFeatures.from_dict(header["features"]),
            word_block=block,
            word_weight=float(header["word_weight"]),
            lr_coef=arrays["lr_coef"],
            lr_intercept=arrays["lr_intercept"],
            svm_coef=arrays["svm_coef"],
            svm_intercept=arrays["svm_intercept"],
            blend=float(header["blend"]),
            lr_temperature=float(header["lr_temperature"]),
            svm_temperature=float(header["svm_temperature"]),
            unsure_below=float(header["unsure_below"]),
            info=dict(header.get("info", {})),
            label_bias=arrays.get("label_bias", np.zeros(0)),
        )


def _names(vocabulary: dict[str, int]) -> list[str]:
    names = [""] * len(vocabulary)
    for name, i in vocabulary.items():
        names[i] = name
    return names


def predict_proba(model: RoutingModel, texts: Sequence[str]) -> np.ndarray:
    """Calibrated probabilities, one row per text, columns in the order of ``model.labels``."""
    if not texts:
        return np.zeros((0, len(model.labels)))
    x = model.matrix(texts)
    lr = None
    svm = None
    if model.blend > 0.0:
        lr = np.asarray(x @ model.lr_coef.T, dtype=np.float64) + model.lr_intercept
    if model.blend < 1.0:
        svm = np.asarray(x @ model.svm_coef.T, dtype=np.float64) + model.svm_intercept
    return blended(lr, svm, model.blend, model.lr_temperature, model.svm_temperature)


def predict(model: RoutingModel, texts: Sequence[str]) -> list[Prediction]:
    """``(label, confidence, unsure)`` per text. Fast: no learning happens here."""
    proba = predict_proba(model, texts)
    best = choose(proba, model.label_bias)
    out: list[Prediction] = []
    for row, j in zip(proba, best, strict=True):
        confidence = float(row[j])
        out.append(Prediction(model.labels[int(j)], confidence, confidence < model.unsure_below))
    return out


# --- metrics -------------------------------------------------------------------------------


def macro_f1(truth: Sequence[str], predicted: Sequence[str]) -> float:
    """Unweighted mean F1 over the labels that occur in ``truth`` or ``predicted``."""
    labels = sorted(set(truth) | set(predicted))
    scores = []
    for label in labels:
        tp = sum(t == label and p == label for t, p in zip(truth, predicted, strict=True))
        fp = sum(t != label and p == label for t, p in zip(truth, predicted, strict=True))
        fn = sum(t == label and p != label for t, p in zip(truth, predicted, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(scores)) if scores else 0.0


def expected_calibration_error(
    confidence: np.ndarray, correct: np.ndarray, bins: int = 15
) -> float:
    """ECE: the gap between confidence and accuracy, averaged over equal-width bins."""
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.asarray(correct, dtype=np.float64)
    if len(confidence) == 0:
        return 0.0
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += mask.mean() * abs(confidence[mask].mean() - correct[mask].mean())
    return float(total)


# --- training ------------------------------------------------------------------------------


def train(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    dates: Sequence[date] | None = None,
    settings: RoutingSettings | None = None,
    progress: Progress | None = None,
) -> RoutingModel:
    """Learn a router from confirmed ``(text, label)`` examples (optionally dated).

    Raises ValueError for fewer than two labels or fewer than two examples of every label.
    """
    settings = settings or RoutingSettings()
    if len(texts) != len(labels):
        raise ValueError("texts and labels must have the same length")
    if dates is not None and len(dates) != len(texts):
        raise ValueError("dates and texts must have the same length")
    counts = Counter(str(label) for label in labels)
    if len(counts) < 2:
        raise ValueError("routing needs examples of at least two labels")
    too_few = sorted(label for label, c in counts.items() if c < settings.min_examples_per_label)
    if too_few:
        raise ValueError(
            f"{len(too_few)} label(s) with fewer than {settings.min_examples_per_label} "
            f"examples, e.g. {too_few[0]!r}"
        )
    started = time.perf_counter()
    say = progress or (lambda _message: None)
    label_names = sorted(counts)
    index = {label: i for i, label in enumerate(label_names)}
    y = np.array([index[str(label)] for label in labels], dtype=np.int64)
    n_labels = len(label_names)
    texts = list(texts)

    def features_for(train_texts: list[str]) -> tuple[TextFeatures, WordBlock]:
        return (
            TextFeatures(
                language=settings.language,
                min_df=settings.min_df,
                char_weight=settings.char_weight,
                max_features=settings.max_features,
            ),
            WordBlock(),
        )

    # 1. Choose the configuration on a validation split of the training data.
    tr, va = validation_split(y, dates, settings.validation_share, settings.seed)
    if len(va) == 0 or len(np.unique(y[tr])) < 2:
        tr, va = np.arange(len(y)), np.zeros(0, dtype=np.int64)
    features, block = features_for([texts[i] for i in tr])
    a = features.fit_transform([texts[i] for i in tr])
    b = block.fit_transform([texts[i] for i in tr], settings.min_df, settings.max_features)
    x_tr = sp.csr_matrix(sp.hstack([a, b * settings.word_weight]), dtype=np.float32)
    best: dict[str, Any] = {"score": -1.0, "lr_c": settings.c_grid[0]}
    best.update({"svm_c": settings.svm_c_grid[0], "blend": 1.0, "lr_t": 1.0, "svm_t": 1.0})
    if len(va):
        x_va = sp.csr_matrix(
            sp.hstack(
                [
                    features.transform([texts[i] for i in va]),
                    block.transform([texts[i] for i in va]) * settings.word_weight,
                ]
            ),
            dtype=np.float32,
        )
        truth = y[va]
        truth_names = [label_names[i] for i in truth]
        lr_runs: list[tuple[float, np.ndarray, float]] = []
        for c in settings.c_grid:
            say(f"validating logistic regression, C={c:g}")
            coef, bias = fit_lr(x_tr, y[tr], c, n_labels)
            scores = np.asarray(x_va @ coef.T) + bias
            lr_runs.append((c, scores, fit_temperature(scores, truth)))
        svm_runs: list[tuple[float, np.ndarray, float]] = []
        for c in settings.svm_c_grid:
            say(f"validating linear SVM, C={c:g}")
            coef, bias = fit_svm(x_tr, y[tr], c, n_labels)
            scores = np.asarray(x_va @ coef.T) + bias
            svm_runs.append((c, scores, fit_temperature(scores, truth)))
        for lr_c, lr_scores, lr_t in lr_runs:
            for svm_c, svm_scores, svm_t in svm_runs:
                for w in settings.blends:
                    proba = blended(lr_scores, svm_scores, w, lr_t, svm_t)
                    predicted = [label_names[i] for i in proba.argmax(axis=1)]
                    score = macro_f1(truth_names, predicted)
                    if score > best["score"] + 1e-9:
                        best = {
                            "score": score,
                            "lr_c": lr_c,
                            "svm_c": svm_c,
                            "blend": w,
                            "lr_t": lr_t,
                            "svm_t": svm_t,
                            "proba": proba,
                        }
        proba = best.pop("proba")
        label_bias = fit_label_bias(proba, truth) if settings.tune_label_bias else np.zeros(0)
        chosen = choose(proba, label_bias)
        confidence = proba[np.arange(len(chosen)), chosen]
        correct = chosen == truth
        unsure_below = unsure_threshold(confidence, correct, settings.target_accuracy)
        validation = {
            "macro_f1": round(macro_f1_codes(truth, chosen, n_labels), 4),
            "macro_f1_without_label_bias": round(float(best["score"]), 4),
            "accuracy": round(float(correct.mean()), 4),
            "ece": round(expected_calibration_error(confidence, correct), 4),
            "coverage": round(float((confidence >= unsure_below).mean()), 4),
            "examples": len(va),
        }
    else:
        unsure_below = 0.0
        validation = {}
        label_bias = np.zeros(0)
    # 2. Refit the chosen configuration on all training data.
    say("fitting on all training data")
    features, block = features_for(texts)
    a = features.fit_transform(texts)
    b = block.fit_transform(texts, settings.min_df, settings.max_features)
    x_all = sp.csr_matrix(sp.hstack([a, b * settings.word_weight]), dtype=np.float32)
    empty = (np.zeros((0, 0)), np.zeros(0))
    lr_coef, lr_bias = fit_lr(x_all, y, best["lr_c"], n_labels) if best["blend"] > 0 else empty
    svm_coef, svm_bias = fit_svm(x_all, y, best["svm_c"], n_labels) if best["blend"] < 1 else empty
    # The model in memory is the model as stored: the features as written to JSON, weights
    # as float32, so that a restored model predicts exactly what this one does.
    return RoutingModel(
        labels=label_names,
        features=TextFeatures.from_dict(json.loads(json.dumps(features.to_dict()))),
        word_block=block,
        word_weight=settings.word_weight,
        lr_coef=lr_coef.astype(np.float32),
        lr_intercept=lr_bias,
        svm_coef=svm_coef.astype(np.float32),
        svm_intercept=svm_bias,
        blend=float(best["blend"]),
        lr_temperature=float(best["lr_t"]),
        svm_temperature=float(best["svm_t"]),
        unsure_below=float(unsure_below),
        label_bias=label_bias,
        info={
            "examples": len(texts),
            "labels": {label: counts[label] for label in label_names},
            "lr_c": best["lr_c"],
            "svm_c": best["svm_c"],
            "validation": validation,
            "target_accuracy": settings.target_accuracy,
            "train_seconds": round(time.perf_counter() - started, 2),
        },
    )
