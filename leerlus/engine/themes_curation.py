# SPDX-License-Identifier: EUPL-1.2
"""An analyst's decisions applied to one run's assignments: merges, splits and moves.

Run on every discovery, after the themes are found and before they are labelled, so a
decision holds on every later run; each is idempotent (a merge of themes that are already
one, or a split of a theme that no longer exists, changes nothing).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from leerlus.engine.themes_clustering import UNASSIGNED, cluster, kmeans, nearest, unit

if TYPE_CHECKING:
    from leerlus.engine.themes import Curation, ThemeModel

__all__ = ["curate"]


def curate(
    assignments: np.ndarray,
    texts: Sequence[str],
    embeddings: np.ndarray | None,
    curation: Curation,
    position: dict[str, int],
    model: ThemeModel,
    split_from: dict[int, int],
    next_id: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, int]:
    settings = model.settings
    assignments = assignments.copy()
    for group in curation.merges:
        for other in group[1:]:
            assignments[assignments == other] = group[0]
    for theme_id, parts in sorted(curation.splits.items()):
        members = np.flatnonzero(assignments == theme_id)
        if len(members) < 4:
            continue
        vectors = model.embed(
            [texts[i] for i in members.tolist()],
            embeddings=None if embeddings is None else embeddings[members],
        )
        weights = np.ones(len(members))
        if parts >= 2:
            centres = kmeans(vectors, weights, min(parts, len(members) // 2), rng)[1]
            centres = unit(centres)
        else:
            centres = cluster(vectors, weights, settings, rng, max(2, len(members) // 20))
            if len(centres) < 2:
                centres = unit(kmeans(vectors, weights, 2, rng)[1])
        best, _ = nearest(vectors, centres)
        for part in range(len(centres)):
            chosen = members[best == part]
            if len(chosen):
                assignments[chosen] = next_id
                split_from[next_id] = theme_id
                next_id += 1
    # A move to a theme that was merged follows the merge; one to a theme that no longer
    # exists (split, or gone from the data) is ignored rather than bringing it back.
    merged_into = {other: group[0] for group in curation.merges for other in group[1:]}
    present = set(np.unique(assignments).tolist()) | set(curation.pinned) | {UNASSIGNED}
    for item_id, theme_id in curation.moves.items():
        index = position.get(item_id)
        target = merged_into.get(theme_id, theme_id)
        if index is not None and target in present:
            assignments[index] = target
    return assignments, next_id
