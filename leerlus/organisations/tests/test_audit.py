# SPDX-License-Identifier: EUPL-1.2
import pytest
from django.core.exceptions import ValidationError

from leerlus.organisations import services
from leerlus.organisations.models import AuditEntry
from leerlus.organisations.roles import Role

pytestmark = pytest.mark.django_db


def test_role_changes_are_audited_with_actor_and_role(administrator, make_user):
    person = make_user()

    services.role_grant(user=person, role=Role.ANALYST, actor=administrator)
    services.role_revoke(user=person, role=Role.ANALYST, actor=administrator)

    actions = list(
        AuditEntry.objects.filter(object_id=str(person.pk)).values_list("action", "details")
    )
    assert ("role.grant", {"role": "analyst"}) in actions
    assert ("role.revoke", {"role": "analyst"}) in actions
    assert person.role_names == []


def test_audit_entries_cannot_be_changed_or_deleted(administrator):
    entry = AuditEntry.objects.create(
        organisation=administrator.organisation, actor_label="x", action="a", result="success"
    )

    entry.action = "rewritten"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "a"


def test_login_success_and_failure_are_audited_without_password(client, analyst, password):
    client.post("/accounts/login", {"username": "analist", "password": "wrong-password-1"})
    client.post("/accounts/login", {"username": "analist", "password": password})

    results = list(
        AuditEntry.objects.filter(action="login", actor=analyst).values_list("result", flat=True)
    )
    assert results == ["success", "failure"]
    assert all("wrong-password" not in str(e.details) for e in AuditEntry.objects.all())
    assert {e.origin for e in AuditEntry.objects.filter(action="login")} == {"127.0.0.1"}
