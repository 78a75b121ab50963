# SPDX-License-Identifier: EUPL-1.2
from datetime import UTC
from typing import Any

from rest_framework import serializers


class UtcDateTimeField(serializers.DateTimeField):
    """ISO 8601 in UTC (``...Z``), as the NL GOV API Design Rules ask."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(default_timezone=UTC, **kwargs)
