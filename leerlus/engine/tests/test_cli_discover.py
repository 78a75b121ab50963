# SPDX-License-Identifier: EUPL-1.2
import csv
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from leerlus.demo.feedback_generator import generate_feedback
from leerlus.engine.cli import main

LEERLUS = Path(sys.executable).with_name("leerlus")


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    signals = list(generate_feedback(start=date(2025, 1, 1), days=20, mean_per_day=25))
    path = folder / "signals.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["kenmerk", "tekst"])
        writer.writerows((s.external_id, s.text) for s in signals)
    jsonl = folder / "signals.jsonl"
    jsonl.write_text(
        "".join(json.dumps({"text": s.text}, ensure_ascii=False) + "\n" for s in signals),
        "utf-8",
    )
    return path, jsonl, signals


def _rows(path):
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_discover_in_process_writes_ids_themes_and_the_themes_file(export, tmp_path):
    path, _, signals = export
    out, themes_out, model_out = tmp_path / "out.csv", tmp_path / "t.json", tmp_path / "m.json"
    code = main(
        [
            "discover",
            str(path),
            "--text-column",
            "tekst",
            "--id-column",
            "kenmerk",
            "--output",
            str(out),
            "--themes-output",
            str(themes_out),
            "--model-output",
            str(model_out),
            "--quiet",
        ]
    )
    assert code == 0
    rows = _rows(out)
    assert [r["id"] for r in rows] == [s.external_id for s in signals]
    themes = json.loads(themes_out.read_text("utf-8"))
    listed = {t["id"] for t in themes["theme_list"]}
    assert {int(r["theme"]) for r in rows} <= listed | {-1}
    for theme in themes["theme_list"]:
        assert theme["label"]
        assert theme["key_terms"]
        assert theme["examples"]
        assert theme["size"] == sum(int(r["theme"]) == theme["id"] for r in rows)
    assert themes["unassigned"] == sum(r["theme"] == "-1" for r in rows)
    rerun = tmp_path / "again.csv"
    code = main(
        [
            "discover",
            str(path),
            "--text-column",
            "tekst",
            "--output",
            str(rerun),
            "--previous-model",
            str(model_out),
            "--quiet",
        ]
    )
    assert code == 0
    assert [r["id"] for r in _rows(rerun)][:3] == ["0", "1", "2"]


def test_discover_quotes_ids_that_start_like_a_formula(export, tmp_path):
    _, _, signals = export
    path = tmp_path / "formulas.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text"])
        writer.writerows((f"=HYPERLINK({i})", s.text) for i, s in enumerate(signals))
    out = tmp_path / "out.csv"

    args = ["--text-column", "text", "--id-column", "id", "--output", str(out), "--quiet"]

    code = main(["discover", str(path), *args])

    assert code == 0
    rows = _rows(out)
    assert [r["id"] for r in rows] == [f"'=HYPERLINK({i})" for i in range(len(signals))]
    assert all(int(r["theme"]) >= -1 for r in rows)  # a theme number stays a number


def test_discover_as_a_command_reads_jsonl_and_reports_progress(export, tmp_path):
    _, jsonl, signals = export
    out = tmp_path / "out.csv"
    command = [str(LEERLUS), "patterns", "discover", str(jsonl), "--text-column", "text"]
    done = subprocess.run(  # noqa: S603 - the project's own command, fixed arguments
        [*command, "--output", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "themes" in done.stderr
    rows = _rows(out)
    assert len(rows) == len(signals)
    assert rows[0]["id"] == "0"


def _fails(args, capsys):
    code = main(["discover", *args, "--output", "unused.csv", "--quiet"])
    error = capsys.readouterr().err.strip()
    assert code != 0
    assert error.startswith("error:")
    assert "\n" not in error
    return error


def test_missing_column_is_a_one_line_error(export, capsys):
    path, _, _ = export
    assert "no column 'text'" in _fails([str(path), "--text-column", "text"], capsys)


def test_empty_file_is_a_one_line_error(tmp_path, capsys):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert "no rows" in _fails([str(empty), "--text-column", "text"], capsys)
    header_only = tmp_path / "header.csv"
    header_only.write_text("text\n", "utf-8")
    assert "no rows" in _fails([str(header_only), "--text-column", "text"], capsys)


def test_unreadable_encoding_is_a_one_line_error(tmp_path, capsys):
    binary = tmp_path / "utf16.csv"
    binary.write_bytes("text\nhallo\n".encode("utf-16-le"))
    assert "encoding" in _fails([str(binary), "--text-column", "text"], capsys)


def test_a_row_with_a_nul_byte_is_read_without_it(tmp_path):
    from leerlus.engine.io import read_texts

    path = tmp_path / "nul.csv"
    path.write_bytes(b"text\nEen\nTw\x00ee\nDrie\n")

    assert read_texts(path, text_column="text").texts == ["Een", "Twee", "Drie"]


def test_missing_file_is_a_one_line_error(tmp_path, capsys):
    assert "no such file" in _fails([str(tmp_path / "nope.csv"), "--text-column", "t"], capsys)


def test_bad_input_as_a_command_exits_non_zero_with_one_line(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    command = [str(LEERLUS), "patterns", "discover", str(empty), "--text-column", "text"]
    done = subprocess.run(  # noqa: S603 - the project's own command, fixed arguments
        [*command, "--output", str(tmp_path / "o.csv")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
