# SPDX-License-Identifier: EUPL-1.2
"""The alerts inbox, one alert with its evidence, handling it, and the daily e-mail.

Everyone who may see signals may read these pages; acting on an alert needs the curation
capability. Every alert is fetched through a selector scoped to the person's organisation
(another organisation's alert answers 404); its examples are the signals the person may see.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from leerlus.organisations.models import Organisation, User
from leerlus.organisations.permissions import capability_required, member_of
from leerlus.organisations.roles import Capability

from ..filters.alerts import AlertFilterSet
from ..forms.alerts import AssignAlertForm, DismissAlertForm
from ..models import Alert
from ..selectors.alerts import (
    ALERT_SORTS,
    alert_examples,
    alert_get,
    alert_series,
    alerts_of,
    digest_subscribed,
)
from ..services import alerts as alert_services
from ..services.digests import subscription_set

PAGE_SIZE = 25


@capability_required(Capability.VIEW_FEEDBACK)
def alert_list_view(request: HttpRequest) -> HttpResponse:
    member = member_of(request)
    filterset = AlertFilterSet(request.GET or None, organisation=member.organisation)
    filters = filterset.alert_filter(default_status=Alert.Status.OPEN)
    sort = request.GET.get("sort", "newest")
    if sort not in ALERT_SORTS:
        sort = "newest"
    alerts = alerts_of(organisation=member.organisation, filters=filters, sort=sort)
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "patterns/alerts.html",
        {
            "form": filterset.form,
            "page": page,
            "sort": sort,
            "filtered_status": filters.status,
            "subscribed": digest_subscribed(person=member.person),
            "has_email": bool(member.person.email),
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
    member = member_of(request)
    organisation = member.organisation
    series = alert_series(organisation=organisation, alert=alert)
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
            "examples": alert_examples(
                organisation=organisation, viewer=member.person, alert=alert
            ),
            "can_act": member.person.can(Capability.CURATE_THEMES),
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
    organisation = member_of(request).organisation
    return _alert_page(request, alert_get(organisation=organisation, pk=pk))


def _alert_to_act_on(request: HttpRequest, pk: int) -> tuple[User, Organisation, Alert]:
    member = member_of(request)
    alert = alert_get(organisation=member.organisation, pk=pk)
    return member.person, member.organisation, alert


_STATUS_ACTIONS = {
    "acknowledge": (
        alert_services.alert_acknowledge,
        gettext_lazy("The alert has been acknowledged."),
    ),
    "reopen": (alert_services.alert_reopen, gettext_lazy("The alert is open again.")),
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
    alert_services.alert_dismiss(
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
    alert_services.alert_assign(alert=alert, actor=user, assignee=assignee, request=request)
    if assignee is None:
        messages.success(request, _("The alert is no longer assigned to anyone."))
    else:
        name = assignee.get_full_name() or assignee.get_username()
        messages.success(request, _("The alert has been assigned to %(name)s.") % {"name": name})
    return redirect("patterns:alert", pk=alert.pk)


@require_POST
@capability_required(Capability.VIEW_FEEDBACK)
def alert_subscription_view(request: HttpRequest) -> HttpResponse:
    user = member_of(request).person
    subscribe = request.POST.get("subscribe") == "1"
    if subscribe and not user.email:
        messages.error(
            request,
            _("Your account has no e-mail address; ask an administrator to add one first."),
        )
    else:
        subscription_set(
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
