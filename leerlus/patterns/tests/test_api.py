"""``/api/v1/themes``, ``/alerts`` and ``/events`` through the real HTTP interface."""

from datetime import timedelta

import pytest
from django.utils import timezone

from leerlus.organisations.models import AuditEntry
from leerlus.organisations.roles import Role
from leerlus.patterns.models import Alert, Event, Theme
from leerlus.patterns.tests.factories import (
    AlertFactory,
    EventFactory,
    ThemeFactory,
    daily_counts,
    signals_in,
    steady,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def themes(organisation, other_organisation):
    """Two themes of the organisation (one with another merged into it), one elsewhere."""
    upload = ThemeFactory.create(
        organisation=organisation, label="upload, bijlage", name="Uploaden"
    )
    bijlage = ThemeFactory.create(organisation=organisation, label="bijlage", merged_into=upload)
    passport = ThemeFactory.create(organisation=organisation, label="paspoort, afspraak")
    foreign = ThemeFactory.create(organisation=other_organisation, label="geheim")
    daily_counts(upload, steady(10, 2), channel="web_form")
    daily_counts(bijlage, steady(10, 1), channel="phone")
    daily_counts(passport, steady(10, 1), channel="counter")
    daily_counts(foreign, steady(10, 9), channel="phone")
    examples = signals_in(upload, ["Uploaden lukt niet."], channel="web_form")
    Theme.objects.filter(pk=upload.pk).update(example_ids=[examples[0].pk])
    upload.refresh_from_db()
    return upload, bijlage, passport, foreign


def _problem(response, status: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


# --- themes -------------------------------------------------------------------------------------


def test_themes_list_with_daily_series_and_splits(api_for, analyst, themes):
    upload, _bijlage, _passport, _ = themes

    response = api_for(analyst).get("/api/v1/themes?period=7")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    first = body["results"][0]
    assert (first["id"], first["name"], first["generatedLabel"]) == (
        upload.pk,
        "Uploaden",
        "upload, bijlage",
    )
    assert first["volume"] == 7 * 3  # with the theme merged into it
    assert len(first["series"]) == 7
    assert first["series"][-1] == {"date": timezone.localdate().isoformat(), "count": 3}
    assert first["channels"] == [{"key": "web_form", "count": 14}, {"key": "phone", "count": 7}]
    assert first["services"] == [{"key": None, "count": 21}]
    assert {"keyTerms", "pinned", "hidden", "firstSeen", "usual", "change", "rising"} <= set(first)


def test_themes_filter_by_channel(api_for, analyst, themes):
    body = api_for(analyst).get("/api/v1/themes?period=7&channel=counter").json()

    volumes = {row["generatedLabel"]: row["volume"] for row in body["results"]}
    assert volumes == {"upload, bijlage": 0, "paspoort, afspraak": 7}


def test_theme_detail_with_examples_and_the_merged_theme_counted(api_for, analyst, themes):
    upload = themes[0]

    body = api_for(analyst).get(f"/api/v1/themes/{upload.pk}?period=7").json()

    assert body["volume"] == 21
    assert len(body["examples"]) == 1
    assert body["examples"][0].startswith("LL-")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("period=0", "period"),
        ("period=abc", "period"),
        ("until=yesterday", "until"),
        ("channel=pigeon", "channel"),
        ("service=geheim", "service"),
        ("department=geheim", "department"),
        ("sort=random", "sort"),
    ],
)
def test_bad_theme_filters_are_problem_json_naming_the_parameter(
    api_for, analyst, themes, query, field
):
    body = _problem(api_for(analyst).get(f"/api/v1/themes?{query}"), 400)

    assert [p["name"] for p in body["invalidParams"]] == [field]


def test_another_organisations_theme_is_a_404_like_a_missing_one(api_for, analyst, themes):
    foreign = themes[3]

    _problem(api_for(analyst).get(f"/api/v1/themes/{foreign.pk}"), 404)
    _problem(api_for(analyst).get("/api/v1/themes/999999"), 404)
    listed = api_for(analyst).get("/api/v1/themes").json()["results"]
    assert foreign.pk not in {row["id"] for row in listed}


def test_themes_need_the_view_capability(api_for, make_user, themes):
    nobody = make_user(username="zonder-rol")

    _problem(api_for(nobody).get("/api/v1/themes"), 403)


# --- alerts -------------------------------------------------------------------------------------


@pytest.fixture
def alerts(themes):
    upload, _, passport, foreign = themes
    spike = AlertFactory.create(
        theme=upload, channel="web_form", example_ids=[upload.example_ids[0]]
    )
    new = AlertFactory.create(
        theme=passport,
        kind=Alert.Kind.NEW_THEME,
        channel="",
        start=timezone.localdate() - timedelta(days=3),
    )
    elsewhere = AlertFactory.create(theme=foreign)
    return spike, new, elsewhere


