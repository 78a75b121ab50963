# SPDX-License-Identifier: EUPL-1.2
"""The events register: list, record, change, delete and the before/after, through the real
HTTP interface."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from leerlus.organisations.models import AuditEntry
from leerlus.organisations.roles import Role
from leerlus.patterns.models import Event, Theme
from leerlus.patterns.tests.factories import EventFactory, ThemeFactory, add_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def upload(organisation) -> Theme:
    return ThemeFactory(organisation=organisation, name="Upload mislukt")


@pytest.mark.parametrize("path", ["/patterns/events/", "/patterns/events/new"])
def test_pages_ask_anonymous_visitors_to_log_in(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login")


def test_people_without_a_role_are_refused(client_for, make_user):
    response = client_for(make_user()).get("/patterns/events/")

    assert response.status_code == 403


def test_events_are_listed_filtered_and_searched(client_for, make_user, organisation):
    EventFactory(
        organisation=organisation,
        title="Nieuw portaal live",
        date=date(2026, 3, 2),
        description="Upload vernieuwd",
    )
    EventFactory(
        organisation=organisation,
        title="Campagne paspoort",
        date=date(2026, 1, 10),
        kind="campaign",
    )
    client = client_for(make_user(Role.FRONT_OFFICE))

    everything = client.get("/patterns/events/")
    campaigns = client.get("/patterns/events/", {"kind": "campaign"})
    searched = client.get("/patterns/events/", {"q": "upload"})
    period = client.get("/patterns/events/", {"dateFrom": "2026-02-01", "dateUntil": "2026-12-31"})

    assert everything.context["page"].paginator.count == 2
    assert [e.title for e in campaigns.context["page"]] == ["Campagne paspoort"]
    assert [e.title for e in searched.context["page"]] == ["Nieuw portaal live"]
    assert [e.title for e in period.context["page"]] == ["Nieuw portaal live"]
    assert "/patterns/events/new" not in everything.text  # front office may not record events


def test_an_analyst_records_changes_and_deletes_an_event(client_for, analyst, organisation):
    client = client_for(analyst)
    service = organisation.services.get()

    created = client.post(
        "/patterns/events/new",
        {
            "kind": "release",
            "title": "Portaal 2.0",
            "date": "2026-03-02",
            "service": service.pk,
            "description": "Nieuwe uploadmodule",
        },
    )
    event = Event.objects.get(organisation=organisation)
    changed = client.post(
        f"/patterns/events/{event.pk}/edit",
        {"kind": "release", "title": "Portaal 2.1", "date": "2026-03-03"},
    )
    confirm = client.get(f"/patterns/events/{event.pk}/delete")
    deleted = client.post(f"/patterns/events/{event.pk}/delete", follow=True)

    assert created.status_code == 302
    assert created["Location"] == f"/patterns/events/{event.pk}"
    assert changed.status_code == 302
    assert confirm.status_code == 200
    assert "Portaal 2.1" in confirm.text
    assert deleted.status_code == 200
    assert not Event.objects.filter(pk=event.pk).exists()
    assert list(
        AuditEntry.objects.filter(object_type="patterns.event")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["event.create", "event.update", "event.delete"]


def test_event_form_errors_are_linked_to_their_fields(client_for, analyst, organisation):
    response = client_for(analyst).post(
        "/patterns/events/new",
        {"kind": "release", "title": "", "date": "2026-03-02", "end_date": "2026-03-01"},
    )

    assert response.status_code == 400
    assert 'href="#id_title"' in response.text
    assert 'href="#id_end_date"' in response.text
    assert not Event.objects.exists()


def test_events_are_recorded_by_curators_only(client_for, make_user, organisation):
    event: Event = EventFactory(organisation=organisation, title="Release", date=date(2026, 3, 2))
    client = client_for(make_user(Role.FRONT_OFFICE))

    assert client.get("/patterns/events/new").status_code == 403
    assert client.post(f"/patterns/events/{event.pk}/delete").status_code == 403
    assert Event.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize("suffix", ["", "/edit", "/delete"])
def test_another_organisations_event_is_404(client_for, analyst, other_organisation, suffix):
    event: Event = EventFactory(
        organisation=other_organisation, title="Geheime release", date=date(2026, 3, 2)
    )

    response = client_for(analyst).get(f"/patterns/events/{event.pk}{suffix}")

    assert response.status_code == 404


def test_before_after_lists_the_series_that_changed_largest_first(
    client_for, analyst, organisation, upload
):
    quiet = ThemeFactory(organisation=organisation, name="Afval")
    release = timezone.localdate() - timedelta(days=30)
    first = release - timedelta(days=70)
    days = (timezone.localdate() - first).days
    before = 70
    add_counts(organisation, upload, "phone", first, [3] * before + [15] * (days - before))
    add_counts(organisation, upload, "counter", first, [4] * days)
    add_counts(organisation, quiet, "phone", first, [5] * days)
    event: Event = EventFactory(organisation=organisation, title="Portaal live", date=release)

    response = client_for(analyst).get(f"/patterns/events/{event.pk}")

    rows = response.context["changes"]
    assert rows, "the upload jump on the phone is found"
    keys = [(c.theme.title if c.theme else None, c.channel) for c, _ in rows]
    assert ("Upload mislukt", "phone") in keys
    assert ("Afval", "phone") not in keys
    assert ("Upload mislukt", "counter") not in keys
    ratios = [abs(c.ratio - 1) for c, _ in rows]
    assert all(
        c.direction == "up" for c, _ in rows if c.theme and c.theme.title == "Upload mislukt"
    )
    assert all(c.low > 1 for c, _ in rows if c.direction == "up")
    assert len(ratios) >= 1
    assert "Upload mislukt" in response.text


def test_before_after_says_not_enough_data_for_a_recent_event(client_for, analyst, organisation):
    event: Event = EventFactory(
        organisation=organisation,
        title="Gisteren live",
        date=timezone.localdate() - timedelta(days=1),
    )

    response = client_for(analyst).get(f"/patterns/events/{event.pk}")

    assert response.status_code == 200
    assert response.context["changes"] == []
    assert response.context["too_recent"] is True
