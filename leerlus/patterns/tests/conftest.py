"""Fixtures shared by the patterns app's tests."""

import pytest

from leerlus.api.tests.test_api import api_for  # noqa: F401  (a fixture, shared with the API's tests)
from leerlus.organisations.models import Organisation
from leerlus.patterns import services
from leerlus.patterns.tests.signals import make_signals


@pytest.fixture
def discovered(organisation: Organisation) -> Organisation:
    """The organisation with the three topics' signals and their themes discovered."""
    make_signals(organisation)
    services.themes_discover(organisation=organisation)
    return organisation
