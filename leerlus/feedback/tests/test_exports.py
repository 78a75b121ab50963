# SPDX-License-Identifier: EUPL-1.2
"""Exports of signals: a citizen's text that looks like a formula stays text."""

import csv
import io
import json
import re
import zipfile

import pytest
from django.core.cache import cache
from django.utils import timezone

from leerlus.feedback.forms.signals import public_form_stamp
from leerlus.feedback.models import Feedback

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://x","klik hier")'


@pytest.fixture
def formula_signal(client, organisation) -> Feedback:
    """A citizen sends a formula through the public form."""
    cache.clear()  # the form's rate limit
    issued = public_form_stamp(issued_at=timezone.now().timestamp() - 30)
    client.post(
        "/feedback/eendorp",
        {"text": HYPERLINK, "service": "", "rating": "", "issued": issued, "website": ""},
    )
    return Feedback.objects.get(text=HYPERLINK)


def _download(client, file_format: str) -> bytes:
    response = client.get(f"/signals/export?format={file_format}")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_a_formula_from_the_public_form_is_text_in_the_xlsx_export(
    formula_signal, client_for, analyst
):
    content = _download(client_for(analyst), "xlsx")

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
    assert "<f " not in sheet
    cell = re.search(r'<c r="I2"([^>]*)><is><t>([^<]*)</t>', sheet)
    assert cell is not None
    assert 't="inlineStr"' in cell.group(1)
    assert cell.group(2) == "'" + HYPERLINK


def test_a_formula_from_the_public_form_is_quoted_in_the_csv_and_kept_in_json(
    formula_signal, client_for, analyst
):
    client = client_for(analyst)

    rows = list(csv.DictReader(io.StringIO(_download(client, "csv").decode().lstrip("\ufeff"))))
    as_json = json.loads(_download(client, "json"))

    assert [row["text"] for row in rows] == ["'" + HYPERLINK]
    assert [item["text"] for item in as_json] == [HYPERLINK]
