# SPDX-License-Identifier: EUPL-1.2
"""Alert detection on the daily counts: spikes per channel, new themes, what a re-run keeps."""

import pytest

from leerlus.patterns.models import Alert, Theme
from leerlus.patterns.services.alerts import alerts_detect
from leerlus.patterns.tests.factories import ThemeFactory, daily_counts, signals_in, steady
from leerlus.patterns.tests.signals import topic_texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def spiking(organisation):
    """Sixty quiet days of two themes on two channels; one spikes on the phone this week."""
    quiet = ThemeFactory.create(organisation=organisation, label="rustig")
    loud = ThemeFactory.create(organisation=organisation, label="upload")
    for theme in (quiet, loud):
        daily_counts(theme, steady(95, 4), channel="counter")
    daily_counts(quiet, steady(95, 4), channel="phone")
    daily_counts(loud, {**steady(90, 4, start=5), **steady(5, 20)}, channel="phone")
    examples = signals_in(loud, topic_texts("upload")[:3], channel="phone", days_ago=2)
    return quiet, loud, examples


def test_a_spike_is_raised_on_its_channel_with_examples(organisation, spiking):
    quiet, loud, examples = spiking

    new = alerts_detect(organisation=organisation)

    alerts = Alert.objects.filter(organisation=organisation)
    assert new == alerts.count() > 0
    assert not alerts.filter(theme=quiet).exists()
    phone = alerts.get(theme=loud, kind=Alert.Kind.SPIKE, channel="phone")
    assert phone.observed > 3 * phone.expected
    assert set(phone.example_ids) == {f.pk for f in examples}
    assert not alerts.filter(channel="counter").exists()


def test_a_rerun_keeps_how_an_alert_was_handled(organisation, spiking, analyst):
    alerts_detect(organisation=organisation)
    alert = Alert.objects.filter(organisation=organisation)[0]
    Alert.objects.filter(pk=alert.pk).update(status=Alert.Status.DISMISSED, dismiss_reason="ok")

    assert alerts_detect(organisation=organisation) == 0

    alert.refresh_from_db()
    assert (alert.status, alert.dismiss_reason) == (Alert.Status.DISMISSED, "ok")


def test_hidden_themes_raise_no_alerts(organisation, spiking):
    _, loud, _ = spiking
    Theme.objects.filter(pk=loud.pk).update(hidden=True)

    assert alerts_detect(organisation=organisation) == 0


def test_a_theme_merged_into_another_is_watched_as_part_of_it(organisation, spiking):
    quiet, loud, _ = spiking
    Theme.objects.filter(pk=loud.pk).update(merged_into=quiet)

    alerts_detect(organisation=organisation)

    assert Alert.objects.filter(theme=quiet, channel="phone").exists()
    assert not Alert.objects.filter(theme=loud).exists()


def test_a_new_theme_is_an_alert(organisation):
    steady_theme = ThemeFactory.create(organisation=organisation)
    newcomer = ThemeFactory.create(organisation=organisation)
    daily_counts(steady_theme, steady(100, 5))
    daily_counts(newcomer, steady(10, 3))

    alerts_detect(organisation=organisation)

    assert Alert.objects.filter(theme=newcomer, kind=Alert.Kind.NEW_THEME).exists()
