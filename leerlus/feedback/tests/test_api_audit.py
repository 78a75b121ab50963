# SPDX-License-Identifier: EUPL-1.2
"""Who saw and stored what through the API (BIO2 8.15): one audit entry per read of signals
(with its filters and count, not one per row), one per bulk call (with its counts and
references, not one per signal), one per inbound mail; the administrator sees each of them
on /organisation/audit-log."""

import pytest

from leerlus.organisations.models import AuditEntry
from leerlus.organisations.roles import Role

pytestmark = pytest.mark.django_db

URL = "/api/v1/feedback"


@pytest.fixture
def integration(make_user):
    return make_user(Role.FRONT_OFFICE, Role.ANALYST, username="koppeling")


def _shown_on_the_audit_log(client_for, administrator, action: str) -> list[AuditEntry]:
    page = client_for(administrator).get("/organisation/audit-log", {"action": action})
    assert page.status_code == 200
    entries: list[AuditEntry] = list(page.context["page"].object_list)
    content = page.content.decode()
    assert all(action in content and entry.actor_label in content for entry in entries)
    return entries


def test_each_api_read_of_signals_leaves_one_entry_with_its_filters_and_count(
    api_for, client_for, administrator, integration
):
    client = api_for(integration)
    bulk = client.post(
        f"{URL}/bulk", {"items": [{"text": f"Melding {i}"} for i in range(3)]}, format="json"
    )
    reference = bulk.json()["references"][0]

    listed = client.get(URL, {"q": "Melding", "pageSize": "2"})
    read = client.get(f"{URL}/{reference}")
    missing = client.get(f"{URL}/LL-00000-00000")

    assert listed.status_code == read.status_code == 200
    assert missing.status_code == 404
    (lists,) = _shown_on_the_audit_log(client_for, administrator, "feedback.api_list")
    assert lists.actor == integration
    assert lists.details == {"filters": {"q": "Melding", "pageSize": "2"}, "count": 3, "shown": 2}
    (reads,) = _shown_on_the_audit_log(client_for, administrator, "feedback.api_read")
    assert reads.actor == integration
    assert reads.details == {"reference": reference}
    assert reads.object_type == "feedback.feedback"
    assert reads.origin == "127.0.0.1"


def test_a_bulk_call_leaves_one_entry_with_its_counts_and_references(
    api_for, client_for, administrator, integration
):
    items = [{"text": f"Melding {i}", "externalId": f"b-{i}", "source": "crm"} for i in range(3)]
    client = api_for(integration)

    first = client.post(f"{URL}/bulk", {"items": items}, format="json")
    again = client.post(f"{URL}/bulk", {"items": items}, format="json")

    assert first.status_code == again.status_code == 201
    entries = _shown_on_the_audit_log(client_for, administrator, "feedback.bulk_create")
    assert [entry.details for entry in reversed(entries)] == [
        {"imported": 3, "duplicates": 0, "references": first.json()["references"]},
        {"imported": 0, "duplicates": 3, "references": []},
    ]
    assert {entry.actor for entry in entries} == {integration}


def test_an_inbound_mail_leaves_one_entry_for_its_signal(
    api_for, client_for, administrator, make_user
):
    mailbox = make_user(Role.FRONT_OFFICE, username="postvak")
    payload = {"Subject": "Container", "TextBody": "Niet geleegd.", "MessageID": "m-1@x"}

    stored = api_for(mailbox).post("/api/v1/inbound-email", payload, format="json")
    retry = api_for(mailbox).post("/api/v1/inbound-email", payload, format="json")

    assert (stored.status_code, retry.status_code) == (201, 200)
    (entry,) = _shown_on_the_audit_log(client_for, administrator, "feedback.create")
    assert entry.actor == mailbox
    assert entry.details["channel"] == "email"
    assert entry.object_type == "feedback.feedback"
