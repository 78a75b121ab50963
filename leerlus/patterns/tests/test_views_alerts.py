# SPDX-License-Identifier: EUPL-1.2
"""Alerts inbox, one alert and handling it, and the digest subscription, through the real HTTP
interface."""

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from leerlus.feedback.services import SignalInput, feedback_create
from leerlus.organisations.models import AuditEntry
from leerlus.organisations.roles import Role
from leerlus.patterns.models import Alert, AlertSubscription, Theme
from leerlus.patterns.tests.factories import AlertFactory, ThemeFactory, add_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def upload(organisation) -> Theme:
    return ThemeFactory(organisation=organisation, name="Upload mislukt")


@pytest.fixture
def alert(organisation, upload) -> Alert:
    return AlertFactory(theme=upload)


@pytest.fixture
def foreign_alert(other_organisation) -> Alert:
    return AlertFactory(theme=ThemeFactory(organisation=other_organisation, name="Geheim thema"))


# ---- Permissions and tenant isolation ------------------------------------------------------


@pytest.mark.parametrize("path", ["/patterns/alerts/", "/patterns/alerts/1"])
def test_pages_ask_anonymous_visitors_to_log_in(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login")


def test_people_without_a_role_are_refused(client_for, make_user):
    response = client_for(make_user()).get("/patterns/alerts/")

    assert response.status_code == 403


@pytest.mark.parametrize("role", [Role.FRONT_OFFICE, Role.CIO, Role.TEAM_MEMBER])
def test_readers_see_alerts_but_may_not_act_on_them(client_for, make_user, alert, role):
    client = client_for(make_user(role))

    page = client.get(f"/patterns/alerts/{alert.pk}")
    refused = client.post(f"/patterns/alerts/{alert.pk}/acknowledge")

    assert page.status_code == 200
    assert "Upload mislukt" in page.text
    assert f"/patterns/alerts/{alert.pk}/acknowledge" not in page.text
    assert refused.status_code == 403
    alert.refresh_from_db()
    assert alert.status == Alert.Status.OPEN


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("get", ""),
        ("post", "/acknowledge"),
        ("post", "/dismiss"),
        ("post", "/reopen"),
        ("post", "/assign"),
    ],
)
def test_another_organisations_alert_is_404(client_for, analyst, foreign_alert, method, suffix):
    client = client_for(analyst)

    response = getattr(client, method)(
        f"/patterns/alerts/{foreign_alert.pk}{suffix}", {"dismiss-reason": "x"}
    )

    assert response.status_code == 404
    foreign_alert.refresh_from_db()
    assert foreign_alert.status == Alert.Status.OPEN


def test_another_organisations_alerts_are_not_listed(client_for, analyst, alert, foreign_alert):
    response = client_for(analyst).get("/patterns/alerts/")

    assert "Upload mislukt" in response.text
    assert "Geheim thema" not in response.text


# ---- Inbox ---------------------------------------------------------------------------------


def test_inbox_shows_open_alerts_by_default_with_their_evidence_numbers(
    client_for, analyst, organisation, upload
):
    AlertFactory(theme=upload, observed=42, expected=12)
    AlertFactory(
        theme=ThemeFactory(organisation=organisation, name="Al bekeken"),
        status=Alert.Status.ACKNOWLEDGED,
    )

    response = client_for(analyst).get("/patterns/alerts/")

    assert response.status_code == 200
    assert "Upload mislukt" in response.text
    assert "42 vs 12.0" in response.text or "42 vs 12,0" in response.text
    assert "\N{MULTIPLICATION SIGN}3" in response.text
    assert [a.theme.title for a in response.context["page"]] == ["Upload mislukt"]


