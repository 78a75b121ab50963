# SPDX-License-Identifier: EUPL-1.2
"""``leerlus import`` as an operator types it."""

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from leerlus.feedback.models import Feedback, ImportBatch

LEERLUS = str(Path(sys.executable).with_name("leerlus"))


def write_csv(path: Path, rows: list[list[str]], *, delimiter: str = ";") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


ROWS = [
    ["kenmerk", "datum", "omschrijving", "kanaal", "dienst"],
    ["K-1", "31-12-2025 09:15", "Paspoort kwijt, wat nu?", "telefoon", "paspoort"],
    ["K-2", "31-12-2025 10:00", "Het portaal doet het niet", "website", ""],
    ["K-3", "morgen ooit", "Datum klopt niet", "balie", ""],
]


def run_import(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_json_output_is_one_object_and_progress_goes_to_stderr(tmp_path, organisation):
    path = write_csv(tmp_path / "kcc.csv", ROWS)

    out, err = run_import(str(path), "--org", "eendorp", "--source", "KCC", "--json")

    assert json.loads(out) == {"imported": 2, "rejected": 1, "duplicates": 0}
    assert out.count("\n") == 1
    assert "100%" in err
    assert "rows/s" in err
    assert Feedback.objects.filter(organisation=organisation, source="KCC").count() == 2


@pytest.mark.django_db
def test_second_run_counts_duplicates(tmp_path, organisation):
    path = write_csv(tmp_path / "kcc.csv", ROWS)
    run_import(str(path), "--org", "eendorp", "--source", "KCC", "--json")

    out, _err = run_import(str(path), "--org", "eendorp", "--source", "KCC", "--json")

    assert json.loads(out) == {"imported": 0, "rejected": 1, "duplicates": 2}


@pytest.mark.django_db
def test_plain_output_says_the_counts_and_where_the_rejected_rows_are(tmp_path, organisation):
    path = write_csv(tmp_path / "kcc.csv", ROWS)

    out, _err = run_import(str(path), "--org", "eendorp", "--source", "KCC")

    batch = ImportBatch.objects.get()
    assert f"Imported 2, rejected 1, duplicates 0 (3 rows, import {batch.pk})." in out
    assert f"/signals/imports/{batch.pk}/result/" in out


@pytest.mark.django_db
def test_progress_on_a_pipe_is_a_line_per_tenth(tmp_path, organisation):
    rows = [ROWS[0]] + [[f"K-{i}", "01-01-2026", f"Melding {i}", "", ""] for i in range(9000)]
    path = write_csv(tmp_path / "groot.csv", rows)

    _out, err = run_import(str(path), "--org", "eendorp", "--source", "KCC", "--json")

    lines = [line for line in err.strip().splitlines() if "rows/s" in line]  # not the mapping
    assert 2 <= len(lines) <= 11
    assert lines[-1].startswith("100% · 9,000 rows")


@pytest.mark.django_db
def test_mapping_file(tmp_path, organisation):
    path = write_csv(
        tmp_path / "oud.csv",
        [["Wat", "Wanneer", "Nr"], ["Lamp stuk", "12/24/2025", "77"]],
        delimiter=",",
    )
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps(
            {
                "text": "Wat",
                "received_at": "Wanneer",
                "external_id": "Nr",
                "defaults": {"channel": "phone"},
                "date_format": "%m/%d/%Y",
            }
        )
    )

    out, _err = run_import(
        str(path), "--org", "eendorp", "--source", "Oud", "--mapping", str(mapping), "--json"
    )

    assert json.loads(out)["imported"] == 1
    signal = Feedback.objects.get()
    assert (signal.channel, signal.external_id, signal.text) == ("phone", "77", "Lamp stuk")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "options", "message"),
    [
        (None, [], "File not found"),
        (b"tekst;datum\nhoi;01-01-2026\n", ["--org", "nergens"], "No organisation with slug"),
        ("tekst;datum\nhoi\n".encode("utf-16-le"), [], "unreadable encoding"),
        (b"", [], "has no rows"),
        (
            b"datum;kanaal\n01-01-2026;balie\n",
            [],
            "No text column found. Columns seen: datum, kanaal. Accepted names: text, tekst, "
            "omschrijving",
        ),
        (b"tekst;datum\nhoi;01-01-2026\n", ["--mapping", "missing.json"], "Mapping file not found"),
    ],
)
def test_bad_input_is_a_one_line_error(tmp_path, organisation, content, options, message):
    path = tmp_path / "invoer.csv"
    if content is not None:
        path.write_bytes(content)
    args = [str(path), "--source", "KCC", *options]
    if "--org" not in options:
        args += ["--org", "eendorp"]

    with pytest.raises(CommandError, match=message) as caught:
        run_import(*args)

    assert "\n" not in str(caught.value)


@pytest.mark.django_db
def test_a_file_of_another_kind_is_refused(tmp_path, organisation):
    path = tmp_path / "verslag.docx"
    path.write_bytes(b"PK")

    with pytest.raises(CommandError, match="Accepted: CSV, XLSX"):
        run_import(str(path), "--org", "eendorp", "--source", "KCC")


@pytest.mark.django_db
def test_an_invalid_mapping_file_is_refused(tmp_path, organisation):
    path = write_csv(tmp_path / "kcc.csv", ROWS)
    mapping = tmp_path / "mapping.json"
    mapping.write_text('{"tekst": "omschrijving"}')

    with pytest.raises(CommandError, match="tekst is not a field"):
        run_import(str(path), "--org", "eendorp", "--source", "KCC", "--mapping", str(mapping))


def _leerlus(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [LEERLUS, *args], env=env, capture_output=True, text=True, check=False, timeout=600
    )


def test_leerlus_import_on_a_fresh_database(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "leerlus.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        "LEERLUS_VAR_DIR": str(tmp_path),
    }
    rows = [list(row) for row in ROWS]
    rows[1][4] = "Paspoort en identiteitskaart"  # a service of the demo organisation, by name
    path = write_csv(tmp_path / "kcc.csv", rows)
    assert _leerlus("migrate", "--noinput", env=env).returncode == 0
    assert _leerlus("demo", env=env).returncode == 0

    first = _leerlus(
        "import", str(path), "--org", "voorbeeldstad", "--source", "KCC", "--json", env=env
    )
    second = _leerlus(
        "import", str(path), "--org", "voorbeeldstad", "--source", "KCC", "--json", env=env
    )
    wrong = _leerlus("import", str(path), "--org", "nergens", "--source", "KCC", env=env)

    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == {"imported": 2, "rejected": 1, "duplicates": 0}
    assert first.stdout.count("\n") == 1
    assert "100%" in first.stderr
    assert json.loads(second.stdout) == {"imported": 0, "rejected": 1, "duplicates": 2}
    assert wrong.returncode != 0
    assert wrong.stdout == ""
    assert "No organisation with slug 'nergens'" in wrong.stderr
