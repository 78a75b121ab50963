# SPDX-License-Identifier: EUPL-1.2
from datetime import UTC
from typing import Any, Final

from django.core.validators import MaxValueValidator, MinValueValidator
from rest_framework import serializers

from leerlus.core.filters import FIRST_DAY, LAST_DAY

# The OpenAPI document cannot bound a date (a string); it says so in words.
DAY_RANGE: Final = f"from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}"


class UtcDateTimeField(serializers.DateTimeField):
    """ISO 8601 in UTC (``...Z``), as the NL GOV API Design Rules ask."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(default_timezone=UTC, **kwargs)


class DayField(serializers.DateField):
    """A day as the pages' date fields take it (``YYYY-MM-DD``, ``DAY_RANGE``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", f"A day {DAY_RANGE}")
        super().__init__(**kwargs)
        self.validators += [MinValueValidator(FIRST_DAY), MaxValueValidator(LAST_DAY)]
