# SPDX-License-Identifier: EUPL-1.2
"""What changed in the signals around an event."""

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from leerlus.patterns.selectors.events import event_changes
from leerlus.patterns.services.events import event_create
from leerlus.patterns.tests.factories import ThemeFactory, daily_counts, steady

pytestmark = pytest.mark.django_db


def test_event_changes_list_the_theme_and_channel_that_moved(organisation, analyst):
    quiet = ThemeFactory.create(organisation=organisation, label="rustig")
    loud = ThemeFactory.create(organisation=organisation, label="upload")
    for theme in (quiet, loud):
        daily_counts(theme, steady(100, 5), channel="counter")
    daily_counts(quiet, steady(100, 5), channel="web_form")
    daily_counts(loud, {**steady(80, 5, start=20), **steady(20, 25)}, channel="web_form")
    event = event_create(
        organisation=organisation,
        actor=analyst,
        kind="release",
        title="Portaal",
        date=timezone.localdate() - timedelta(days=19),
    )

    changes = event_changes(organisation=organisation, event=event)

    first = changes[0]
    assert (first.theme, first.direction, first.significant) == (loud, "up", True)
    assert first.channel in (None, "web_form")
    web = next(c for c in changes if c.theme == loud and c.channel == "web_form")
    assert web.ratio > 3
    assert web.low > 1
    counter = next(c for c in changes if c.theme == loud and c.channel == "counter")
    assert not counter.significant
    assert (first.before_days, first.after_days) == (56, 19)  # today is not complete


def test_event_changes_need_data_on_both_sides(organisation, analyst):
    theme = ThemeFactory.create(organisation=organisation)
    daily_counts(theme, steady(30, 5))
    event = event_create(
        organisation=organisation,
        actor=analyst,
        kind="release",
        title="Vandaag",
        date=timezone.localdate(),
    )

    assert event_changes(organisation=organisation, event=event) == []


def test_another_organisations_event_is_not_compared(organisation, other_organisation, analyst):
    event = event_create(
        organisation=organisation,
        actor=analyst,
        kind="release",
        title="Portaal",
        date=timezone.localdate() - timedelta(days=19),
    )

    with pytest.raises(Http404):
        event_changes(organisation=other_organisation, event=event)
