# SPDX-License-Identifier: EUPL-1.2
"""Fitting the router's two linear classifiers, and the split they are validated on.

Logistic regression and a linear support vector machine, both with balanced class weights
(a rare category counts as much as a common one in macro-F1), their coefficients with one
row per label even when a label is missing from a split; :func:`validation_split` holds out
the latest share by date, else a stratified share.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]  # scipy ships no stubs
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from sklearn.svm import LinearSVC  # type: ignore[import-untyped]

__all__ = ["class_weights", "fit_lr", "fit_svm", "full_rows", "validation_split"]


def validation_split(
    labels: np.ndarray, dates: Sequence[date] | None, share: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Training and validation indices: the latest ``share`` by date, else stratified."""
    n = len(labels)
    if dates is not None:
        order = np.argsort(np.array([d.toordinal() for d in dates]), kind="stable")
        cut = round(n * (1 - share))
        return np.sort(order[:cut]), np.sort(order[cut:])
    rng = np.random.default_rng(seed)
    train_idx: list[int] = []
    valid_idx: list[int] = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        rng.shuffle(members)
        k = round(len(members) * share) if len(members) >= 3 else 0
        valid_idx.extend(members[:k])
        train_idx.extend(members[k:])
    return np.sort(np.array(train_idx, dtype=np.int64)), np.sort(
        np.array(valid_idx, dtype=np.int64)
    )


def class_weights(y: np.ndarray, n_labels: int) -> dict[int, float]:
    counts = np.bincount(y, minlength=n_labels).astype(np.float64)
    present = counts > 0
    weights = np.ones(n_labels)
    weights[present] = len(y) / (present.sum() * counts[present])
    return {i: float(w) for i, w in enumerate(weights)}


def fit_lr(
    x: sp.csr_matrix, y: np.ndarray, c: float, n_labels: int
) -> tuple[np.ndarray, np.ndarray]:
    model = LogisticRegression(C=c, max_iter=300, class_weight=class_weights(y, n_labels), tol=1e-3)
    model.fit(x, y)
    return full_rows(model.coef_, model.intercept_, model.classes_, n_labels)


def fit_svm(
    x: sp.csr_matrix, y: np.ndarray, c: float, n_labels: int
) -> tuple[np.ndarray, np.ndarray]:
    model = LinearSVC(C=c, class_weight=class_weights(y, n_labels), max_iter=5000)
    model.fit(x, y)
    return full_rows(model.coef_, model.intercept_, model.classes_, n_labels)


def full_rows(
    coef: np.ndarray, intercept: np.ndarray, classes: np.ndarray, n_labels: int
) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients with one row per label, also for labels missing from a split."""
    if coef.shape[0] == 1 and len(classes) == 2:  # binary: one row for the second class
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
    full = np.zeros((n_labels, coef.shape[1]), dtype=np.float64)
    bias = np.full(n_labels, -1e3)
    full[classes] = coef
    bias[classes] = intercept
    return full, bias
