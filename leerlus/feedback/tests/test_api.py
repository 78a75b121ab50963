# SPDX-License-Identifier: EUPL-1.2
import pytest
from rest_framework.test import APIClient

from leerlus.feedback.models import ContactDetails, Feedback
from leerlus.organisations.models import AuditEntry
from leerlus.organisations.roles import Role
from leerlus.organisations.services import api_token_create

pytestmark = pytest.mark.django_db

URL = "/api/v1/feedback"
BSN = "111222333"  # passes the 11-check


@pytest.fixture
def api_for():
    def make(user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user)}")
        return client

    return make


@pytest.fixture
def kcc(make_user):
    return make_user(Role.FRONT_OFFICE, username="kcc")


def test_create_redacts_before_storing_and_hides_contact_details(api_for, kcc):
    response = api_for(kcc).post(
        URL,
        {
            "text": f"Mijn BSN is {BSN}, bel me op 06-12345678. De upload werkt niet.",
            "channel": "phone",
            "service": "paspoort",
            "receivedAt": "2026-03-02T09:15:00+01:00",
            "contact": {"email": "jan@example.nl", "consent": True},
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert BSN not in body["text"]
    assert "[BSN]" in body["text"]
    assert "[TELEFOON]" in body["text"]
    assert body["service"] == "paspoort"
    assert body["department"] == "publiekszaken"
    assert body["receivedAt"] == "2026-03-02T08:15:00Z"
    assert body["redactions"] == {"BSN": 1, "TELEFOON": 1}
    assert "contact" not in body
    assert "jan@example.nl" not in response.content.decode()
    stored = Feedback.objects.get(reference=body["reference"])
    assert BSN not in stored.text
    assert ContactDetails.objects.get(feedback=stored).email == "jan@example.nl"
    assert body["language"] == "nl"


def test_invalid_input_is_a_400_problem_naming_each_field(api_for, kcc):
    response = api_for(kcc).post(
        URL,
        {"text": "", "channel": "pigeon", "service": "nope", "rating": 9},
        format="json",
    )

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    names = {p["name"] for p in response.json()["invalidParams"]}
    assert {"text", "channel", "rating"} <= names
    assert Feedback.objects.count() == 0


def test_unknown_service_is_named(api_for, kcc):
    response = api_for(kcc).post(URL, {"text": "Lantaarnpaal kapot", "service": "x"}, format="json")

    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "service"
    assert "'x'" in response.json()["invalidParams"][0]["reason"]


def test_idempotency_key_makes_a_retry_create_nothing(api_for, kcc):
    client = api_for(kcc)
    payload = {"text": "De afvalbak is niet geleegd", "channel": "web_form"}

    first = client.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    again = client.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    other = client.post(
        URL, {**payload, "text": "anders"}, format="json", HTTP_IDEMPOTENCY_KEY="abc-1"
    )

    assert first.status_code == again.status_code == 201
    assert first.json()["reference"] == again.json()["reference"]
    assert again["Idempotency-Replayed"] == "true"
    assert other.status_code == 422
    assert other["Content-Type"] == "application/problem+json"
    assert Feedback.objects.count() == 1


def test_same_key_in_another_organisation_is_independent(
    api_for, kcc, make_user, other_organisation
):
    stranger = make_user(Role.FRONT_OFFICE, org=other_organisation)
    payload = {"text": "Wachttijd telefoon te lang"}

    api_for(kcc).post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="k")
    response = api_for(stranger).post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="k")

    assert response.status_code == 201
    assert Feedback.objects.count() == 2


def test_bulk_create_and_retry_with_external_ids(api_for, kcc):
    items = [
        {
            "text": f"Melding {i} over de straatverlichting",
            "externalId": f"x-{i}",
            "source": "crm",
            "channel": "email",
        }
        for i in range(30)
    ]
    client = api_for(kcc)

    first = client.post(f"{URL}/bulk", {"items": items}, format="json")
    second = client.post(f"{URL}/bulk", {"items": items}, format="json")

    assert first.status_code == 201
    assert first.json()["imported"] == 30
    assert len(first.json()["references"]) == 30
    assert second.json() == {"imported": 0, "duplicates": 30, "references": []}
    assert Feedback.objects.count() == 30


def test_bulk_refuses_more_than_1000_and_bad_items_store_nothing(api_for, kcc):
    client = api_for(kcc)
    too_many = client.post(f"{URL}/bulk", {"items": [{"text": "x y z"}] * 1001}, format="json")
    one_bad = client.post(
        f"{URL}/bulk",
        {"items": [{"text": "goed bericht"}, {"text": "slecht", "rating": 0}]},
        format="json",
    )

    assert too_many.status_code == 400
    assert one_bad.status_code == 400
    assert one_bad.json()["invalidParams"][0]["name"] == "items.1.rating"
    assert Feedback.objects.count() == 0


def test_list_filters_and_tenant_isolation(api_for, kcc, analyst, make_user, other_organisation):
    client = api_for(kcc)
    client.post(URL, {"text": "paspoort afspraak", "channel": "phone"}, format="json")
    client.post(URL, {"text": "afval niet opgehaald", "channel": "web_form"}, format="json")
    api_for(make_user(Role.FRONT_OFFICE, org=other_organisation)).post(
        URL, {"text": "geheim van tweestad"}, format="json"
    )

    reader = api_for(analyst)
    everything = reader.get(URL).json()
    phone = reader.get(URL, {"channel": "phone"}).json()
    search = reader.get(URL, {"q": "afval"}).json()
    bad = reader.get(URL, {"receivedFrom": "gisteren"})

    assert everything["count"] == 2
    assert "geheim" not in str(everything)
    assert [r["text"] for r in phone["results"]] == ["paspoort afspraak"]
    assert [r["text"] for r in search["results"]] == ["afval niet opgehaald"]
    assert bad.status_code == 400
    assert bad.json()["invalidParams"][0]["name"] == "receivedFrom"


def test_other_organisations_signal_is_404(api_for, analyst, make_user, other_organisation):
    stranger = make_user(Role.FRONT_OFFICE, org=other_organisation)
    reference = (
        api_for(stranger).post(URL, {"text": "hallo daar"}, format="json").json()["reference"]
    )

    assert api_for(analyst).get(f"{URL}/{reference}").status_code == 404
    assert api_for(stranger).get(f"{URL}/{reference}").status_code == 200


def test_api_create_is_audited(api_for, kcc):
    api_for(kcc).post(URL, {"text": "bericht"}, format="json")

    entry = AuditEntry.objects.get(action="feedback.create")
    assert entry.actor == kcc
    assert entry.details == {"channel": "api", "redacted": 0}


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00Z", "1899-12-31T12:00:00Z"])
def test_a_signal_received_before_1900_is_refused_by_name(api_for, kcc, moment):
    response = api_for(kcc).post(URL, {"text": "Oude melding", "receivedAt": moment}, format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["invalidParams"][0]["name"] == "receivedAt"
    assert "1900-01-01" in response.json()["invalidParams"][0]["reason"]
    assert not Feedback.objects.exists()
