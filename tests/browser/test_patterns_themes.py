# SPDX-License-Identifier: EUPL-1.2
"""The analyst's theme pages in a real browser: the overview, a rising theme's timeline with
its release event, merging two themes and undoing it, keyboard-only curation, the progress of
a discovery and the quick-entry suggestions; every page axe-core clean."""

from datetime import timedelta

import pytest
from django.utils import timezone

from leerlus.organisations.roles import Role
from leerlus.organisations.tests.factories import PASSWORD
from leerlus.patterns.models import CurationAction, DiscoveryRun, Event, Theme
from leerlus.patterns.tests.factories import (
    AlertFactory,
    EventFactory,
    ThemeFactory,
    daily_counts,
    signals_in,
    steady,
    topic_signals,
)
from leerlus.patterns.tests.signals import discover

from .conftest import check_accessibility, log_in

RELEASE_DAYS_AGO = 12
HISTORY_DAYS = 200


def _release_effect(before: int, after: int) -> dict[int, int]:
    """Per day: ``after`` since the release, ``before`` in the days before it, with a weekly
    rhythm so the lines look like real counts."""
    return {
        ago: (after if ago < RELEASE_DAYS_AGO else before) + (ago % 7 == 3) - 2 * (ago % 7 == 5)
        for ago in range(HISTORY_DAYS)
    }


@pytest.fixture
def themes(organisation) -> dict[str, Theme]:
    """A portal release that tripled upload problems on the website and the phone."""
    today = timezone.localdate()
    upload = ThemeFactory.create(
        organisation=organisation,
        label="upload, pasfoto, portaal",
        key_terms=["upload", "pasfoto", "portaal", "foutmelding", "bijlage"],
        first_seen=today - timedelta(days=300),
    )
    login = ThemeFactory.create(
        organisation=organisation,
        label="inloggen, digid, portaal",
        key_terms=["inloggen", "digid", "portaal", "upload"],
        first_seen=today - timedelta(days=300),
    )
    waste = ThemeFactory.create(
        organisation=organisation,
        name="Afvalinzameling",
        label="container, geleegd, afval",
        key_terms=["container", "geleegd", "afval"],
        first_seen=today - timedelta(days=300),
    )
    bins = ThemeFactory.create(
        organisation=organisation,
        label="kliko, ophalen, gft",
        key_terms=["kliko", "ophalen", "gft"],
        first_seen=today - timedelta(days=300),
    )
    parking = ThemeFactory.create(
        organisation=organisation,
        label="parkeervergunning, bezoekers",
        key_terms=["parkeervergunning", "bezoekers", "kenteken"],
        first_seen=today - timedelta(days=5),
    )
    daily_counts(upload, _release_effect(3, 9), channel="web_form")
    daily_counts(upload, _release_effect(2, 7), channel="phone")
    daily_counts(upload, _release_effect(2, 2), channel="counter")
    daily_counts(login, _release_effect(2, 3), channel="web_form")
    daily_counts(waste, _release_effect(4, 4), channel="counter")
    daily_counts(waste, steady(HISTORY_DAYS, 1), channel="phone")
    daily_counts(bins, _release_effect(2, 2), channel="phone")
    daily_counts(parking, steady(5, 3), channel="email")
    examples = signals_in(
        upload,
        [
            "De upload van mijn pasfoto blijft hangen op 99 procent.",
            "Ik krijg een foutmelding bij het uploaden van de bijlage in het nieuwe portaal.",
        ],
        channel="web_form",
        days_ago=3,
    )
    upload.example_ids = [str(s.pk) for s in examples]
    upload.save()
    signals_in(waste, ["De container in de Dorpsstraat is weer niet geleegd."], channel="counter")
    signals_in(bins, ["De gft-kliko is vergeten, wanneer komt de wagen terug?"])
    EventFactory.create(
        organisation=organisation,
        kind=Event.Kind.RELEASE,
        title="Nieuw portaal live",
        date=today - timedelta(days=RELEASE_DAYS_AGO),
    )
    AlertFactory.create(
        theme=upload,
        channel="phone",
        start=today - timedelta(days=RELEASE_DAYS_AGO),
        end=today - timedelta(days=RELEASE_DAYS_AGO - 6),
        observed=49,
        expected=14,
    )
    return {"upload": upload, "login": login, "waste": waste, "bins": bins, "parking": parking}


