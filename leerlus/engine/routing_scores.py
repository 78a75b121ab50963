# SPDX-License-Identifier: EUPL-1.2
"""From the router's scores to a decision: calibrated probabilities, offsets, the unsure cut.

:func:`softmax` with a temperature (fitted by :func:`fit_temperature` on the validation
split) turns scores into probabilities; :func:`blended` mixes the two classifiers'; per-label
offsets (:func:`fit_label_bias`) move :func:`choose` toward rare labels when that raises the
validation macro-F1; :func:`unsure_threshold` is the confidence below which a prediction is
left to a person.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import minimize_scalar  # type: ignore[import-untyped]

__all__ = [
    "blended",
    "choose",
    "fit_label_bias",
    "fit_temperature",
    "macro_f1_codes",
    "softmax",
    "unsure_threshold",
]


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    z = scores / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True))


def blended(
    lr_scores: np.ndarray | None,
    svm_scores: np.ndarray | None,
    blend: float,
    lr_t: float,
    svm_t: float,
) -> np.ndarray:
    """The two classifiers' probabilities, ``blend`` (the weight of the LR's) mixed."""
    if lr_scores is None or blend <= 0.0:
        assert svm_scores is not None
        return softmax(svm_scores, svm_t)
    if svm_scores is None or blend >= 1.0:
        return softmax(lr_scores, lr_t)
    return blend * softmax(lr_scores, lr_t) + (1 - blend) * softmax(svm_scores, svm_t)


def choose(proba: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """The label per row: arg-max of the log-probabilities plus the label offsets."""
    if len(proba) == 0:
        return np.zeros(0, dtype=np.int64)
    if len(bias) == 0:
        return np.asarray(proba.argmax(axis=1))
    return np.asarray((np.log(np.maximum(proba, 1e-12)) + bias).argmax(axis=1))


def macro_f1_codes(truth: np.ndarray, predicted: np.ndarray, n_labels: int) -> float:
    tp = np.bincount(truth[truth == predicted], minlength=n_labels)
    fp = np.bincount(predicted, minlength=n_labels) - tp
    fn = np.bincount(truth, minlength=n_labels) - tp
    present = (tp + fp + fn) > 0
    f1 = np.where(present, 2 * tp / np.maximum(2 * tp + fp + fn, 1), 0.0)
    return float(f1[present].mean()) if present.any() else 0.0


def fit_label_bias(proba: np.ndarray, truth: np.ndarray, rounds: int = 2) -> np.ndarray:
    """Per-label log offsets that raise the validation macro-F1 (coordinate ascent).

    Kept only when they gain at least half a point of macro-F1: a gain smaller than that on
    a validation split is as likely noise as signal.
    """
    n_labels = proba.shape[1]
    logp = np.log(np.maximum(proba, 1e-12))
    bias = np.zeros(n_labels)
    start = macro_f1_codes(truth, logp.argmax(axis=1), n_labels)
    best = start
    grid = np.linspace(-1.5, 1.5, 13)
    for _ in range(rounds):
        for j in range(n_labels):
            keep = bias[j]
            for value in grid:
                bias[j] = value
                score = macro_f1_codes(truth, (logp + bias).argmax(axis=1), n_labels)
                if score > best + 1e-9:
                    best, keep = score, value
            bias[j] = keep
    return bias if best >= start + 0.005 else np.zeros(0)


def fit_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    """The temperature that minimises the validation log loss of softmax(scores / T)."""

    def nll(log_t: float) -> float:
        p = softmax(scores, math.exp(log_t))
        return float(-np.mean(np.log(np.maximum(p[np.arange(len(truth)), truth], 1e-12))))

    result = minimize_scalar(nll, bounds=(-5.0, 5.0), method="bounded")
    return float(math.exp(result.x))


def unsure_threshold(confidence: np.ndarray, correct: np.ndarray, target: float) -> float:
    """The lowest confidence above which the validation predictions reach ``target``."""
    order = np.argsort(-confidence)
    hits = np.cumsum(correct[order])
    accuracy = hits / np.arange(1, len(order) + 1)
    ok = np.flatnonzero(accuracy >= target)
    if len(ok) == 0:
        return 1.0
    # The largest prefix that still meets the target; its last confidence is the cut.
    return float(confidence[order][ok[-1]])
