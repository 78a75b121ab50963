# SPDX-License-Identifier: EUPL-1.2
"""A confidential signal's text is shown only to people with ``view_confidential_feedback``:
on the theme page, the alert page, the monthly report (page and PDF) and in the API's themes
and alerts, and only they may move it to another theme. Counts include it for everyone.

Every check runs for an analyst (without the capability) and an administrator (with it) on
the same set-up, and the ordinary signal beside the confidential one must be shown to both:
a page that showed no signals at all cannot pass the analyst's check.
"""

import io
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from leerlus.feedback.models import Feedback
from leerlus.organisations.models import User
from leerlus.organisations.roles import Role
from leerlus.patterns.models import Alert, CurationAction, Theme, ThemeAssignment

from .factories import AlertFactory, ThemeFactory, daily_counts, signals_in
from .report_data import MONTH

pytestmark = pytest.mark.django_db

ORDINARY = "Gewone melding: de upload van mijn pasfoto lukt niet"
CONFIDENTIAL = "Vertrouwelijke melding over de behandeling door een medewerker"
VIEWERS = [("analyst", False), ("administrator", True)]


@dataclass(frozen=True)
class Shown:
    theme: Theme
    other: Theme
    alert: Alert
    ordinary: Feedback
    confidential: Feedback


@pytest.fixture
def shown(organisation) -> Shown:
    """A theme whose representative examples, recent signals, alert evidence and report
    month hold one ordinary and one confidential signal."""
    theme = ThemeFactory.create(organisation=organisation, name="Upload pasfoto")
    other = ThemeFactory.create(organisation=organisation, name="Afval")
    day = MONTH + timedelta(days=5)
    days_ago = (timezone.localdate() - day).days
    ordinary, confidential = signals_in(theme, [ORDINARY, CONFIDENTIAL], days_ago=days_ago)
    Feedback.objects.filter(pk=confidential.pk).update(confidential=True)
    ThemeAssignment.objects.filter(feedback=confidential).update(similarity=0.99)
    ThemeAssignment.objects.filter(feedback=ordinary).update(similarity=0.9)
    daily_counts(theme, {days_ago: 2})
    Theme.objects.filter(pk=theme.pk).update(example_ids=[confidential.pk, ordinary.pk])
    theme.refresh_from_db()
    alert = AlertFactory.create(
        theme=theme, start=day, end=day, example_ids=[confidential.pk, ordinary.pk]
    )
    return Shown(theme, other, alert, ordinary, confidential)


def _viewer(request, name: str) -> User:
    person: User = request.getfixturevalue(name)
    return person


def _check(text: str, may_see: bool) -> None:
    assert ORDINARY in text  # signals are shown here at all
    assert (CONFIDENTIAL in text) is may_see


@pytest.mark.parametrize(("name", "may_see"), VIEWERS)
def test_the_theme_page(request, client_for, shown, name, may_see):
    page = client_for(_viewer(request, name)).get(f"/patterns/themes/{shown.theme.pk}/")

    assert page.status_code == 200
    _check(page.text, may_see)
    assert page.context["detail"].row.volume == 2  # counted for everyone


@pytest.mark.parametrize(("name", "may_see"), VIEWERS)
def test_the_alert_page(request, client_for, shown, name, may_see):
    page = client_for(_viewer(request, name)).get(f"/patterns/alerts/{shown.alert.pk}")

    assert page.status_code == 200
    _check(page.text, may_see)


@pytest.mark.parametrize(("name", "may_see"), VIEWERS)
def test_the_monthly_report_and_its_pdf(request, client_for, shown, name, may_see):
    client = client_for(_viewer(request, name))
    month = {"month": MONTH.strftime("%Y-%m")}

    page = client.get("/patterns/report/", month)
    pdf = client.get("/patterns/report/pdf", month)

    assert page.status_code == pdf.status_code == 200
    _check(page.text, may_see)
    reader = PdfReader(io.BytesIO(pdf.content))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    _check(text, may_see)


@pytest.mark.parametrize(("name", "may_see"), VIEWERS)
def test_the_api_theme_examples(request, api_for, shown, name, may_see):
    body = api_for(_viewer(request, name)).get(f"/api/v1/themes/{shown.theme.pk}?period=91").json()

    assert shown.ordinary.reference in body["examples"]
    assert (shown.confidential.reference in body["examples"]) is may_see
    assert body["volume"] == 2


@pytest.mark.parametrize(("name", "may_see"), VIEWERS)
def test_the_api_alert_examples(request, api_for, shown, name, may_see):
    client = api_for(_viewer(request, name))

    listed = client.get("/api/v1/alerts").json()["results"][0]["examples"]
    one = client.get(f"/api/v1/alerts/{shown.alert.pk}").json()["examples"]

    for examples in (listed, one):
        assert shown.ordinary.reference in examples
        assert (shown.confidential.reference in examples) is may_see


@pytest.mark.parametrize(
    ("roles", "may_see"), [((Role.ANALYST,), False), ((Role.ANALYST, Role.ADMINISTRATOR), True)]
)
def test_only_who_may_see_a_confidential_signal_moves_it(
    client_for, make_user, shown, roles, may_see
):
    client = client_for(make_user(*roles))
    move = f"/patterns/themes/{shown.theme.pk}/move/"

    client.post(move, {"feedback": shown.ordinary.pk, "theme": shown.other.pk})
    client.post(move, {"feedback": shown.confidential.pk, "theme": shown.other.pk})

    moved = set(
        ThemeAssignment.objects.filter(theme=shown.other).values_list("feedback_id", flat=True)
    )
    assert shown.ordinary.pk in moved
    assert (shown.confidential.pk in moved) is may_see
    assert CurationAction.objects.filter(kind=CurationAction.Kind.MOVE).count() == 1 + may_see
