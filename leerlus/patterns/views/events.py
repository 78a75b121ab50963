# SPDX-License-Identifier: EUPL-1.2
"""The events register: list, record, change and delete events, and what changed in the
signals around one. Reading needs VIEW_FEEDBACK, recording events CURATE_THEMES; another
organisation's event answers 404."""

import math
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from leerlus.feedback.models import Channel
from leerlus.organisations.permissions import capability_required, member_of
from leerlus.organisations.roles import Capability

from ..filters.events import EventFilterSet
from ..forms.events import EventForm
from ..models import Event
from ..selectors.events import EVENT_MIN_DAYS, EventChange, event_changes, event_get, events_of
from ..services.events import event_create, event_delete, event_update

PAGE_SIZE = 25
CHANNEL_LABELS = dict(Channel.choices)


@capability_required(Capability.VIEW_FEEDBACK)
def event_list_view(request: HttpRequest) -> HttpResponse:
    member = member_of(request)
    filterset = EventFilterSet(request.GET or None)
    events = events_of(organisation=member.organisation, filters=filterset.event_filter())
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "patterns/events.html",
        {
            "form": filterset.form,
            "page": page,
            "can_edit": member.person.can(Capability.CURATE_THEMES),
        },
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
    member = member_of(request)
    user, organisation = member.person, member.organisation
    initial = EventForm.initial_of(event) if event is not None else None
    form = EventForm(request.POST or None, organisation=organisation, initial=initial)
    context = {"form": form, "event": event}
    if request.method != "POST":
        return render(request, "patterns/events_form.html", context)
    if form.is_valid():
        try:
            if event is None:
                event = event_create(organisation=organisation, actor=user, **_event_fields(form))
                done = _("The event has been recorded.")
            else:
                event_update(event=event, actor=user, **_event_fields(form))
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
    organisation = member_of(request).organisation
    return _event_form_page(request, event_get(organisation=organisation, pk=pk))


@capability_required(Capability.CURATE_THEMES)
def event_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = member_of(request)
    event = event_get(organisation=member.organisation, pk=pk)
    if request.method == "POST":
        title = event.title
        event_delete(event=event, actor=member.person)
        messages.success(request, _("The event “%(title)s” has been deleted.") % {"title": title})
        return redirect("patterns:events")
    return render(request, "patterns/events_confirm_delete.html", {"event": event})


def _largest_first(change: EventChange) -> tuple[float, float]:
    return (-abs(math.log(change.ratio)) if change.ratio > 0 else -math.inf, change.q_value)


@capability_required(Capability.VIEW_FEEDBACK)
def event_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = member_of(request)
    event = event_get(organisation=member.organisation, pk=pk)
    changes = event_changes(organisation=member.organisation, event=event)
    significant = sorted((c for c in changes if c.significant), key=_largest_first)
    too_recent = (timezone.localdate() - event.date).days < EVENT_MIN_DAYS
    return render(
        request,
        "patterns/events_detail.html",
        {
            "event": event,
            "changes": [(c, CHANNEL_LABELS.get(c.channel or "", c.channel)) for c in significant],
            "compared": len(changes),
            "windows": changes[0] if changes else None,
            "too_recent": too_recent,
            "min_days": EVENT_MIN_DAYS,
            "can_edit": member.person.can(Capability.CURATE_THEMES),
        },
    )
