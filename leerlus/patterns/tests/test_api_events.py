# SPDX-License-Identifier: EUPL-1.2
"""``/api/v1/events`` through the real HTTP interface."""

import pytest
from django.utils import timezone

from leerlus.organisations.models import AuditEntry
from leerlus.organisations.roles import Role
from leerlus.patterns.models import Event
from leerlus.patterns.tests.factories import EventFactory

from .api_calls import problem

pytestmark = pytest.mark.django_db


def test_events_create_read_update_delete(api_for, analyst, organisation):
    client = api_for(analyst)
    today = timezone.localdate()

    created = client.post(
        "/api/v1/events",
        {
            "kind": "release",
            "title": "Portaal 2.0",
            "date": today.isoformat(),
            "service": "paspoort",
        },
        format="json",
    )
    assert created.status_code == 201
    event = created.json()
    assert (event["title"], event["service"], event["endDate"]) == ("Portaal 2.0", "paspoort", None)
    url = f"/api/v1/events/{event['id']}"
    assert client.get(url).json()["kind"] == "release"
    assert client.get("/api/v1/events?kind=release").json()["count"] == 1

    changed = client.patch(url, {"endDate": today.isoformat()}, format="json").json()
    assert changed["endDate"] == today.isoformat()
    replaced = client.put(
        url, {"kind": "campaign", "title": "Campagne", "date": today.isoformat()}, format="json"
    ).json()
    assert (replaced["kind"], replaced["title"], replaced["service"]) == (
        "campaign",
        "Campagne",
        None,
    )

    assert client.delete(url).status_code == 204
    assert not Event.objects.filter(pk=event["id"]).exists()
    actions = set(
        AuditEntry.objects.filter(
            object_type="patterns.event", object_id=str(event["id"])
        ).values_list("action", flat=True)
    )
    assert actions == {"event.create", "event.update", "event.delete"}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "party", "title": "x", "date": "2026-01-01"}, "kind"),
        ({"kind": "release", "title": "", "date": "2026-01-01"}, "title"),
        ({"kind": "release", "title": "x", "date": "1 januari"}, "date"),
        (
            {"kind": "release", "title": "x", "date": "2026-01-02", "endDate": "2026-01-01"},
            "endDate",
        ),
        ({"kind": "release", "title": "x", "date": "2026-01-01", "service": "geheim"}, "service"),
        # The page's form refuses these days (leerlus.core.filters.FIRST_DAY, LAST_DAY).
        ({"kind": "release", "title": "x", "date": "9999-12-31"}, "date"),
        ({"kind": "release", "title": "x", "date": "0001-01-01"}, "date"),
        (
            {"kind": "release", "title": "x", "date": "2026-01-01", "endDate": "3000-01-01"},
            "endDate",
        ),
    ],
)
def test_bad_events_are_problem_json_and_nothing_is_stored(
    api_for, analyst, other_organisation, data, field
):
    body = problem(api_for(analyst).post("/api/v1/events", data, format="json"), 400)

    assert [p["name"] for p in body["invalidParams"]] == [field]
    assert not Event.objects.exists()


def test_events_are_scoped_and_editing_needs_the_capability(
    api_for, analyst, make_user, other_organisation
):
    own = EventFactory.create(organisation=analyst.organisation)
    foreign = EventFactory.create(organisation=other_organisation)
    front_office = make_user(Role.FRONT_OFFICE, username="balie")

    assert [e["id"] for e in api_for(analyst).get("/api/v1/events").json()["results"]] == [own.pk]
    problem(api_for(analyst).get(f"/api/v1/events/{foreign.pk}"), 404)
    problem(api_for(analyst).delete(f"/api/v1/events/{foreign.pk}"), 404)
    assert Event.objects.filter(pk=foreign.pk).exists()
    assert api_for(front_office).get(f"/api/v1/events/{own.pk}").status_code == 200
    problem(api_for(front_office).patch(f"/api/v1/events/{own.pk}", {"title": "x"}), 403)
    problem(
        api_for(front_office).post(
            "/api/v1/events", {"kind": "release", "title": "x", "date": "2026-01-01"}
        ),
        403,
    )
