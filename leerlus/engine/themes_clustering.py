# SPDX-License-Identifier: EUPL-1.2
"""The geometry of theme discovery: unit vectors in LSA space, groups found and merged.

:func:`lsa` reduces text features to a few hundred dimensions; :func:`cluster` over-clusters
with k-means and merges groups (average linkage) as close as the closest quarter of
neighbouring groups, so the number of themes comes from the data; :func:`polish` runs a few
sticky rounds of spherical k-means from given centres, dissolving themes that are too small;
:func:`seeded_centres` starts a re-run from an earlier model's themes. An item that fits no
centre well enough gets :data:`UNASSIGNED`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]  # scipy ships no stubs
from scipy.cluster.hierarchy import fcluster, linkage  # type: ignore[import-untyped]
from sklearn.cluster import KMeans, MiniBatchKMeans  # type: ignore[import-untyped]
from sklearn.decomposition import TruncatedSVD  # type: ignore[import-untyped]

if TYPE_CHECKING:
    from leerlus.engine.themes import ThemeModel, ThemeSettings

__all__ = [
    "UNASSIGNED",
    "cluster",
    "combine",
    "kmeans",
    "loose_threshold",
    "lsa",
    "nearest",
    "polish",
    "seeded_centres",
    "unit",
]

# The theme of an item that fits no theme.
UNASSIGNED: Final = -1


def unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.asarray(vectors / norms, dtype=np.float32)


def combine(
    lsa: np.ndarray, embedded: np.ndarray | None, embedding_dim: int, weight: float
) -> np.ndarray:
    """LSA vectors, joined with embeddings (weight ``weight``) when the model uses them."""
    if embedding_dim == 0:
        return lsa
    if embedded is None:
        embedded = np.zeros((len(lsa), embedding_dim), dtype=np.float32)
    return unit(np.hstack([lsa * (1.0 - weight), unit(embedded) * weight]))


def nearest(vectors: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of the most similar centre and that cosine, in blocks to bound memory."""
    best = np.zeros(len(vectors), dtype=np.int64)
    sim = np.zeros(len(vectors), dtype=np.float32)
    if len(centres) == 0:
        return best, sim
    block = 50_000
    for start in range(0, len(vectors), block):
        scores = vectors[start : start + block] @ centres.T
        best[start : start + block] = scores.argmax(axis=1)
        sim[start : start + block] = scores.max(axis=1)
    return best, sim


def lsa(matrix: sp.csr_matrix, settings: ThemeSettings, rng: np.random.Generator) -> np.ndarray:
    dimensions = max(1, min(settings.dimensions, matrix.shape[0] - 1, matrix.shape[1] - 1))
    if dimensions < 2:
        return np.eye(1, matrix.shape[1], dtype=np.float32)
    svd = TruncatedSVD(n_components=dimensions, n_iter=4, random_state=int(rng.integers(2**31 - 1)))
    svd.fit(matrix)
    return np.asarray(svd.components_, dtype=np.float32)


