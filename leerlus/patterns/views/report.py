# SPDX-License-Identifier: EUPL-1.2
"""The monthly pattern report for the retrospective, as a page and as a PDF download
(the download is recorded in the audit log). Reading needs VIEW_FEEDBACK; the examples are
the signals the reader may see."""

from base64 import b64encode

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from leerlus.organisations import audit
from leerlus.organisations.permissions import capability_required, member_of
from leerlus.organisations.roles import Capability

from ..forms.report import ReportMonthForm
from ..selectors.report import MonthlyReport, default_month, monthly_report, months_with_data


def _report_or_form(request: HttpRequest) -> tuple[ReportMonthForm, MonthlyReport | None]:
    member = member_of(request)
    months = months_with_data(organisation=member.organisation)
    data = request.GET if "month" in request.GET else None
    form = ReportMonthForm(
        data, months=months, initial={"month": default_month().strftime("%Y-%m")}
    )
    if data is None:
        month = default_month()
    elif form.is_valid():
        month = form.cleaned_data["month"]
    else:
        return form, None
    return form, monthly_report(organisation=member.organisation, viewer=member.person, month=month)


@capability_required(Capability.VIEW_FEEDBACK)
def report_view(request: HttpRequest) -> HttpResponse:
    form, monthly = _report_or_form(request)
    return render(
        request,
        "patterns/report.html",
        {"form": form, "report": monthly},
        status=200 if monthly is not None else 400,
    )


@capability_required(Capability.VIEW_FEEDBACK)
def report_pdf_view(request: HttpRequest) -> HttpResponse:
    form, monthly = _report_or_form(request)
    if monthly is None:
        return render(request, "patterns/report.html", {"form": form, "report": None}, status=400)
    user = member_of(request).person
    pdf = render_pdf(monthly, request=request)
    audit.record(
        action="pattern_report.download",
        actor=user,
        request=request,
        details={"month": monthly.month.strftime("%Y-%m"), "format": "pdf"},
    )
    filename = _("pattern-report-%(month)s.pdf") % {"month": monthly.month.strftime("%Y-%m")}
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ---- PDF ----------------------------------------------------------------------------------


def _logo_data_uri() -> str:
    path = finders.find("leerlus/images/logo.svg")
    if not path or isinstance(path, list):
        return ""
    with open(path, "rb") as logo:
        return "data:image/svg+xml;base64," + b64encode(logo.read()).decode("ascii")


def render_pdf(report: MonthlyReport, *, request: HttpRequest) -> bytes:
    """The report as a PDF in the active language.

    Everything the document needs is inside the HTML (styles, the logo as a data URI); the
    URL fetcher refuses every other address, so rendering never reaches the network or reads
    a file the template names.
    """
    # Imported here: only this view needs Pango, the rest of Leerlus runs without it.
    from weasyprint import HTML, URLFetcher  # type: ignore[import-untyped]  # no stubs

    html = render_to_string(
        "patterns/report_pdf.html",
        {"report": report, "logo": _logo_data_uri(), "generated_at": timezone.now()},
        request=request,
    )
    fetcher = URLFetcher(allowed_protocols=["data"])
    pdf: bytes = HTML(string=html, url_fetcher=fetcher).write_pdf()
    return pdf
