# SPDX-License-Identifier: EUPL-1.2
"""Events recorded, changed and deleted through the services, with an audit trail."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from leerlus.organisations.models import AuditEntry
from leerlus.patterns.models import Event
from leerlus.patterns.services.events import event_create, event_delete, event_update

pytestmark = pytest.mark.django_db


def test_events_are_created_changed_and_deleted_with_an_audit_trail(organisation, analyst):
    today = timezone.localdate()
    event = event_create(
        organisation=organisation,
        actor=analyst,
        kind=Event.Kind.RELEASE,
        title="Nieuw portaal",
        date=today,
    )
    event_update(event=event, actor=analyst, title="Portaal 2.0", end_date=today)
    assert Event.objects.get(pk=event.pk).title == "Portaal 2.0"

    pk = event.pk
    event_delete(event=event, actor=analyst)

    assert not Event.objects.filter(pk=pk).exists()
    actions = list(
        AuditEntry.objects.filter(object_id=str(pk), object_type="patterns.event")
        .order_by("id")
        .values_list("action", "details")
    )
    assert [a for a, _ in actions] == ["event.create", "event.update", "event.delete"]
    assert actions[1][1] == {"fields": ["end_date", "title"]}


def test_event_input_is_checked(organisation, analyst, other_organisation):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        event_create(
            organisation=organisation,
            actor=analyst,
            kind="release",
            title="x",
            date=today,
            end_date=today - timedelta(days=1),
        )
    assert "end_date" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        event_create(organisation=organisation, actor=analyst, kind="party", title="x", date=today)
    assert "kind" in error.value.message_dict
    event = event_create(
        organisation=organisation, actor=analyst, kind="release", title="x", date=today
    )
    with pytest.raises(ValidationError):
        event_update(event=event, actor=analyst, organisation=other_organisation)
    with pytest.raises(PermissionDenied):
        event_create(
            organisation=other_organisation, actor=analyst, kind="release", title="x", date=today
        )
