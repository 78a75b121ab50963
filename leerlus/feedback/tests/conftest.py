# SPDX-License-Identifier: EUPL-1.2
"""Fixtures of the signal tests."""

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture
def english() -> Iterator[None]:
    """Reasons are put into words in the active language; tests that read them read English."""
    with translation.override("en"):
        yield
