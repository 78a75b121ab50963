# SPDX-License-Identifier: EUPL-1.2
"""The analyst's pages on patterns over time in a real browser: the alerts inbox, the events
register with its before/after report and the monthly report with its PDF; axe-core clean,
keyboard usable."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from leerlus.feedback.services import SignalInput, feedback_create
from leerlus.organisations.tests.factories import PASSWORD
from leerlus.patterns.models import Alert, Event, Theme, ThemeAssignment
from leerlus.patterns.tests.factories import (
    AlertFactory,
    EventFactory,
    ThemeFactory,
    daily_counts,
    steady,
)

from .conftest import check_accessibility, log_in

RELEASE_DAYS_AGO = 30
HISTORY_DAYS = 120


def _before_after(before: int, after: int) -> dict[int, int]:
    """Per day: ``after`` since the release, ``before`` in the days before it."""
    return steady(RELEASE_DAYS_AGO, after) | steady(
        HISTORY_DAYS - RELEASE_DAYS_AGO, before, start=RELEASE_DAYS_AGO
    )


@pytest.fixture
def patterns(organisation) -> dict[str, object]:
    """A portal release that tripled upload problems on the website and the phone."""
    upload: Theme = ThemeFactory(organisation=organisation, name="Upload mislukt")
    parking: Theme = ThemeFactory(organisation=organisation, name="Parkeervergunning")
    waste: Theme = ThemeFactory(organisation=organisation, name="Afvalinzameling")
    daily_counts(upload, _before_after(2, 8), channel="phone")
    daily_counts(upload, _before_after(3, 9), channel="web_form")
    daily_counts(upload, steady(HISTORY_DAYS, 2), channel="counter")
    daily_counts(parking, steady(HISTORY_DAYS, 4), channel="web_form")
    daily_counts(waste, _before_after(4, 1), channel="counter")
    received = timezone.now() - timedelta(days=RELEASE_DAYS_AGO - 1)
    examples = [
        feedback_create(
            organisation=organisation,
            item=SignalInput(text=text, channel="phone", received_at=received),
        )
        for text in (
            "De upload van mijn pasfoto blijft hangen op 99 procent.",
            "Ik krijg een foutmelding bij het uploaden van de bijlage, bel 06-12345678.",
        )
    ]
    for signal in examples:
        ThemeAssignment.objects.create(feedback=signal, organisation=organisation, theme=upload)
    today = timezone.localdate()
    alert: Alert = AlertFactory(
        theme=upload,
        channel="phone",
        start=today - timedelta(days=RELEASE_DAYS_AGO),
        end=today - timedelta(days=RELEASE_DAYS_AGO - 6),
        observed=56,
        expected=14,
        score=12,
        example_ids=[s.pk for s in examples],
    )
    AlertFactory(
        theme=waste,
        kind=Alert.Kind.LEVEL_SHIFT,
        channel="counter",
        start=today - timedelta(days=20),
        observed=12,
        expected=28,
        score=4,
    )
    release: Event = EventFactory(
        organisation=organisation,
        title="Nieuw omgevingsloket live",
        date=today - timedelta(days=RELEASE_DAYS_AGO),
        description="Nieuwe uploadmodule voor bijlagen.",
    )
    EventFactory(
        organisation=organisation,
        kind=Event.Kind.CAMPAIGN,
        title="Campagne afval scheiden",
        date=today - timedelta(days=70),
    )
    return {"alert": alert, "release": release}


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until ``selector`` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def follow_with_keyboard(page, selector: str) -> None:
    """Tab to a link or button and press Enter; wait for the page it leads to."""
    tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_analyst_acknowledges_an_alert_with_the_keyboard(page, analyst, patterns):
    alert = patterns["alert"]
    log_in(page, "analist", PASSWORD)
    page.goto("/patterns/alerts/")
    check_accessibility(page, "patterns-alerts")

    follow_with_keyboard(page, f'a[href="/patterns/alerts/{alert.pk}"]')
    page.locator(".leerlus-chart__canvas canvas").first.wait_for()
    assert page.locator("main").inner_text().count("Upload mislukt") >= 2
    assert "foutmelding bij het uploaden" in page.locator("main").inner_text()
    assert "06-12345678" not in page.content()
    check_accessibility(page, "patterns-alert-detail")

    follow_with_keyboard(page, 'form[action$="/acknowledge"] button')

    alert.refresh_from_db()
    assert alert.status == Alert.Status.ACKNOWLEDGED
    assert page.locator(".leerlus-messages").is_visible()
    check_accessibility(page, "patterns-alert-acknowledged")


def test_dismissing_without_a_reason_shows_a_linked_error(page, analyst, patterns):
    alert = patterns["alert"]
    log_in(page, "analist", PASSWORD)
    page.goto(f"/patterns/alerts/{alert.pk}")

    with page.expect_navigation():
        page.click('form[action$="/dismiss"] button[type=submit]')

    summary = page.locator(".leerlus-error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('leerlus-error-summary')")
    summary.locator("a").first.click()
    assert page.evaluate("document.activeElement.name") == "dismiss-reason"
    check_accessibility(page, "patterns-alert-dismiss-error")
    alert.refresh_from_db()
    assert alert.status == Alert.Status.OPEN


def test_analyst_opens_the_before_after_report_of_a_release(page, analyst, patterns):
    release = patterns["release"]
    log_in(page, "analist", PASSWORD)
    page.goto("/patterns/events/")
    check_accessibility(page, "patterns-events")

    follow_with_keyboard(page, f'a[href="/patterns/events/{release.pk}"]')

    table = page.locator("main table")
    assert table.is_visible()
    rows = table.locator("tbody tr").all_inner_texts()
    assert any("Upload mislukt" in row for row in rows)
    assert not any("Parkeervergunning" in row for row in rows)
    check_accessibility(page, "patterns-event-detail")

    page.goto("/patterns/events/new")
    check_accessibility(page, "patterns-event-form")


def test_report_page_and_its_pdf_download(page, analyst, patterns):
    log_in(page, "analist", PASSWORD)
    page.goto("/patterns/report/")
    check_accessibility(page, "patterns-report")
    top = page.locator("#report-top ~ * tbody th").all_inner_texts()
    assert top[:2] == ["Upload mislukt", "Parkeervergunning"]

    with page.expect_download() as download:
        page.click('a[href*="/patterns/report/pdf"]')

    assert download.value.suggested_filename.endswith(".pdf")
    with open(download.value.path(), "rb") as pdf:
        reader = PdfReader(io.BytesIO(pdf.read()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Upload mislukt" in text
    assert "Parkeervergunning" in text


def test_report_and_alerts_pages_in_english(page, analyst, patterns):
    log_in(page, "analist", PASSWORD)
    page.goto("/patterns/report/")
    page.click("button[lang=en]")

    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text().startswith("Monthly pattern report")
    check_accessibility(page, "patterns-report-en")
    page.goto("/patterns/alerts/")
    check_accessibility(page, "patterns-alerts-en")
