# SPDX-License-Identifier: EUPL-1.2
"""Themes related to a theme: they share key terms with it, or their daily counts move with
it once each series' weekday rhythm is taken out (:mod:`leerlus.engine.movement`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from leerlus.engine import movement
from leerlus.organisations.models import Organisation

from ..models import Theme, ThemeDayCount
from .counts import Period, ThemeGroups

RELATED_SHOWN: Final = 5
# Related themes: share at least this many key terms, or move together at least this much
# (correlation of the daily counts once each series' weekday pattern is taken out).
RELATED_MIN_SHARED_TERMS: Final = 2
RELATED_MIN_CORRELATION: Final = 0.6
RELATED_MIN_SIGNALS: Final = 20


@dataclass(frozen=True)
class RelatedTheme:
    theme: Theme
    shared_terms: list[str]
    correlation: float | None


def themes_related(
    *, organisation: Organisation, theme: Theme, groups: ThemeGroups, period: Period
) -> list[RelatedTheme]:
    """Themes that share key terms with ``theme`` or whose daily counts move with it."""
    candidates = list(
        Theme.objects.filter(
            organisation=organisation, merged_into__isnull=True, hidden=False, retired=False
        ).exclude(pk=theme.pk)
    )
    row_of = {other.pk: i for i, other in enumerate(candidates, start=1)}
    row_of[theme.pk] = 0
    daily = np.zeros((len(candidates) + 1, period.days))
    rows = (
        ThemeDayCount.objects.filter(
            organisation=organisation,
            theme__isnull=False,
            day__gte=period.first,
            day__lte=period.last,
        )
        .order_by()
        .values_list("theme_id", "day", "count")
    )
    for theme_id, day, n in rows:
        row = row_of.get(groups.root_of.get(theme_id, theme_id))
        if row is not None:
            daily[row, (day - period.first).days] += n
    moves = movement.without_weekdays(daily, period.first)
    correlations = movement.correlations(moves[0], moves[1:])
    enough = daily.sum(axis=1) >= RELATED_MIN_SIGNALS
    own_terms = {str(term).casefold(): str(term) for term in theme.key_terms}
    found: list[tuple[float, RelatedTheme]] = []
    for i, other in enumerate(candidates, start=1):
        other_terms = {str(term).casefold() for term in other.key_terms}
        shared = [term for key, term in own_terms.items() if key in other_terms]
        correlation = None
        if enough[0] and enough[i] and not np.isnan(correlations[i - 1]):
            correlation = float(correlations[i - 1])
        moves_together = correlation is not None and correlation >= RELATED_MIN_CORRELATION
        if len(shared) >= RELATED_MIN_SHARED_TERMS or moves_together:
            union = len(own_terms.keys() | other_terms) or 1
            score = len(shared) / union + max(correlation or 0.0, 0.0)
            found.append(
                (
                    score,
                    RelatedTheme(
                        theme=other,
                        shared_terms=shared,
                        correlation=correlation if moves_together else None,
                    ),
                )
            )
    found.sort(key=lambda item: (-item[0], item[1].theme.title.casefold()))
    return [related for _, related in found[:RELATED_SHOWN]]