def test_inbox_filters_by_status_kind_channel_and_theme(client_for, analyst, organisation, upload):
    other: Theme = ThemeFactory(organisation=organisation, name="Parkeren")
    AlertFactory(theme=upload, channel="phone")
    AlertFactory(theme=other, kind=Alert.Kind.LEVEL_SHIFT, channel="web_form")
    AlertFactory(theme=other, status=Alert.Status.DISMISSED, start=date(2025, 1, 6))
    client = client_for(analyst)

    by_kind = client.get("/patterns/alerts/", {"kind": "level_shift"})
    by_channel = client.get("/patterns/alerts/", {"channel": "phone"})
    by_theme = client.get("/patterns/alerts/", {"theme": other.pk, "status": "all"})
    dismissed = client.get("/patterns/alerts/", {"status": "dismissed"})

    def titles(response):
        return [a.theme.title for a in response.context["page"]]

    assert titles(by_kind) == ["Parkeren"]
    assert titles(by_channel) == ["Upload mislukt"]
    assert by_theme.context["page"].paginator.count == 2
    assert dismissed.context["page"].paginator.count == 1


def test_inbox_sorts_and_paginates(client_for, analyst, organisation, upload):
    first = timezone.localdate() - timedelta(days=60)
    for i in range(30):
        AlertFactory(theme=upload, start=first + timedelta(days=2 * i), score=float(i % 7))

    newest = client_for(analyst).get("/patterns/alerts/", {"sort": "newest"})
    oldest = client_for(analyst).get("/patterns/alerts/", {"sort": "oldest", "page": 2})

    assert newest.context["page"].object_list[0].start == first + timedelta(days=58)
    assert len(newest.context["page"].object_list) == 25
    assert oldest.context["page"].object_list[0].start == first + timedelta(days=50)


