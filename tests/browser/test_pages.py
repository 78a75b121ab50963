# SPDX-License-Identifier: EUPL-1.2
"""Every page that exists, in a real browser: axe-core clean, keyboard usable, both languages."""

import pytest
from django.utils import timezone

from leerlus.feedback.models import Feedback
from leerlus.feedback.services import ContactInput, SignalInput, feedback_create
from leerlus.organisations.roles import Role
from leerlus.organisations.tests.factories import PASSWORD

from .conftest import check_accessibility, log_in

ANONYMOUS_PAGES = [
    ("home-anonymous", "/"),
    ("feedback-form", "/feedback/eendorp"),
    ("we-did", "/feedback/eendorp/we-did"),
    ("login", "/accounts/login"),
    ("api-docs", "/api/v1/docs"),
    ("not-found", "/this-page-does-not-exist"),
]


@pytest.mark.parametrize(("name", "path"), ANONYMOUS_PAGES)
def test_public_pages_are_accessible(page, organisation, name, path):
    page.goto(path)

    check_accessibility(page, name)


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("home-administrator", "/"),
        ("organisation", "/organisation/"),
        ("people", "/organisation/people"),
        ("audit-log", "/organisation/audit-log"),
        ("my-account", "/accounts/security"),
        ("signals", "/signals/"),
        ("signal-detail", "/signals/{reference}"),
        ("quick-entry", "/signals/quick"),
        ("imports", "/signals/imports/"),
    ],
)
def test_staff_pages_are_accessible(page, make_user, organisation, name, path):
    make_user(Role.ADMINISTRATOR, Role.ANALYST, username="beheerder", first_name="Bram")
    signal = feedback_create(
        organisation=organisation,
        item=SignalInput(
            text="Mijn naam is Jan de Vries, bel 06-12345678: de upload van mijn pasfoto faalt.",
            channel="phone",
            received_at=timezone.now(),
            contact=ContactInput(name="Jan de Vries", phone="0612345678", consent=True),
        ),
    )
    path = path.format(reference=signal.reference)
    log_in(page, "beheerder", PASSWORD)

    page.goto(path)

    assert page.locator("h1").count() == 1
    check_accessibility(page, name)


def test_pages_are_accessible_in_english(page, make_user):
    make_user(Role.ANALYST, username="analist")
    log_in(page, "analist", PASSWORD)

    page.click("button[lang=en]")

    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text().startswith("Welcome")
    check_accessibility(page, "home-analyst-en")


def test_failed_login_shows_an_error_summary_linked_to_the_form(page, make_user):
    make_user(Role.ANALYST, username="analist")

    log_in(page, "analist", "definitely-wrong")

    summary = page.locator(".leerlus-error-summary")
    assert summary.is_visible()
    check_accessibility(page, "login-error")


def test_keyboard_only_login_and_skip_link(page, make_user):
    make_user(Role.FRONT_OFFICE, username="kcc")
    page.goto("/")

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className").startswith("leerlus-skip-link")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    page.goto("/accounts/login")  # the username field has autofocus
    assert page.evaluate("document.activeElement.name") == "username"
    page.keyboard.type("kcc")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/")

    assert "Welkom" in page.locator("h1").inner_text()


def test_visible_focus_indicator_on_links(page):
    page.goto("/")

    page.keyboard.press("Tab")
    outline = page.evaluate(
        "getComputedStyle(document.activeElement).outlineStyle + ' ' + "
        "getComputedStyle(document.activeElement).outlineWidth"
    )

    assert not outline.startswith("none")
    assert outline.split()[1] != "0px"


def test_citizen_gives_feedback_with_the_keyboard_and_gets_a_reference(page, organisation):
    page.goto("/feedback/eendorp")
    page.wait_for_timeout(2100)  # the form refuses answers faster than a person can type

    page.focus("textarea[name=text]")
    page.keyboard.type("De upload van mijn pasfoto lukt niet in het portaal.")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # choose the first service
    page.click("main form button[type=submit]")
    page.wait_for_url("**/thanks")

    signal = Feedback.objects.get()
    assert signal.reference in page.locator("main").inner_text()
    assert page.evaluate("document.activeElement.tagName") == "H1"
    check_accessibility(page, "feedback-thanks")


def test_invalid_feedback_shows_a_linked_error_summary(page, organisation):
    page.goto("/feedback/eendorp")
    page.fill("input[name=name]", "Anna")
    page.click("main form button[type=submit]")

    summary = page.locator(".leerlus-error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('leerlus-error-summary')")
    summary.locator("a").first.click()
    assert page.evaluate("document.activeElement.name") == "text"
    check_accessibility(page, "feedback-form-errors")


def test_front_office_logs_a_contact_with_ctrl_enter(page, make_user, organisation):
    make_user(Role.FRONT_OFFICE, username="kcc")
    log_in(page, "kcc", PASSWORD)
    page.goto("/signals/quick")

    page.keyboard.type("Beller vraagt wanneer de container wordt geleegd")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")

    signal = Feedback.objects.get()
    assert signal.channel == "phone"
    assert signal.reference in page.locator(".leerlus-messages").inner_text()
    assert page.evaluate("document.activeElement.name") == "text"


def test_analyst_imports_a_csv_and_sees_the_rejected_row(page, analyst, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    export = tmp_path / "kcc-export.csv"
    export.write_text(
        "Omschrijving;Datum;Kanaal\n"
        "De upload van mijn paspoortfoto lukt niet;02-03-2026 09:15;telefoon\n"
        "Container niet geleegd, bel 06-12345678;gisteren;balie\n",
        encoding="utf-8",
    )
    log_in(page, "analist", PASSWORD)
    page.goto("/signals/imports/")
    check_accessibility(page, "import-upload")

    page.set_input_files("input[name=file]", str(export))
    page.fill("input[name=source]", "KCC-export")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    check_accessibility(page, "import-mapping")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    check_accessibility(page, "import-preview")
    assert "06-12345678" not in page.content()
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    page.wait_for_url("**/result/")

    check_accessibility(page, "import-result")
    assert Feedback.objects.count() == 1
    assert "06-12345678" not in page.content()
