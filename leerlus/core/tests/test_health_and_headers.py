# SPDX-License-Identifier: EUPL-1.2
from datetime import timedelta

import pytest
from django.utils import timezone

from leerlus.core.models import WorkerHeartbeat
from leerlus.core.tasks import record_worker_heartbeat

pytestmark = pytest.mark.django_db


def test_health_reports_database_ok_and_no_worker(client):
    response = client.get("/health")

    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "worker": "down",
        "workers": 0,
    }


def test_health_counts_workers_with_a_recent_heartbeat(client):
    record_worker_heartbeat.delay()
    WorkerHeartbeat.objects.create(worker="old", seen_at=timezone.now() - timedelta(hours=1))

    body = client.get("/health").json()

    assert body["status"] == "ok"
    assert body["worker"] == "ok"
    assert body["workers"] == 1


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/")

    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"]


def test_pages_have_no_inline_scripts(client):
    html = client.get("/").content.decode()

    assert "<script>" not in html
    assert all("src=" in tag for tag in html.split("<script")[1:])


def test_dutch_by_default_english_on_request(client):
    dutch = client.get("/").content.decode()
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert '<html lang="nl"' in dutch
    assert "Inloggen" in dutch
    assert '<html lang="en"' in english
    assert "Log in" in english


def test_language_switch_is_remembered(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert '<html lang="en"' in client.get("/").content.decode()


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
