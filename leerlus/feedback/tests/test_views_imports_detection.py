# SPDX-License-Identifier: EUPL-1.2
"""The import wizard fills in its mapping step with the detector's choices (by name and by
content), says why for each, marks the unsure ones, and can create the missing services."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from leerlus.feedback.models import Feedback, ImportBatch
from leerlus.organisations.models import Organisation, Service, User
from leerlus.patterns.models import ThemeState

from . import other_system
from .test_import_detection import AMBIGUOUS, no_theme_assignment  # noqa: F401 - a fixture


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def english_client(client_for, analyst: User) -> Client:
    client = client_for(analyst)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def upload(client: Client, content: bytes, name: str = "meldingen-export.csv") -> ImportBatch:
    response = client.post(
        reverse("imports:start"),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv"), "source": "MOR"},
    )
    assert response.status_code == 302, response.content.decode()
    return ImportBatch.objects.latest("pk")


def prefilled(page: str) -> dict[str, str]:
    """What the mapping form sends when the person changes nothing."""
    data: dict[str, str] = {}
    for name, options in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        selected = re.search(r'<option value="([^"]*)" selected>', options)
        data[name] = selected.group(1) if selected else ""
    for name, value in re.findall(r'<input type="text" name="([^"]+)"[^>]*value="([^"]*)"', page):
        data[name] = value
    return data


def help_of(page: str, field: str) -> str:
    found = re.search(rf'id="id_column_{field}-help">([^<]*)<', page)
    return found.group(1) if found else ""


def test_the_other_systems_export_is_mapped_by_the_wizard_without_any_choice(
    english_client,
    organisation: Organisation,
    no_theme_assignment,  # noqa: F811 - the fixture imported above
    django_capture_on_commit_callbacks,
):
    other_system.with_services_and_teams(organisation)
    batch = upload(english_client, other_system.export_bytes())

    page = english_client.get(reverse("imports:mapping", args=[batch.pk])).content.decode()

    assert prefilled(page) | {"default_channel": "import"} == {
        "column_text": "description",
        "column_received_at": "created",
        "column_channel": "source",
        "column_service": "categoryName",
        "column_department": "teamName",
        "column_reporter_kind": "",
        "column_rating": "",
        "column_location": "regionName",
        "column_case_url": "",
        "column_language": "",
        "column_external_id": "id",
        "default_channel": "import",
    }
    assert "recognised by their name or by the values in the first rows" in page
    assert help_of(page, "received_at") == (
        "Recognised by its name and values (98% sure): 30 of 30 values are dates."
    )
    assert help_of(page, "text") == "Recognised by its name."
    assert "Not sure" not in page

    posted = english_client.post(reverse("imports:mapping", args=[batch.pk]), prefilled(page))
    assert posted.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        english_client.post(reverse("imports:run", args=[batch.pk]))

    batch.refresh_from_db()
    assert (batch.imported, batch.rejected) == (30, 0)
    assert Feedback.objects.filter(batch=batch, service__isnull=False).count() == 30
    assert ThemeState.objects.get(organisation=organisation).routing_trained_at is not None


def test_missing_services_are_named_and_created_when_asked(
    english_client, organisation: Organisation
):
    other_system.with_services_and_teams(organisation, missing=("Groen",))
    batch = upload(english_client, other_system.export_bytes())
    page = english_client.get(reverse("imports:mapping", args=[batch.pk])).content.decode()
    assert "not yet services of this organisation: Groen." in page
    assert 'name="create_services"' in page

    english_client.post(
        reverse("imports:mapping", args=[batch.pk]), prefilled(page) | {"create_services": "on"}
    )
    preview = english_client.get(reverse("imports:preview", args=[batch.pk])).content.decode()
    assert "20 of them can be imported" in preview  # Groen too, to be created
    assert not Service.objects.filter(organisation=organisation, name="Groen").exists()
    english_client.post(reverse("imports:run", args=[batch.pk]))

    batch.refresh_from_db()
    assert (batch.imported, batch.rejected) == (30, 0)
    assert Feedback.objects.filter(batch=batch, service__name="Groen").count() == 6


def test_an_unsure_column_is_marked_on_the_mapping_step(english_client, organisation):
    batch = upload(english_client, AMBIGUOUS.encode(), name="twee-datums.csv")

    page = english_client.get(reverse("imports:mapping", args=[batch.pk])).content.decode()

    assert 'id="mapping-unsure"' in page
    assert "check the column chosen for Date received" in page
    assert help_of(page, "received_at").startswith("Not sure: check this column.")
    assert "It could also be “b”." in help_of(page, "received_at")
    assert prefilled(page)["column_received_at"] == "a"
