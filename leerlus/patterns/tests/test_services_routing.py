# SPDX-License-Identifier: EUPL-1.2
"""Routing: trained from the signals that have a service, suggested for new ones."""

import pytest

from leerlus.patterns.models import ThemeAssignment, ThemeState
from leerlus.patterns.services.routing import routing_train
from leerlus.patterns.services.themes import themes_assign_new
from leerlus.patterns.tests.signals import make_signals

pytestmark = pytest.mark.django_db


def test_routing_is_trained_from_services_and_suggests_for_new_signals(discovered):
    assert routing_train(organisation=discovered)
    new = make_signals(discovered, per_topic=3, offset=21, with_service=False)

    themes_assign_new(organisation=discovered)

    suggested = {
        f.text[:15]: ThemeAssignment.objects.get(feedback=f).suggested_category for f in new
    }
    assert set(suggested.values()) <= {"portaal", "paspoort", "afval"}
    upload = ThemeAssignment.objects.get(feedback=new[0])
    assert upload.suggested_category == "portaal"
    assert upload.category_confidence is not None
    assert 0 < upload.category_confidence <= 1


def test_routing_needs_two_services(organisation):
    make_signals(organisation, topics=("afval",))

    assert not routing_train(organisation=organisation)
    assert ThemeState.objects.get(organisation=organisation).routing_trained_at is None
