"""Every page that exists, in a real browser: axe-core clean, keyboard usable, both languages."""

import pytest

from leerlus.organisations.roles import Role
from leerlus.organisations.tests.factories import PASSWORD

from .conftest import check_accessibility, log_in

ANONYMOUS_PAGES = [
    ("home-anonymous", "/"),
    ("login", "/accounts/login"),
    ("api-docs", "/api/v1/docs"),
    ("not-found", "/this-page-does-not-exist"),
]


@pytest.mark.parametrize(("name", "path"), ANONYMOUS_PAGES)
def test_public_pages_are_accessible(page, name, path):
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
    ],
)
def test_staff_pages_are_accessible(page, make_user, name, path):
    make_user(Role.ADMINISTRATOR, Role.ANALYST, username="beheerder", first_name="Bram")
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
