# SPDX-License-Identifier: EUPL-1.2
"""Routing quality and speed: Leerlus's router against TF-IDF + logistic regression.

Run from the repository root:

    .venv/bin/python bench/routing_bench.py [--datasets cfpb,generator,banking77,sib200-nl,...]

Writes ``bench/results/routing.json``. Datasets (see ``/work/shared/data/*/README.md``, or set
``LEERLUS_BENCH_DATA``): CFPB credit-reporting complaints (issue, 5 labels; time split),
the demo generator (department, 6 labels, and service, 14 labels; time split), Banking77
(77 intents, given split), SIB-200 Dutch and English (7 topics, given split, dev folded into
train). Baselines, fitted on the same training data and scored on the same test data:

* ``signalen``: ``TfidfVectorizer()`` + ``LogisticRegression()`` with scikit-learn's defaults,
  the approach of Signalen's classifier;
* ``lr-tuned``: word 1-2-gram TF-IDF (sublinear tf) + logistic regression with C and class
  weighting chosen on the same validation split of the training data as Leerlus's router.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from leerlus.engine.routing import (
    expected_calibration_error,
    macro_f1,
    predict,
    train,
)
from leerlus.engine.routing_fit import validation_split

DATA = Path(os.environ.get("LEERLUS_BENCH_DATA", "/work/shared/data"))
RESULTS = Path(__file__).resolve().parent / "results"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")

Split = tuple[list[str], list[str], list[date] | None, list[str], list[str]]

csv.field_size_limit(1 << 30)


def cfpb() -> Split:
    """Train on complaints received before 2016-10-01, test on the later ones."""
    path = DATA / "cfpb-credit-reporting-en" / "cfpb_credit_reporting_sample_2015-03_2017-04.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["narrative"].strip()]
    rows.sort(key=lambda r: r["Date received"])
    cut = "2016-10-01"
    train_rows = [r for r in rows if r["Date received"] < cut]
    test_rows = [r for r in rows if r["Date received"] >= cut]
    return (
        [r["narrative"] for r in train_rows],
        [r["Issue"] for r in train_rows],
        [date.fromisoformat(r["Date received"]) for r in train_rows],
        [r["narrative"] for r in test_rows],
        [r["Issue"] for r in test_rows],
    )


def generator(target: str) -> Callable[[], Split]:
    """Two years of demo feedback; train on the first 17 months, test on the last 7."""

    def load() -> Split:
        from leerlus.demo.feedback_generator import generate_feedback

        signals = list(generate_feedback(start=date(2024, 1, 1), days=730))
        cut = date(2025, 6, 1)
        local = [s.received_at.astimezone(AMSTERDAM).date() for s in signals]
        train_s = [(s, d) for s, d in zip(signals, local, strict=True) if d < cut]
        test_s = [s for s, d in zip(signals, local, strict=True) if d >= cut]
        return (
            [s.text for s, _ in train_s],
            [getattr(s, target) for s, _ in train_s],
            [d for _, d in train_s],
            [s.text for s in test_s],
            [getattr(s, target) for s in test_s],
        )

    return load


def banking77() -> Split:
    def read(name: str) -> tuple[list[str], list[str]]:
        with open(DATA / "banking77-en" / name, encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        return [r["text"] for r in rows], [r["category"] for r in rows]

    tx, ty = read("train.csv")
    sx, sy = read("test.csv")
    return tx, ty, None, sx, sy


def sib200(language: str) -> Callable[[], Split]:
    def load() -> Split:
        def read(name: str) -> tuple[list[str], list[str]]:
            path = DATA / "sib200-nl-en" / language / f"{name}.tsv"
            with open(path, encoding="utf-8") as f:
                rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
            return [r["text"] for r in rows], [r["category"] for r in rows]

        tx, ty = read("train")
        dx, dy = read("dev")
        sx, sy = read("test")
        return tx + dx, ty + dy, None, sx, sy

    return load


DATASETS: dict[str, Callable[[], Split]] = {
    "cfpb-issue": cfpb,
    "generator-department": generator("department"),
    "generator-service": generator("service"),
    "banking77": banking77,
    "sib200-nl": sib200("nld_Latn"),
    "sib200-en": sib200("eng_Latn"),
}


def _scores(truth: list[str], predicted: list[str], proba: np.ndarray | None) -> dict[str, float]:
    out = {
        "macro_f1": round(macro_f1(truth, predicted), 4),
        "accuracy": round(
            float(np.mean([t == p for t, p in zip(truth, predicted, strict=True)])), 4
        ),
    }
    if proba is not None:
        confidence = proba.max(axis=1)
        correct = np.array([t == p for t, p in zip(truth, predicted, strict=True)])
        out["ece"] = round(expected_calibration_error(confidence, correct), 4)
    return out


def baseline_signalen(split: Split) -> dict[str, float]:
    tx, ty, _, sx, sy = split
    started = time.perf_counter()
    vectoriser = TfidfVectorizer()
    model = LogisticRegression(max_iter=1000)
    model.fit(vectoriser.fit_transform(tx), ty)
    trained = time.perf_counter() - started
    started = time.perf_counter()
    proba = model.predict_proba(vectoriser.transform(sx))
    elapsed = time.perf_counter() - started
    predicted = [str(model.classes_[i]) for i in proba.argmax(axis=1)]
    return {
        **_scores(sy, predicted, proba),
        "train_seconds": round(trained, 2),
        "predict_per_second": round(len(sx) / elapsed),
    }


def baseline_tuned(split: Split) -> dict[str, float | str]:
    """Word 1-2 grams + LR, C and class weighting chosen on the router's validation split."""
    tx, ty, dates, sx, sy = split
    labels = np.array(ty)
    tr, va = validation_split(labels, dates, 0.2, 0)
    best: tuple[float, float, str | None] = (-1.0, 1.0, None)
    for weighting in (None, "balanced"):
        for c in (1.0, 4.0, 16.0, 64.0):
            vectoriser = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)
            model = LogisticRegression(C=c, class_weight=weighting, max_iter=1000)
            model.fit(vectoriser.fit_transform([tx[i] for i in tr]), labels[tr])
            predicted = model.predict(vectoriser.transform([tx[i] for i in va]))
            score = macro_f1(list(labels[va]), [str(p) for p in predicted])
            if score > best[0]:
                best = (score, c, weighting)
    started = time.perf_counter()
    vectoriser = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)
    model = LogisticRegression(C=best[1], class_weight=best[2], max_iter=1000)
    model.fit(vectoriser.fit_transform(tx), ty)
    trained = time.perf_counter() - started
    proba = model.predict_proba(vectoriser.transform(sx))
    predicted = [str(model.classes_[i]) for i in proba.argmax(axis=1)]
    return {
        **_scores(sy, predicted, proba),
        "train_seconds": round(trained, 2),
        "C": best[1],
        "class_weight": str(best[2]),
    }


