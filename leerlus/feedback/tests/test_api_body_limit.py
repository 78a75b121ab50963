# SPDX-License-Identifier: EUPL-1.2
"""``POST /api/v1/feedback/bulk`` takes the largest body its contract allows (1,000 items of
10,000 characters, every field at its longest); one byte more, or a body over the limit of
any other endpoint, is a 413 problem naming the limit."""

import json

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from leerlus.feedback.api import BULK_MAX_BODY_BYTES, MAX_BULK
from leerlus.feedback.models import Feedback
from leerlus.organisations.roles import Role
from leerlus.organisations.services import api_token_create

pytestmark = pytest.mark.django_db

BULK = "/api/v1/feedback/bulk"
EMOJI = "\U0001f600"  # 4 bytes in UTF-8, the most a character takes


def _longest_item(number: int) -> dict[str, object]:
    """A valid item with every field at its longest, each character at 4 bytes where the
    field allows any character."""
    return {
        "text": f"{number:05d}" + EMOJI * 9_995,
        "channel": "social_media",
        "receivedAt": "2026-03-02T09:15:00.123456789012+01:00",
        "service": "paspoort",
        "department": "publiekszaken",
        "reporterKind": "business",
        "rating": 5,
        "location": EMOJI * 200,
        "confidential": False,
        "externalId": f"{number:05d}" + EMOJI * 95,
        "source": EMOJI * 100,
        "caseUrl": "https://zaken.example.nl/" + EMOJI * 175,
        "language": EMOJI * 8,
        "contact": {
            "name": EMOJI * 200,
            "email": "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 57 + ".nl",
            "phone": EMOJI * 30,
            "consent": False,
        },
    }


def _body(items: list[dict[str, object]], size: int) -> bytes:
    """``items`` as compact UTF-8 JSON, padded with trailing spaces to ``size`` bytes."""
    body = json.dumps({"items": items}, ensure_ascii=False, separators=(",", ":")).encode()
    assert len(body) <= size
    return body + b" " * (size - len(body))


@pytest.fixture
def api(make_user) -> APIClient:
    client = APIClient()
    user = make_user(Role.FRONT_OFFICE, username="koppeling")
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user)}")
    return client


def test_the_longest_item_fits_its_share_of_the_limit_with_room_for_indentation():
    item = json.dumps(_longest_item(1), ensure_ascii=False, indent=2).encode()

    assert len(item) * MAX_BULK + len(b'{"items": []}') <= BULK_MAX_BODY_BYTES


def test_a_bulk_body_of_exactly_the_limit_is_stored(api):
    """Two of the longest items, padded to the limit: the size passes, the items are stored.
    (The full contract, 1,000 such items, was posted once by hand: 201 in 33 s on
    PostgreSQL, nearly all of it redaction; too slow for the suite, so the test above checks
    its size instead.)"""
    items = [_longest_item(number) for number in range(2)]

    response = api.post(BULK, _body(items, BULK_MAX_BODY_BYTES), content_type="application/json")

    assert response.status_code == 201, response.content[:500]
    assert response.json()["imported"] == 2
    assert Feedback.objects.count() == 2


def test_one_byte_over_the_bulk_limit_is_a_413_naming_it(api):
    response = api.post(
        BULK, _body([{"text": "hallo"}], BULK_MAX_BODY_BYTES + 1), content_type="application/json"
    )

    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert f"{BULK_MAX_BODY_BYTES:,} bytes" in response.json()["detail"]
    assert Feedback.objects.count() == 0


def test_other_endpoints_keep_the_general_limit(api):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    json_body = b'{"text": "hallo"}'.ljust(limit + 1)
    form_body = b"subject=hallo&body-plain=" + b"x" * limit

    create = api.post("/api/v1/feedback", json_body, content_type="application/json")
    mail = api.post(
        "/api/v1/inbound-email", form_body, content_type="application/x-www-form-urlencoded"
    )

    for response in (create, mail):
        assert response.status_code == 413
        assert response["Content-Type"] == "application/problem+json"
        assert f"{limit:,} bytes" in response.json()["detail"]
    assert Feedback.objects.count() == 0
