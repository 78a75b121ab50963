"""Alerts inbox, events register and the monthly pattern report (staff pages).

Everyone who may see signals may read these pages; acting on an alert and recording events
needs the curation capability. Every object is fetched through a selector scoped to the
person's organisation, so another organisation's alert or event answers 404.
"""

import math
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from leerlus.feedback.models import Channel
from leerlus.organisations import audit
from leerlus.organisations.models import Organisation, User
from leerlus.organisations.permissions import capability_required, staff_user
from leerlus.organisations.roles import Capability

from . import alert_actions, digest, report, selectors, services
from .forms_insights import (
    ALL_STATUSES,
    AlertFilterForm,
    AssignAlertForm,
    DismissAlertForm,
    EventFilterForm,
    EventForm,
    ReportMonthForm,
)
from .models import Alert, Event

PAGE_SIZE = 25
CHANNEL_LABELS = dict(Channel.choices)


def _organisation(request: HttpRequest) -> tuple[User, Organisation]:
    user = staff_user(request)
    assert user.organisation is not None
    return user, user.organisation


# ---- Alerts -----------------------------------------------------------------------------


def _alert_filters(form: AlertFilterForm) -> selectors.AlertFilter:
    if not form.is_bound or not form.is_valid():
        return selectors.AlertFilter()
    data = form.cleaned_data
    status = data.get("status") or Alert.Status.OPEN
    theme = data.get("theme")
    return selectors.AlertFilter(
        status="" if status == ALL_STATUSES else status,
        kind=data.get("kind") or "",
        channel=data.get("channel") or "",
        theme=theme.pk if theme else None,
    )


@capability_required(Capability.VIEW_FEEDBACK)
def alert_list_view(request: HttpRequest) -> HttpResponse:
    user, organisation = _organisation(request)
    form = AlertFilterForm(request.GET or None, organisation=organisation)
    filters = _alert_filters(form)
    sort = request.GET.get("sort", "newest")
    if sort not in selectors.ALERT_SORTS:
        sort = "newest"
    alerts = selectors.alerts_of(organisation=organisation, filters=filters, sort=sort)
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "patterns/alerts.html",
        {
            "form": form,
            "page": page,
            "sort": sort,
            "filtered_status": filters.status,
            "subscribed": digest.is_subscribed(user=user),
            "has_email": bool(user.email),
        },
    )


