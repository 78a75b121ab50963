# SPDX-License-Identifier: EUPL-1.2
"""Files to import in the tests, and the signals they leave."""

import csv
import io
from pathlib import Path
from typing import Any

from leerlus.feedback.models import Feedback
from leerlus.organisations.models import Organisation

HEADER = ["id", "datum", "tekst", "kanaal", "dienst", "score"]


def write_csv(
    tmp_path: Path,
    rows: list[list[Any]],
    *,
    header: list[str] = HEADER,
    delimiter: str = ";",
    encoding: str = "utf-8",
    name: str = "export.csv",
) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path = tmp_path / name
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def signals_of(organisation: Organisation) -> list[Feedback]:
    return list(Feedback.objects.filter(organisation=organisation).order_by("received_at", "pk"))


GOOD_ROWS = [
    ["A-1", "31-12-2025", "Café bij de balie duurde € 5 te lang", "balie", "Paspoort", "2"],
    ["A-2", "31-12-2025 14:05", "Mijn BSN is 123456782, bel 0612345678", "telefoon", "", ""],
    ["A-3", "2025-12-31T14:05:00Z", "Formulier werkt niet", "", "paspoort", "5"],
]
