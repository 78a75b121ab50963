# SPDX-License-Identifier: EUPL-1.2
"""The monthly pattern report as a page and as a PDF, through the real HTTP interface."""

import io

import pytest
from django.utils import formats, translation
from pypdf import PdfReader

from leerlus.organisations.models import AuditEntry
from leerlus.organisations.roles import Role
from leerlus.patterns.selectors.report import default_month

from .factories import ThemeFactory
from .report_data import MONTH, per_day

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/patterns/report/", "/patterns/report/pdf"])
def test_pages_ask_anonymous_visitors_to_log_in(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login")


def test_people_without_a_role_are_refused(client_for, make_user):
    response = client_for(make_user()).get("/patterns/report/")

    assert response.status_code == 403


def test_report_page_shows_the_month_and_another_organisations_data_stays_out(
    client_for, make_user, organisation, other_organisation, month_themes
):
    secret = ThemeFactory(organisation=other_organisation, name="Geheim thema")
    per_day(other_organisation, secret, "phone", 50, 50)
    client = client_for(make_user(Role.CIO))

    response = client.get("/patterns/report/", {"month": MONTH.strftime("%Y-%m")})

    assert response.status_code == 200
    assert "Upload mislukt" in response.text
    assert "Geheim thema" not in response.text
    assert response.context["report"].month == MONTH
    assert f"/patterns/report/pdf?month={MONTH:%Y-%m}" in response.text


def test_report_page_defaults_to_the_last_complete_month(client_for, analyst, month_themes):
    response = client_for(analyst).get("/patterns/report/")

    assert response.context["report"].month == default_month()


@pytest.mark.parametrize("month", ["2026-13", "maart", "1999-01"])
def test_a_bad_month_is_answered_with_an_error_at_the_month_field(client_for, analyst, month):
    response = client_for(analyst).get("/patterns/report/", {"month": month})

    assert response.status_code == 400
    assert 'href="#id_month"' in response.text
    assert response.context["report"] is None


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_pdf_download_holds_the_top_themes_in_the_active_language(
    client_for, analyst, month_themes, language
):
    response = client_for(analyst).get(
        "/patterns/report/pdf", {"month": MONTH.strftime("%Y-%m")}, HTTP_ACCEPT_LANGUAGE=language
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Content-Disposition"].endswith(f'-{MONTH:%Y-%m}.pdf"')
    text = _pdf_text(response.content)
    for name in ("Upload mislukt", "Parkeervergunning", "Nieuwe paspoortregels"):
        assert name in text
    assert "Verborgen ruis" not in text
    with translation.override(language):
        assert formats.date_format(MONTH, "YEAR_MONTH_FORMAT") in text
    assert AuditEntry.objects.filter(action="pattern_report.download", actor=analyst).exists()


def test_pdf_of_a_bad_month_is_refused(client_for, analyst):
    response = client_for(analyst).get("/patterns/report/pdf", {"month": "2026-00"})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
