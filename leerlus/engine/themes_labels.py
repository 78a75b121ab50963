# SPDX-License-Identifier: EUPL-1.2
"""What a theme is called and shown with: key terms, a label and example excerpts.

Key terms are a class-based TF-IDF over the themes' word and bigram features, shown as the
most frequent surface word of each stem (stems are never shown); the label is the first
three. They are computed on :func:`label_sample`, a bounded sample of each theme's distinct
texts, so labelling costs the same for a hundred thousand items as for ten thousand.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]  # scipy ships no stubs

from leerlus.engine.text import TextFeatures, fingerprint

__all__ = ["excerpt", "key_terms_of", "label_of", "label_sample"]


def label_sample(
    texts: Sequence[str], assignments: np.ndarray, theme_ids: list[int], rng: np.random.Generator
) -> tuple[list[int], list[int]]:
    """Rows (and their theme) of a bounded sample of each theme's distinct texts."""
    per_theme = max(200, 60_000 // max(1, len(theme_ids)))
    sample_rows: list[int] = []
    sample_theme: list[int] = []
    seen_keys: set[tuple[int, str]] = set()
    for theme_id in theme_ids:
        members = np.flatnonzero(assignments == theme_id)
        if len(members) > per_theme * 3:
            members = np.sort(rng.choice(members, per_theme * 3, replace=False))
        taken = 0
        for i in members.tolist():
            key = (theme_id, fingerprint(texts[i]))
            if key in seen_keys:
                continue
            seen_keys.add(key)
            sample_rows.append(i)
            sample_theme.append(theme_id)
            taken += 1
            if taken >= per_theme:
                break
    return sample_rows, sample_theme


def key_terms_of(
    features: TextFeatures,
    matrix: sp.csr_matrix,
    owner: np.ndarray,
    n_themes: int,
    top: int,
) -> list[list[str]]:
    """Class-based TF-IDF of word and bigram features, shown as surface words."""
    if n_themes == 0 or matrix.shape[0] == 0:
        return [[] for _ in range(n_themes)]
    names = features.feature_names
    wordlike = np.array([not name.startswith("c:") for name in names])
    membership = sp.csr_matrix(
        (np.ones(len(owner)), (owner, np.arange(len(owner)))), shape=(n_themes, len(owner))
    )
    binary = matrix.copy()
    binary.data[:] = 1.0
    per_theme = np.asarray((membership @ binary).todense())  # documents per theme with term
    theme_sizes = np.bincount(owner, minlength=n_themes).astype(np.float64)
    frequency = per_theme / np.maximum(theme_sizes[:, None], 1.0)
    overall = per_theme.sum(axis=0)
    mean_size = max(1.0, theme_sizes.mean())
    score = frequency * np.log1p(mean_size / np.maximum(overall, 1.0))
    score[:, ~wordlike] = 0.0
    result: list[list[str]] = []
    for j in range(n_themes):
        row = score[j]
        order = np.argsort(-row)[: top * 4]
        chosen: list[str] = []
        used_stems: set[str] = set()
        for index in order.tolist():
            if row[index] <= 0 or (per_theme[j, index] < 2 and theme_sizes[j] >= 10):
                continue
            name = names[index]
            stems = set(name.partition(":")[2].split(" "))
            if stems <= used_stems:
                continue
            surface = features.surface(name)
            if name.startswith("b:"):
                # a bigram replaces the words it is made of
                chosen = [c for c in chosen if c not in surface.split(" ")]
            chosen.append(surface)
            used_stems |= stems
            if len(chosen) >= top:
                break
        result.append(chosen)
    return result


def label_of(terms: list[str]) -> str:
    return ", ".join(terms[:3])


def excerpt(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "\u2026"
