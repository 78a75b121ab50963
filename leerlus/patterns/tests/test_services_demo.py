# SPDX-License-Identifier: EUPL-1.2
"""The demo organisation shows its built-in events as real patterns: the engine, run by the
services on the demo's signals, raises the portal release as an alert on the website and
the phone, and not at the counter (issue 5, "done when")."""

from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest

from leerlus.demo import services as demo_services
from leerlus.demo.feedback_generator import UPLOAD_THEME, demo_events, generate_feedback
from leerlus.demo.services import DEMO_SIGNALS_PER_DAY, demo_load, demo_start
from leerlus.feedback.models import Feedback
from leerlus.patterns.models import Alert, Event, Theme

pytestmark = pytest.mark.django_db

# A fixed last day, so the calendar (weekdays, holidays) and hence the result do not change
# with the day the suite runs; 330 days put the portal release five weeks before it.
TODAY = date(2026, 11, 22)
DAYS = 330


def _upload_themes(organisation) -> set[int]:
    """The themes most of whose signals the generator wrote as upload problems."""
    start = demo_start(TODAY, DAYS)
    signals = generate_feedback(start=start, days=DAYS + 7, mean_per_day=DEMO_SIGNALS_PER_DAY)
    truth = {s.external_id: s.theme for s in signals}
    per_theme: dict[int, Counter[bool]] = defaultdict(Counter)
    rows = Feedback.objects.filter(organisation=organisation).values_list(
        "external_id", "assignment__theme"
    )
    for external_id, theme_id in rows:
        per_theme[theme_id][truth.get(external_id) == UPLOAD_THEME] += 1
    return {t for t, c in per_theme.items() if t is not None and c[True] > c[False]}


def test_the_portal_release_is_an_alert_on_web_and_phone_not_at_the_counter(monkeypatch):
    trained = []
    # Routing is covered in test_services_routing; here it would only add a minute of training.
    monkeypatch.setattr(
        demo_services, "routing_train", lambda *, organisation: trained.append(organisation)
    )

    organisation = demo_load(days=DAYS, today=TODAY).organisation

    assert trained == [organisation]
    assert Theme.objects.filter(organisation=organisation, retired=False).count() >= 10

    built_in = next(
        e for e in demo_events(demo_start(TODAY, DAYS)) if e.slug.startswith("release-mijn")
    )
    release = Event.objects.get(organisation=organisation, title=built_in.title_nl)
    assert (release.kind, release.date) == (Event.Kind.RELEASE, built_in.occurred_on)
    upload = _upload_themes(organisation)
    assert upload
    near = Alert.objects.filter(
        organisation=organisation,
        theme_id__in=upload,
        kind__in=[Alert.Kind.SPIKE, Alert.Kind.LEVEL_SHIFT],
        start__gte=release.date - timedelta(days=2),
        start__lte=release.date + timedelta(days=7),
    )
    channels = set(near.values_list("channel", flat=True))
    assert {"web_form", "phone"} <= channels
    assert "counter" not in channels
