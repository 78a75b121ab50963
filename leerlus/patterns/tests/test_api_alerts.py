# SPDX-License-Identifier: EUPL-1.2
"""``/api/v1/alerts`` through the real HTTP interface."""

from datetime import timedelta

import pytest
from django.utils import timezone

from leerlus.organisations.models import AuditEntry
from leerlus.organisations.roles import Role
from leerlus.patterns.models import Alert
from leerlus.patterns.tests.factories import AlertFactory

from .api_calls import problem

pytestmark = pytest.mark.django_db


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
    body = problem(client.get("/api/v1/alerts?status=done&theme=x"), 400)
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

    body = problem(api_for(analyst).patch(f"/api/v1/alerts/{spike.pk}", data, format="json"), 400)

    assert [p["name"] for p in body["invalidParams"]] == [field]
    spike.refresh_from_db()
    assert spike.status == Alert.Status.OPEN


def test_alerts_of_another_organisation_cannot_be_seen_or_changed(api_for, analyst, alerts):
    elsewhere = alerts[2]
    client = api_for(analyst)

    problem(client.get(f"/api/v1/alerts/{elsewhere.pk}"), 404)
    problem(
        client.patch(f"/api/v1/alerts/{elsewhere.pk}", {"status": "acknowledged"}, format="json"),
        404,
    )
    elsewhere.refresh_from_db()
    assert elsewhere.status == Alert.Status.OPEN


def test_handling_alerts_needs_the_curate_capability(api_for, make_user, alerts):
    front_office = make_user(Role.FRONT_OFFICE, username="balie")
    client = api_for(front_office)

    assert client.get(f"/api/v1/alerts/{alerts[0].pk}").status_code == 200
    problem(
        client.patch(f"/api/v1/alerts/{alerts[0].pk}", {"status": "acknowledged"}, format="json"),
        403,
    )
