# SPDX-License-Identifier: EUPL-1.2
"""Constructed daily counts for the monthly report's tests: two months ago is a whole month in
the past, whatever day the tests run."""

from django.utils import timezone

from leerlus.patterns.selectors.report import add_months

from .factories import add_counts

MONTH = add_months(timezone.localdate().replace(day=1), -2)
HISTORY = add_months(MONTH, -3)
NEXT = add_months(MONTH, 1)
HISTORY_DAYS = (MONTH - HISTORY).days
MONTH_DAYS = (NEXT - MONTH).days


def per_day(organisation, theme, channel, before: int, during: int) -> None:
    add_counts(
        organisation, theme, channel, HISTORY, [before] * HISTORY_DAYS + [during] * MONTH_DAYS
    )