def _alert_page(
    request: HttpRequest,
    alert: Alert,
    *,
    dismiss_form: DismissAlertForm | None = None,
    assign_form: AssignAlertForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user, organisation = _organisation(request)
    series = selectors.alert_series(organisation=organisation, alert=alert)
    return render(
        request,
        "patterns/alerts_detail.html",
        {
            "alert": alert,
            "series": series,
            "chart": {
                "days": [d.day.isoformat() for d in series],
                "series": [
                    {"label": _("Signals per day"), "values": [d.count for d in series]},
                    {
                        "label": _("Expected per day"),
                        "dashed": True,
                        "values": [
                            None if d.expected is None else round(d.expected, 2) for d in series
                        ],
                    },
                ],
                "events": [{"date": alert.start.isoformat(), "title": _("Start of the alert")}],
            },
            "examples": selectors.alert_examples(organisation=organisation, alert=alert),
            "can_act": user.can(Capability.CURATE_THEMES),
            "dismiss_form": dismiss_form or DismissAlertForm(prefix="dismiss"),
            "assign_form": assign_form
            or AssignAlertForm(
                prefix="assign",
                organisation=organisation,
                initial={"assigned_to": alert.assigned_to_id},
            ),
            "form": dismiss_form if dismiss_form is not None else assign_form,
        },
        status=status,
    )


@capability_required(Capability.VIEW_FEEDBACK)
def alert_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    _, organisation = _organisation(request)
    return _alert_page(request, selectors.alert_get(organisation=organisation, pk=pk))


def _alert_to_act_on(request: HttpRequest, pk: int) -> tuple[User, Organisation, Alert]:
    user, organisation = _organisation(request)
    return user, organisation, selectors.alert_get(organisation=organisation, pk=pk)


_STATUS_ACTIONS = {
    "acknowledge": (
        alert_actions.alert_acknowledge,
        gettext_lazy("The alert has been acknowledged."),
    ),
    "reopen": (alert_actions.alert_reopen, gettext_lazy("The alert is open again.")),
}


@require_POST
@capability_required(Capability.CURATE_THEMES)
def alert_status_view(request: HttpRequest, pk: int, operation: str) -> HttpResponse:
    """Acknowledge or reopen (the operation comes from the URL pattern, never the user)."""
    user, _organisation_of_user, alert = _alert_to_act_on(request, pk)
    act, done = _STATUS_ACTIONS[operation]
    act(alert=alert, actor=user, request=request)
    messages.success(request, done)
    return redirect("patterns:alert", pk=alert.pk)


@require_POST
@capability_required(Capability.CURATE_THEMES)
def alert_dismiss_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, _organisation_of_user, alert = _alert_to_act_on(request, pk)
    form = DismissAlertForm(request.POST, prefix="dismiss")
    if not form.is_valid():
        return _alert_page(request, alert, dismiss_form=form, status=400)
    alert_actions.alert_dismiss(
        alert=alert, actor=user, reason=form.cleaned_data["reason"], request=request
    )
    messages.success(request, _("The alert has been dismissed."))
    return redirect("patterns:alert", pk=alert.pk)


@require_POST
@capability_required(Capability.CURATE_THEMES)
def alert_assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, organisation, alert = _alert_to_act_on(request, pk)
    form = AssignAlertForm(request.POST, prefix="assign", organisation=organisation)
    if not form.is_valid():
        return _alert_page(request, alert, assign_form=form, status=400)
    assignee = form.cleaned_data["assigned_to"]
    alert_actions.alert_assign(alert=alert, actor=user, assignee=assignee, request=request)
    if assignee is None:
        messages.success(request, _("The alert is no longer assigned to anyone."))
    else:
        name = assignee.get_full_name() or assignee.get_username()
        messages.success(request, _("The alert has been assigned to %(name)s.") % {"name": name})
    return redirect("patterns:alert", pk=alert.pk)


@require_POST
@capability_required(Capability.VIEW_FEEDBACK)
def alert_subscription_view(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    subscribe = request.POST.get("subscribe") == "1"
    if subscribe and not user.email:
        messages.error(
            request,
            _("Your account has no e-mail address; ask an administrator to add one first."),
        )
    else:
        digest.subscription_set(
            user=user,
            subscribed=subscribe,
            language=translation.get_language() or "",
            request=request,
        )
        if subscribe:
            messages.success(
                request,
                _("You will receive an e-mail with new alerts once a day at %(email)s.")
                % {"email": user.email},
            )
        else:
            messages.success(request, _("You will no longer receive the daily alert e-mail."))
    return redirect("patterns:alerts")


# ---- Events -----------------------------------------------------------------------------


@capability_required(Capability.VIEW_FEEDBACK)
def event_list_view(request: HttpRequest) -> HttpResponse:
    user, organisation = _organisation(request)
    form = EventFilterForm(request.GET or None)
    filters = selectors.EventFilter()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.EventFilter(
            kind=data.get("kind") or "",
            date_from=data.get("date_from"),
            date_until=data.get("date_until"),
            search=data.get("q") or "",
        )
    events = selectors.events_of(organisation=organisation, filters=filters)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "patterns/events.html",
        {"form": form, "page": page, "can_edit": user.can(Capability.CURATE_THEMES)},
    )


def _event_fields(form: EventForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "kind": data["kind"],
        "title": data["title"],
        "date": data["date"],
        "end_date": data.get("end_date"),
        "service": data.get("service"),
        "description": data.get("description") or "",
    }


def _add_service_errors(form: EventForm, error: ValidationError) -> None:
    for field, texts in error.message_dict.items():
        for text in texts:
            form.add_error(field if field in form.fields else None, text)


def _event_form_page(request: HttpRequest, event: Event | None) -> HttpResponse:
    """Record a new event (``event`` None) or change one, through the services."""
    user, organisation = _organisation(request)
    initial = EventForm.initial_of(event) if event is not None else None
    form = EventForm(request.POST or None, organisation=organisation, initial=initial)
    context = {"form": form, "event": event}
    if request.method != "POST":
        return render(request, "patterns/events_form.html", context)
    if form.is_valid():
        try:
            if event is None:
                event = services.event_create(
                    organisation=organisation, actor=user, **_event_fields(form)
                )
                done = _("The event has been recorded.")
            else:
                services.event_update(event=event, actor=user, **_event_fields(form))
                done = _("The event has been changed.")
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("patterns:event", pk=event.pk)
    return render(request, "patterns/events_form.html", context, status=400)


@capability_required(Capability.CURATE_THEMES)
def event_create_view(request: HttpRequest) -> HttpResponse:
    return _event_form_page(request, None)


@capability_required(Capability.CURATE_THEMES)
def event_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    _, organisation = _organisation(request)
    return _event_form_page(request, selectors.event_get(organisation=organisation, pk=pk))


@capability_required(Capability.CURATE_THEMES)
def event_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, organisation = _organisation(request)
    event = selectors.event_get(organisation=organisation, pk=pk)
    if request.method == "POST":
        title = event.title
        services.event_delete(event=event, actor=user)
        messages.success(request, _("The event “%(title)s” has been deleted.") % {"title": title})
        return redirect("patterns:events")
    return render(request, "patterns/events_confirm_delete.html", {"event": event})


def _largest_first(change: services.EventChange) -> tuple[float, float]:
    return (-abs(math.log(change.ratio)) if change.ratio > 0 else -math.inf, change.q_value)


@capability_required(Capability.VIEW_FEEDBACK)
def event_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, organisation = _organisation(request)
    event = selectors.event_get(organisation=organisation, pk=pk)
    changes = services.event_changes(event=event)
    significant = sorted((c for c in changes if c.significant), key=_largest_first)
    too_recent = (timezone.localdate() - event.date).days < services.EVENT_MIN_DAYS
    return render(
        request,
        "patterns/events_detail.html",
        {
            "event": event,
            "changes": [(c, CHANNEL_LABELS.get(c.channel or "", c.channel)) for c in significant],
            "compared": len(changes),
            "windows": changes[0] if changes else None,
            "too_recent": too_recent,
            "min_days": services.EVENT_MIN_DAYS,
            "can_edit": user.can(Capability.CURATE_THEMES),
        },
    )


# ---- Monthly report ---------------------------------------------------------------------


def _report_or_form(request: HttpRequest) -> tuple[ReportMonthForm, report.MonthlyReport | None]:
    _, organisation = _organisation(request)
    months = report.months_with_data(organisation)
    data = request.GET if "month" in request.GET else None
    form = ReportMonthForm(
        data, months=months, initial={"month": report.default_month().strftime("%Y-%m")}
    )
    if data is None:
        month = report.default_month()
    elif form.is_valid():
        month = form.cleaned_data["month"]
    else:
        return form, None
    return form, report.monthly_report(organisation=organisation, month=month)


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
    user = staff_user(request)
    pdf = report.render_pdf(monthly, request=request)
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
