# SPDX-License-Identifier: EUPL-1.2
"""One filter definition for the signals list, its export and the API: the same query picks
the same signals everywhere, and a bad value is named."""

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from leerlus.feedback.services import SignalInput, feedback_create
from leerlus.organisations.models import Service
from leerlus.organisations.services import api_token_create
from leerlus.organisations.tests.factories import DepartmentFactory, ServiceFactory

pytestmark = pytest.mark.django_db

QUERY = {
    "department": "stadsbeheer",
    "channel": "phone",
    "receivedFrom": "2026-03-02",
    "receivedUntil": "2026-03-04",
}


@pytest.fixture
def signals(organisation):
    """Four signals of which only the first fits QUERY: each other one misses one condition."""
    street = DepartmentFactory(organisation=organisation, name="Stadsbeheer", slug="stadsbeheer")
    lights: Service = ServiceFactory(
        organisation=organisation, department=street, name="Verlichting", slug="verlichting"
    )
    passport = Service.objects.get(organisation=organisation, slug="paspoort")
    day = timezone.make_aware(datetime(2026, 3, 3, 10))
    made = {}
    rows: list[tuple[str, str, Service, datetime]] = [
        ("Lantaarnpaal brandt niet", "phone", lights, day),
        ("Lantaarnpaal knippert", "email", lights, day),
        ("Paspoort kwijt", "phone", passport, day),
        ("Lantaarnpaal scheef", "phone", lights, day + timedelta(days=5)),
    ]
    for text, channel, service, when in rows:
        item = SignalInput(text=text, channel=channel, service=service, received_at=when)
        made[text] = feedback_create(organisation=organisation, item=item).reference
    return made


def _api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user)}")
    return client


def test_the_same_query_picks_the_same_signals_on_the_page_in_the_export_and_in_the_api(
    client_for, analyst, signals
):
    page = client_for(analyst).get("/signals/", QUERY)
    export = client_for(analyst).get("/signals/export", {**QUERY, "format": "csv"})
    api = _api(analyst).get("/api/v1/feedback", QUERY).json()

    wanted = signals["Lantaarnpaal brandt niet"]
    shown = [row.reference for row in page.context["page"].object_list]
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    exported = [row["reference"] for row in csv.DictReader(io.StringIO(text))]
    assert shown == exported == [r["reference"] for r in api["results"]] == [wanted]
    everything = client_for(analyst).get("/signals/").context["page"].object_list
    assert len(everything) == 4


def test_bad_filters_are_named_by_the_api_and_on_the_page(client_for, analyst, signals):
    bad = {"channel": "fax", "receivedFrom": "gisteren", "service": "van-een-ander"}

    refused = _api(analyst).get("/api/v1/feedback", bad)
    page = client_for(analyst).get("/signals/", bad)

    assert refused.status_code == 400
    assert refused["Content-Type"] == "application/problem+json"
    assert {p["name"] for p in refused.json()["invalidParams"]} == set(bad)
    assert page.status_code == 200
    assert set(page.context["form"].errors) == set(bad)
    assert len(page.context["page"].object_list) == 4  # nothing hidden by a filter it refused


def test_dates_outside_1900_to_2999_are_named_by_the_api_and_on_the_page(
    client_for, analyst, signals
):
    """Year 1 and year 9999 are valid dates but overflow as the start or end of a day in
    Europe/Amsterdam (a 500 before)."""
    extremes = {"receivedFrom": "0001-01-01", "receivedUntil": "9999-12-31"}

    refused = _api(analyst).get("/api/v1/feedback", extremes)
    events = _api(analyst).get(
        "/api/v1/events", {"dateFrom": "0001-01-01", "dateUntil": "9999-12-31"}
    )
    page = client_for(analyst).get("/signals/", extremes)

    assert refused.status_code == events.status_code == 400
    params = {p["name"]: p["reason"] for p in refused.json()["invalidParams"]}
    assert set(params) == set(extremes)
    assert "1900-01-01" in params["receivedFrom"]
    assert "2999-12-31" in params["receivedUntil"]
    assert {p["name"] for p in events.json()["invalidParams"]} == {"dateFrom", "dateUntil"}
    assert page.status_code == 200
    assert set(page.context["form"].errors) == set(extremes)
    widest = {"receivedFrom": "1900-01-01", "receivedUntil": "2999-12-31"}
    assert _api(analyst).get("/api/v1/feedback", widest).json()["count"] == 4
