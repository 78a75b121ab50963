# SPDX-License-Identifier: EUPL-1.2
"""Writes of events: releases, campaigns, policy changes, experiments and incidents, each
with an audit entry. What changed around an event is a read
(:func:`leerlus.patterns.selectors.events.event_changes`)."""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from leerlus.organisations import audit
from leerlus.organisations.models import Organisation, Service, User

from ..models import Event

EVENT_FIELDS: Final = ("kind", "title", "description", "date", "end_date", "service")


def _event_check(event: Event, actor: User | None) -> None:
    if actor is not None and actor.organisation_id != event.organisation_id:
        raise PermissionDenied("event of another organisation")


def _event_clean(event: Event) -> None:
    errors: dict[str, str] = {}
    if event.end_date is not None and event.end_date < event.date:
        errors["end_date"] = "The end date lies before the date."
    if event.service is not None and event.service.organisation_id != event.organisation_id:
        errors["service"] = "Unknown service."
    if errors:
        raise ValidationError(errors)
    event.full_clean(exclude=["organisation", "created_by", "service"])


@transaction.atomic
def event_create(
    *,
    organisation: Organisation,
    actor: User | None,
    kind: str,
    title: str,
    date: date,
    description: str = "",
    end_date: date | None = None,
    service: Service | None = None,
) -> Event:
    """Record a release, campaign, policy change, experiment or incident."""
    if actor is not None and actor.organisation_id != organisation.pk:
        raise PermissionDenied("not a member of this organisation")
    event = Event(
        organisation=organisation,
        kind=kind,
        title=title,
        date=date,
        description=description,
        end_date=end_date,
        service=service,
        created_by=actor,
    )
    _event_clean(event)
    event.save()
    audit.record(
        action="event.create",
        actor=actor,
        obj=event,
        organisation=organisation,
        details={"kind": kind, "date": date.isoformat()},
    )
    return event


@transaction.atomic
def event_update(*, event: Event, actor: User | None, **fields: Any) -> Event:
    """Change any of kind, title, description, date, end_date, service."""
    _event_check(event, actor)
    unknown = sorted(set(fields) - set(EVENT_FIELDS))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "Cannot be changed."))
    changed = sorted(name for name, value in fields.items() if getattr(event, name) != value)
    for name in changed:
        setattr(event, name, fields[name])
    _event_clean(event)
    event.save()
    audit.record(
        action="event.update",
        actor=actor,
        obj=event,
        organisation=event.organisation,
        details={"fields": changed},
    )
    return event


@transaction.atomic
def event_delete(*, event: Event, actor: User | None) -> None:
    _event_check(event, actor)
    audit.record(
        action="event.delete",
        actor=actor,
        obj=event,
        organisation=event.organisation,
        details={"kind": event.kind, "date": event.date.isoformat(), "title": event.title},
    )
    event.delete()