def _tab_to(page, selector: str, limit: int = 250) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def test_analyst_opens_a_rising_theme_and_sees_the_release_on_its_timeline(page, analyst, themes):
    log_in(page, "analist", PASSWORD)
    page.click("nav a[href='/patterns/themes/']")
    page.wait_for_url("**/patterns/themes/")

    rising = page.locator("tbody tr", has=page.locator(".leerlus-badge--rising"))
    assert "upload, pasfoto, portaal" in rising.first.inner_text()
    assert page.locator(".leerlus-badge--new").count() == 1
    assert page.locator("svg.leerlus-sparkline__chart").count() == 5
    check_accessibility(page, "themes-overview")

    rising.first.locator("a").first.click()
    page.wait_for_selector(".leerlus-chart__canvas canvas")

    chart = page.locator("[data-leerlus-chart]")
    assert chart.get_attribute("data-leerlus-chart-markers") == "1"
    assert page.locator(".u-legend").inner_text().count("Web") >= 1
    assert "Nieuw portaal live" in page.locator(".leerlus-theme-events").inner_text()
    assert page.locator(".leerlus-chart__canvas").get_attribute("aria-hidden") == "true"
    page.locator(".leerlus-theme-events__changes").first.scroll_into_view_if_needed()
    page.locator(".leerlus-theme-events__changes li").first.wait_for()  # loaded when seen
    check_accessibility(page, "theme-detail")

    page.click(".leerlus-disclosure summary")
    assert page.locator("details table tbody tr").count() == 91
    check_accessibility(page, "theme-detail-table")


def test_analyst_merges_two_themes_and_undoes_it(page, analyst, themes):
    waste, bins = themes["waste"], themes["bins"]
    log_in(page, "analist", PASSWORD)
    page.goto(f"/patterns/themes/{waste.pk}/")
    page.on("dialog", lambda dialog: dialog.accept())

    page.get_by_label("kliko, ophalen, gft").check()
    with page.expect_navigation():
        page.click("#curation form[action$='/merge/'] button")

    bins.refresh_from_db()
    assert bins.merged_into_id == waste.pk
    done = page.locator(".leerlus-curation-done")
    assert "kliko, ophalen, gft" in done.inner_text()
    check_accessibility(page, "theme-merged")
    page.goto("/patterns/themes/")
    assert "kliko, ophalen, gft" not in page.locator("main table").inner_text()

    page.goto(f"/patterns/themes/{waste.pk}/")
    history = page.locator(".leerlus-curation-history")
    with page.expect_navigation():
        history.locator("form[action$='/undo/'] button").first.click()

    bins.refresh_from_db()
    assert bins.merged_into_id is None
    assert page.locator(".leerlus-messages .leerlus-message--success").count() == 1
    assert history.locator("form[action$='/undo/']").count() == 0
    check_accessibility(page, "theme-merge-undone")


def test_curation_works_with_the_keyboard_alone(page, analyst, themes):
    upload = themes["upload"]
    log_in(page, "analist", PASSWORD)
    page.goto(f"/patterns/themes/{upload.pk}/")

    _tab_to(page, "input[name=name]")
    page.keyboard.press("Control+A")
    page.keyboard.type("Upload mislukt")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    upload.refresh_from_db()
    assert upload.name == "Upload mislukt"
    assert page.locator("h1").inner_text().startswith("Upload mislukt")
    _tab_to(page, ".leerlus-curation-done button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    upload.refresh_from_db()
    assert upload.name == ""

    page.on("dialog", lambda dialog: dialog.accept())
    _tab_to(page, "#curation form[action$='/pin/'] button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    _tab_to(page, "#curation input[name=others]")
    page.keyboard.press("Space")
    _tab_to(page, "#curation form[action$='/merge/'] button")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert outline != "none"  # the focus can be seen
    upload.refresh_from_db()
    assert upload.pinned
    assert CurationAction.objects.filter(kind="merge", theme=upload).count() == 1
    check_accessibility(page, "theme-curated-by-keyboard")


def test_empty_overview_shows_the_discovery_progress_until_done(page, analyst, organisation):
    log_in(page, "analist", PASSWORD)
    page.goto("/patterns/themes/")
    assert page.locator("#theme-discovery form button").count() == 1
    check_accessibility(page, "themes-empty")

    run = DiscoveryRun.objects.create(
        organisation=organisation,
        status=DiscoveryRun.Status.RUNNING,
        percent=40,
        progress="Thema's zoeken in 1.200 signalen",
    )
    page.goto("/patterns/themes/")
    assert page.locator("#theme-discovery progress").get_attribute("value") == "40"
    check_accessibility(page, "themes-discovery-running")

    run.status, run.percent, run.themes, run.items = DiscoveryRun.Status.DONE, 100, 12, 1200
    run.save()
    page.locator("#theme-discovery h2[data-leerlus-focus]").wait_for()

    assert page.evaluate("document.activeElement.id") == "theme-discovery-title"
    assert "12" in page.locator("#theme-discovery").inner_text()
    check_accessibility(page, "themes-discovery-done")


def test_quick_entry_shows_matching_themes_while_typing(page, make_user, organisation):
    topic_signals(organisation)
    discover(organisation)
    make_user(Role.FRONT_OFFICE, username="kcc")
    log_in(page, "kcc", PASSWORD)
    page.goto("/signals/quick")

    page.keyboard.type("De upload van mijn pasfoto lukt niet")
    suggestion = page.locator("#theme-suggestions li").first
    suggestion.wait_for()

    assert page.evaluate("document.activeElement.name") == "text"
    assert "upload" in suggestion.inner_text() or "pasfoto" in suggestion.inner_text()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#theme-suggestions') !== null")
    check_accessibility(page, "quick-entry-suggestions")