def test_empty_inbox_says_nothing_needs_attention(client_for, analyst):
    response = client_for(analyst).get("/patterns/alerts/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.context["page"].paginator.count == 0
    assert "No open alerts: nothing unusual needs your attention." in response.text
    assert "<table" not in response.text


# ---- Detail and actions --------------------------------------------------------------------


def test_detail_shows_the_series_around_the_alert_and_redacted_examples(
    client_for, analyst, organisation, other_organisation, upload
):
    start = timezone.localdate() - timedelta(days=10)
    add_counts(organisation, upload, "phone", start - timedelta(days=20), [2] * 20 + [9, 11])
    add_counts(organisation, upload, "counter", start, [50])  # another channel: not this series
    signal = feedback_create(
        organisation=organisation,
        item=SignalInput(
            text="Upload van pasfoto faalt, bel mij op 06-12345678",
            channel="phone",
            received_at=timezone.now(),
        ),
    )
    foreign = feedback_create(
        organisation=other_organisation,
        item=SignalInput(text="Geheime klacht", channel="phone", received_at=timezone.now()),
    )
    alert: Alert = AlertFactory(
        theme=upload,
        start=start,
        end=start + timedelta(days=1),
        observed=20,
        expected=4,
        example_ids=[signal.pk, foreign.pk],
    )

    response = client_for(analyst).get(f"/patterns/alerts/{alert.pk}")

    chart = json.loads(
        response.text.split('id="alert-chart-data" type="application/json">')[1].split("<")[0]
    )
    counts = dict(zip(chart["days"], chart["series"][0]["values"], strict=True))
    assert counts[start.isoformat()] == 9
    assert counts[(start + timedelta(days=1)).isoformat()] == 11
    assert counts[(start - timedelta(days=1)).isoformat()] == 2
    assert chart["series"][1]["values"][chart["days"].index(start.isoformat())] == 2.0
    assert "06-12345678" not in response.text
    assert "Upload van pasfoto faalt" in response.text
    assert "Geheime klacht" not in response.text
    assert "<table" in response.text  # the chart's data table


def test_acknowledging_an_alert_is_recorded_and_confirmed(client_for, analyst, alert):
    client = client_for(analyst)
    page = client.get(f"/patterns/alerts/{alert.pk}")
    response = client.post(f"/patterns/alerts/{alert.pk}/acknowledge", follow=True)

    for action in ("acknowledge", "dismiss", "assign"):
        assert f'action="/patterns/alerts/{alert.pk}/{action}"' in page.text

    alert.refresh_from_db()
    assert alert.status == Alert.Status.ACKNOWLEDGED
    assert alert.handled_by == analyst
    assert AuditEntry.objects.filter(
        action="alert.acknowledge", actor=analyst, object_id=str(alert.pk)
    ).exists()
    assert [str(m) for m in response.context["messages"]]


def test_actions_only_answer_post(client_for, analyst, alert):
    response = client_for(analyst).get(f"/patterns/alerts/{alert.pk}/acknowledge")

    assert response.status_code == 405


def test_dismissing_needs_a_reason_shown_at_the_field(client_for, analyst, alert):
    client = client_for(analyst)

    refused = client.post(f"/patterns/alerts/{alert.pk}/dismiss", {"dismiss-reason": "  "})
    accepted = client.post(
        f"/patterns/alerts/{alert.pk}/dismiss",
        {"dismiss-reason": "Storing bij de leverancier, al opgelost"},
    )

    assert refused.status_code == 400
    assert 'href="#id_dismiss-reason"' in refused.text
    assert 'id="id_dismiss-reason-error"' in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert accepted.status_code == 302
    alert.refresh_from_db()
    assert alert.status == Alert.Status.DISMISSED
    assert alert.dismiss_reason == "Storing bij de leverancier, al opgelost"
    assert AuditEntry.objects.filter(action="alert.dismiss", object_id=str(alert.pk)).count() == 1


def test_a_handled_alert_can_be_reopened(client_for, analyst, alert):
    alert.status = Alert.Status.DISMISSED
    alert.dismiss_reason = "ruis"
    alert.save()

    client_for(analyst).post(f"/patterns/alerts/{alert.pk}/reopen")

    alert.refresh_from_db()
    assert (alert.status, alert.dismiss_reason) == (Alert.Status.OPEN, "")
    assert AuditEntry.objects.filter(action="alert.reopen", object_id=str(alert.pk)).exists()


def test_alerts_are_assigned_to_colleagues_only(
    client_for, analyst, make_user, other_organisation, alert
):
    colleague = make_user(Role.ANALYST, username="collega", first_name="Cor", last_name="Bak")
    stranger = make_user(Role.ANALYST, username="vreemde", org=other_organisation)
    client = client_for(analyst)

    refused = client.post(
        f"/patterns/alerts/{alert.pk}/assign", {"assign-assigned_to": stranger.pk}
    )
    assigned = client.post(
        f"/patterns/alerts/{alert.pk}/assign", {"assign-assigned_to": colleague.pk}, follow=True
    )

    assert refused.status_code == 400
    assert 'href="#id_assign-assigned_to"' in refused.text
    alert.refresh_from_db()
    assert alert.assigned_to == colleague
    assert "Cor Bak" in assigned.text
    assert AuditEntry.objects.filter(action="alert.assign", object_id=str(alert.pk)).count() == 1

    client.post(f"/patterns/alerts/{alert.pk}/assign", {"assign-assigned_to": ""})

    alert.refresh_from_db()
    assert alert.assigned_to is None


def test_subscribing_to_the_digest_and_stopping_it(client_for, make_user):
    reader = make_user(Role.FRONT_OFFICE, email="lezer@example.org")
    client = client_for(reader)

    client.post("/patterns/alerts/subscription", {"subscribe": "1"}, HTTP_ACCEPT_LANGUAGE="en")
    subscription = AlertSubscription.objects.get(user=reader)
    page = client.get("/patterns/alerts/")
    client.post("/patterns/alerts/subscription", {"subscribe": "0"})

    assert subscription.sent_up_to is not None
    assert 'name="subscribe" value="0"' in page.text
    assert not AlertSubscription.objects.filter(user=reader).exists()
    assert list(
        AuditEntry.objects.filter(actor=reader, action__startswith="alert_subscription")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["alert_subscription.create", "alert_subscription.delete"]


def test_subscribing_without_an_e_mail_address_explains_why_not(client_for, make_user):
    reader = make_user(Role.FRONT_OFFICE, email="")

    response = client_for(reader).post(
        "/patterns/alerts/subscription", {"subscribe": "1"}, follow=True
    )

    assert not AlertSubscription.objects.filter(user=reader).exists()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