def test_alerts_list_and_filter(api_for, analyst, alerts):
    spike, new, _elsewhere = alerts
    client = api_for(analyst)

    body = client.get("/api/v1/alerts").json()
    assert [a["id"] for a in body["results"]] == [spike.pk, new.pk]
    first = body["results"][0]
    assert first["themeName"] == "Uploaden"
    assert first["examples"][0].startswith("LL-")
    assert first["status"] == "open"
    kinds = client.get("/api/v1/alerts?kind=new_theme").json()["results"]
    assert [a["id"] for a in kinds] == [new.pk]
    assert client.get("/api/v1/alerts?status=dismissed").json()["count"] == 0
    body = _problem(client.get("/api/v1/alerts?status=done&theme=x"), 400)
    assert {p["name"] for p in body["invalidParams"]} == {"status", "theme"}


def test_acknowledge_dismiss_and_assign_an_alert(api_for, analyst, make_user, alerts):
    spike = alerts[0]
    colleague = make_user(Role.ANALYST, username="collega")
    client = api_for(analyst)

    body = client.patch(
        f"/api/v1/alerts/{spike.pk}", {"status": "acknowledged"}, format="json"
    ).json()
    assert (body["status"], body["handledBy"]) == ("acknowledged", "analist")

    body = client.patch(
        f"/api/v1/alerts/{spike.pk}",
        {"status": "dismissed", "reason": "Bekend, opgelost", "assignedTo": "collega"},
        format="json",
    ).json()
    assert (body["status"], body["reason"], body["assignedTo"]) == (
        "dismissed",
        "Bekend, opgelost",
        colleague.username,
    )
    assert AuditEntry.objects.filter(action="alert.dismiss", object_id=str(spike.pk)).exists()
    assert AuditEntry.objects.filter(action="alert.assign", object_id=str(spike.pk)).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"status": "dismissed"}, "reason"),
        ({"status": "gone"}, "status"),
        ({"assignedTo": "niemand"}, "assignedTo"),
        ({}, "nonFieldErrors"),
    ],
)
def test_bad_alert_changes_are_problem_json(api_for, analyst, alerts, data, field):
    spike = alerts[0]

    body = _problem(api_for(analyst).patch(f"/api/v1/alerts/{spike.pk}", data, format="json"), 400)

    assert [p["name"] for p in body["invalidParams"]] == [field]
    spike.refresh_from_db()
    assert spike.status == Alert.Status.OPEN


def test_alerts_of_another_organisation_cannot_be_seen_or_changed(api_for, analyst, alerts):
    elsewhere = alerts[2]
    client = api_for(analyst)

    _problem(client.get(f"/api/v1/alerts/{elsewhere.pk}"), 404)
    _problem(
        client.patch(f"/api/v1/alerts/{elsewhere.pk}", {"status": "acknowledged"}, format="json"),
        404,
    )
    elsewhere.refresh_from_db()
    assert elsewhere.status == Alert.Status.OPEN


def test_handling_alerts_needs_the_curate_capability(api_for, make_user, alerts):
    front_office = make_user(Role.FRONT_OFFICE, username="balie")
    client = api_for(front_office)

    assert client.get(f"/api/v1/alerts/{alerts[0].pk}").status_code == 200
    _problem(
        client.patch(f"/api/v1/alerts/{alerts[0].pk}", {"status": "acknowledged"}, format="json"),
        403,
    )


# --- events -------------------------------------------------------------------------------------


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
    ],
)
def test_bad_events_are_problem_json_and_nothing_is_stored(
    api_for, analyst, other_organisation, data, field
):
    body = _problem(api_for(analyst).post("/api/v1/events", data, format="json"), 400)

    assert [p["name"] for p in body["invalidParams"]] == [field]
    assert not Event.objects.exists()


def test_events_are_scoped_and_editing_needs_the_capability(
    api_for, analyst, make_user, other_organisation
):
    own = EventFactory.create(organisation=analyst.organisation)
    foreign = EventFactory.create(organisation=other_organisation)
    front_office = make_user(Role.FRONT_OFFICE, username="balie")

    assert [e["id"] for e in api_for(analyst).get("/api/v1/events").json()["results"]] == [own.pk]
    _problem(api_for(analyst).get(f"/api/v1/events/{foreign.pk}"), 404)
    _problem(api_for(analyst).delete(f"/api/v1/events/{foreign.pk}"), 404)
    assert Event.objects.filter(pk=foreign.pk).exists()
    assert api_for(front_office).get(f"/api/v1/events/{own.pk}").status_code == 200
    _problem(api_for(front_office).patch(f"/api/v1/events/{own.pk}", {"title": "x"}), 403)
    _problem(
        api_for(front_office).post(
            "/api/v1/events", {"kind": "release", "title": "x", "date": "2026-01-01"}
        ),
        403,
    )


def test_the_schema_lists_the_pattern_endpoints(client):
    paths = client.get("/api/v1/schema?format=json").json()["paths"]

    assert {"/api/v1/themes", "/api/v1/themes/{id}", "/api/v1/alerts", "/api/v1/events"} <= set(
        paths
    )