def kmeans(
    vectors: np.ndarray, weights: np.ndarray, k: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    seed = int(rng.integers(2**31 - 1))
    if len(vectors) > 20_000:
        model: Any = MiniBatchKMeans(
            n_clusters=k, random_state=seed, batch_size=4096, n_init=1, max_iter=60
        )
    else:
        model = KMeans(n_clusters=k, random_state=seed, n_init=1, max_iter=60)
    model.fit(vectors, sample_weight=weights)
    return np.asarray(model.labels_, dtype=np.int64), np.asarray(model.cluster_centers_)


def cluster(
    vectors: np.ndarray,
    weights: np.ndarray,
    settings: ThemeSettings,
    rng: np.random.Generator,
    min_size: int,
) -> np.ndarray:
    """Unit centres of the themes in ``vectors``: over-cluster, then merge close groups."""
    n = len(vectors)
    usable = np.linalg.norm(vectors, axis=1) > 0
    if usable.sum() < 2 * max(2, min_size):
        return np.zeros((0, vectors.shape[1]), dtype=np.float32)
    vectors, weights = vectors[usable], weights[usable]
    n = len(vectors)
    k0 = int(min(n // 2, max(8, min(400, round(settings.granularity * math.sqrt(n))))))
    micro, centres = kmeans(vectors, weights, k0, rng)
    sizes = np.bincount(micro, weights=weights, minlength=k0)
    keep = sizes > 0
    unit_centres, sizes = unit(centres[keep]), sizes[keep]
    if len(unit_centres) < 2:
        return unit_centres
    # Groups merge (average linkage) when they are closer than the closest quarter of
    # neighbouring groups are to each other (scaled by ``merge_factor``): a threshold taken
    # from the data's own spread, so long and short texts, many and few items, need no k.
    similar = unit_centres @ unit_centres.T
    np.fill_diagonal(similar, -1.0)
    neighbour = np.quantile(similar.max(axis=1), 0.25)
    threshold = float(np.clip(1.0 - neighbour * settings.merge_factor, 0.0, 2.0))
    tree = linkage(unit_centres.astype(np.float64), method="average", metric="cosine")
    groups = fcluster(tree, t=threshold, criterion="distance") - 1
    merged = np.zeros((groups.max() + 1, vectors.shape[1]))
    np.add.at(merged, groups, unit_centres * sizes[:, None])
    return unit(merged)


def polish(
    vectors: np.ndarray,
    weights: np.ndarray,
    centres: np.ndarray,
    theme_ids: list[int],
    settings: ThemeSettings,
    min_size: int,
    protected: set[int],
    incumbent: np.ndarray | None = None,
    rounds: int = 3,
) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Spherical k-means rounds from ``centres``; small unprotected themes dissolve.

    ``incumbent`` (a theme id per item from the previous model, or -1) makes the rounds
    sticky: an item stays in its earlier theme unless another is better by more than
    ``settings.stickiness`` (hysteresis, so that re-runs do not shuffle borderline items).
    """
    ids = list(theme_ids)
    if len(centres) == 0:
        return np.full(len(vectors), UNASSIGNED, dtype=np.int64), centres, ids

    def sticky_nearest(centres: np.ndarray, ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
        best, sim = nearest(vectors, centres)
        if incumbent is None:
            return best, sim
        column = {theme_id: j for j, theme_id in enumerate(ids)}
        held = np.array([column.get(t, -1) for t in incumbent.tolist()], dtype=np.int64)
        has = np.flatnonzero(held >= 0)
        held_sim = np.einsum("ij,ij->i", vectors[has], centres[held[has]])
        stay = held_sim >= np.maximum(sim[has] - settings.stickiness, settings.min_similarity)
        best[has[stay]] = held[has[stay]]
        sim[has[stay]] = held_sim[stay]
        return best, sim

    for _ in range(rounds):
        best, sim = sticky_nearest(centres, ids)
        placed = sim >= settings.min_similarity
        sizes = np.bincount(best[placed], weights=weights[placed], minlength=len(centres))
        counts = np.bincount(best[placed], minlength=len(centres))
        keep = np.array([counts[j] >= min_size or ids[j] in protected for j in range(len(centres))])
        sums = np.zeros_like(centres, dtype=np.float64)
        np.add.at(sums, best[placed], vectors[placed] * weights[placed, None])
        fresh = unit(sums)
        empty = sizes == 0
        fresh[empty] = centres[empty]  # a protected theme with no items keeps its centre
        centres = fresh[keep]
        ids = [i for i, k in zip(ids, keep, strict=True) if k]
        if len(centres) == 0:
            break
    best, sim = sticky_nearest(centres, ids)
    id_array = np.array(ids, dtype=np.int64)
    labels = np.where(sim >= settings.min_similarity, id_array[best] if len(ids) else -1, -1)
    return labels.astype(np.int64), centres, ids


def seeded_centres(
    vectors: np.ndarray,
    old: np.ndarray,
    weights: np.ndarray,
    previous: ThemeModel,
    min_size: int,
) -> tuple[np.ndarray, list[int]]:
    """Centres of the previous themes in the new space, from the items they hold now."""
    centres = []
    ids = []
    for theme in previous.themes:
        members = old == theme.id
        if members.sum() >= 1 and (members.sum() >= min_size // 2 or theme.pinned):
            centre = (vectors[members] * weights[members, None]).sum(axis=0)
            centres.append(centre)
            ids.append(theme.id)
    if not centres:
        return np.zeros((0, vectors.shape[1]), dtype=np.float32), []
    return unit(np.vstack(centres)), ids


def loose_threshold(fits: np.ndarray, settings: ThemeSettings) -> float:
    """Items less similar than this to every earlier theme may form new themes: those that
    fit less than half as well as the typical item does."""
    if len(fits) == 0:
        return settings.min_similarity
    return max(settings.min_similarity, 0.5 * float(np.median(fits)))