def leerlus(split: Split) -> dict[str, object]:
    tx, ty, dates, sx, sy = split
    started = time.perf_counter()
    model = train(tx, ty, dates=dates)
    trained = time.perf_counter() - started
    started = time.perf_counter()
    predictions = predict(model, sx)
    elapsed = time.perf_counter() - started
    predicted = [p.label for p in predictions]
    correct = np.array([t == p for t, p in zip(sy, predicted, strict=True)])
    confidence = np.array([p.confidence for p in predictions])
    sure = np.array([not p.unsure for p in predictions])
    size = len(model.to_bytes())
    return {
        **_scores(sy, predicted, None),
        "ece": round(expected_calibration_error(confidence, correct), 4),
        "unsure_below": round(model.unsure_below, 4),
        "coverage": round(float(sure.mean()), 4),
        "accuracy_when_sure": round(float(correct[sure].mean()) if sure.any() else 0.0, 4),
        "train_seconds": round(trained, 2),
        "predict_per_second": round(len(sx) / elapsed),
        "model_bytes": size,
        "chosen": {k: model.info[k] for k in ("lr_c", "svm_c")}
        | {"blend": model.blend, "label_bias": bool(len(model.label_bias))},
        "validation": model.info.get("validation", {}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--output", default=str(RESULTS / "routing.json"))
    args = parser.parse_args()
    results: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}",
        "command": "python bench/routing_bench.py --datasets " + args.datasets,
        "when": datetime.now().astimezone().isoformat(timespec="seconds"),
        "datasets": {},
    }
    datasets = results["datasets"]
    assert isinstance(datasets, dict)
    for name in args.datasets.split(","):
        print(f"== {name}", file=sys.stderr)
        split = DATASETS[name]()
        row: dict[str, object] = {
            "train": len(split[0]),
            "test": len(split[3]),
            "labels": len(set(split[1])),
        }
        row["signalen"] = baseline_signalen(split)
        print(f"   signalen  {row['signalen']}", file=sys.stderr)
        row["lr_tuned"] = baseline_tuned(split)
        print(f"   lr-tuned  {row['lr_tuned']}", file=sys.stderr)
        row["leerlus"] = leerlus(split)
        print(f"   leerlus   {row['leerlus']}", file=sys.stderr)
        ours = row["leerlus"]["macro_f1"]  # type: ignore[index]
        row["ratio_vs_signalen"] = round(ours / max(row["signalen"]["macro_f1"], 1e-9), 3)  # type: ignore[index]
        row["ratio_vs_lr_tuned"] = round(ours / max(row["lr_tuned"]["macro_f1"], 1e-9), 3)  # type: ignore[index]
        datasets[name] = row
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
