# SPDX-License-Identifier: EUPL-1.2
"""``leerlus patterns classify | trends | effect`` end to end, on small files the tests build."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from datetime import date
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook

from leerlus.demo.feedback_generator import demo_events, generate_feedback
from leerlus.engine.cli_analysis import main

START = date(2024, 1, 1)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ROOT = Path(__file__).resolve().parents[3]


@cache
def _signals() -> list[dict[str, str]]:
    return [
        {
            "kenmerk": s.external_id,
            "tekst": s.text,
            "datum": s.received_at.astimezone(AMSTERDAM).date().isoformat(),
            "thema": s.theme,
            "kanaal": s.channel,
            "afdeling": s.department,
        }
        for s in generate_feedback(start=START, days=400, mean_per_day=20.0)
    ]


def _write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _write_jsonl(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _write_xlsx(path: Path, rows: list[dict[str, str]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append(list(row.values()))
    book.save(path)
    return path


# --- classify ------------------------------------------------------------------------------


def test_classify_writes_id_label_confidence(tmp_path: Path) -> None:
    rows = _signals()
    train = _write_csv(tmp_path / "train.csv", rows[:900])
    items = _write_xlsx(tmp_path / "new.xlsx", rows[900:1000])
    out = tmp_path / "out.csv"
    model = tmp_path / "model.npz"
    code = main(
        [
            "classify",
            "--train", str(train),
            "--label-column", "afdeling",
            "--text-column", "tekst",
            "--id-column", "kenmerk",
            "--save-model", str(model),
            str(items),
            "--output", str(out),
            "--quiet",
        ]
    )  # fmt: skip
    assert code == 0
    with out.open(encoding="utf-8") as f:
        written = list(csv.DictReader(f))
    assert list(written[0]) == ["id", "label", "confidence"]
    assert [r["id"] for r in written] == [r["kenmerk"] for r in rows[900:1000]]
    right = sum(w["label"] == r["afdeling"] for w, r in zip(written, rows[900:1000], strict=True))
    assert right >= 70
    assert all(0.0 <= float(r["confidence"]) <= 1.0 for r in written)
    # The saved model routes without retraining; without --id-column ids are row numbers.
    again = tmp_path / "again.csv"
    code = main(
        [
            "classify", "--model", str(model), "--text-column", "tekst",
            str(items), "--output", str(again), "--unsure", "--quiet",
        ]
    )  # fmt: skip
    assert code == 0
    with again.open(encoding="utf-8") as f:
        second = list(csv.DictReader(f))
    assert [r["id"] for r in second] == [str(i) for i in range(100)]
    assert [r["label"] for r in second] == [r["label"] for r in written]
    assert {r["unsure"] for r in second} <= {"yes", "no"}


def test_classify_quotes_ids_that_start_like_a_formula(tmp_path: Path) -> None:
    rows = _signals()
    train = _write_csv(tmp_path / "train.csv", rows[:600])
    items = _write_csv(
        tmp_path / "new.csv", [{**r, "kenmerk": "@" + r["kenmerk"]} for r in rows[600:620]]
    )
    out = tmp_path / "out.csv"
    code = main(
        [
            "classify", "--train", str(train), "--label-column", "afdeling",
            "--text-column", "tekst", "--id-column", "kenmerk",
            str(items), "--output", str(out), "--quiet",
        ]
    )  # fmt: skip
    assert code == 0
    with out.open(encoding="utf-8") as f:
        written = list(csv.DictReader(f))
    assert [r["id"] for r in written] == ["'@" + r["kenmerk"] for r in rows[600:620]]


# --- trends --------------------------------------------------------------------------------


def test_trends_writes_alerts_with_ids_and_examples(tmp_path: Path) -> None:
    rows = _signals()
    data = _write_jsonl(tmp_path / "signals.jsonl", rows)
    out = tmp_path / "alerts.json"
    code = main(
        [
            "trends", str(data),
            "--text-column", "tekst", "--date-column", "datum", "--group-column", "thema",
            "--channel-column", "kanaal", "--id-column", "kenmerk",
            "--output", str(out), "--quiet",
        ]
    )  # fmt: skip
    assert code == 0
    alerts = json.loads(out.read_text(encoding="utf-8"))
    assert isinstance(alerts, list)
    assert alerts
    for alert in alerts:
        assert {"theme", "label", "kind", "start", "score", "examples", "ids"} <= set(alert)
        assert alert["kind"] in ("spike", "level_shift", "new_theme")
        date.fromisoformat(alert["start"])
        assert alert["ids"]
        assert len(alert["examples"]) <= 3
    by_id = {r["kenmerk"]: r for r in rows}
    waste = [a for a in alerts if a["theme"] == "afvalkalender-vragen" and a["channel"] is None]
    assert waste, "the waste calendar campaign should raise an alert"
    assert all(by_id[i]["thema"] == "afvalkalender-vragen" for i in waste[0]["ids"])


def test_trends_discovers_themes_without_a_group_column(tmp_path: Path) -> None:
    rows = _signals()[:2500]
    data = _write_csv(tmp_path / "signals.csv", rows)
    out = tmp_path / "alerts.json"
    code = main(
        [
            "trends", str(data), "--text-column", "tekst", "--date-column", "datum",
            "--output", str(out), "--quiet",
        ]
    )  # fmt: skip
    assert code == 0
    alerts = json.loads(out.read_text(encoding="utf-8"))
    assert isinstance(alerts, list)
    for alert in alerts:
        assert alert["label"]
        assert all(i.isdigit() for i in alert["ids"])  # row numbers from 0


# --- effect --------------------------------------------------------------------------------


def test_effect_reports_the_release_and_what_changed(tmp_path: Path) -> None:
    rows = _signals()
    data = _write_csv(tmp_path / "signals.csv", rows)
    out = tmp_path / "effect.json"
    release = next(e.occurred_on for e in demo_events(START) if e.slug.startswith("release-mijn"))
    code = main(
        [
            "effect", str(data),
            "--text-column", "tekst", "--date-column", "datum", "--group-column", "thema",
            "--channel-column", "kanaal",
            "--event-date", release.isoformat(), "--theme", "upload-mislukt",
            "--output", str(out), "--quiet",
        ]
    )  # fmt: skip
    assert code == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    (effect,) = result["effects"]
    assert effect["theme"] == "upload-mislukt"
    assert effect["status"] == "ok"
    assert effect["low"] > 0.5  # the release more than doubled upload complaints
    top = result["changes"][0]
    assert top["theme"] == "upload-mislukt"
    assert top["significant"]


# --- bad input -----------------------------------------------------------------------------


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    return code, err[-1] if err else ""


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return _write_csv(tmp_path / "small.csv", _signals()[:300])


def test_missing_column_is_one_clear_line(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, line = _run(
        ["trends", str(small), "--text-column", "body", "--date-column", "datum",
         "--group-column", "thema", "--output", str(tmp_path / "a.json")],
        capsys,
    )  # fmt: skip
    assert code == 2
    assert line.startswith("error: small.csv: no column 'body' for --text-column")


def test_empty_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    code, line = _run(
        ["classify", "--model", str(empty), "--text-column", "tekst", str(empty),
         "--output", str(tmp_path / "o.csv")],
        capsys,
    )  # fmt: skip
    assert code == 2
    assert "error:" in line
    header_only = tmp_path / "header.csv"
    header_only.write_text("tekst,datum\n", encoding="utf-8")
    code, line = _run(
        ["trends", str(header_only), "--text-column", "tekst", "--date-column", "datum",
         "--group-column", "tekst", "--output", str(tmp_path / "a.json")],
        capsys,
    )  # fmt: skip
    assert code == 2
    assert "has no rows" in line


def test_unreadable_encoding(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"tekst,datum\n\x00\x01\x02\xff\xfe" * 50)
    code, line = _run(
        ["trends", str(binary), "--text-column", "tekst", "--date-column", "datum",
         "--group-column", "tekst", "--output", str(tmp_path / "a.json")],
        capsys,
    )  # fmt: skip
    assert code == 2
    assert "encoding" in line


def test_unparsable_date_names_the_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = _signals()[:50]
    rows[7] = {**rows[7], "datum": "gisteren"}
    data = _write_csv(tmp_path / "dates.csv", rows)
    code, line = _run(
        ["effect", str(data), "--text-column", "tekst", "--date-column", "datum",
         "--group-column", "thema", "--event-date", "2024-01-20",
         "--output", str(tmp_path / "e.json")],
        capsys,
    )  # fmt: skip
    assert code == 2
    assert "row 9" in line
    assert "'gisteren'" in line
    assert "not a date" in line


def test_bad_event_date_and_unknown_theme(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["effect", str(small), "--text-column", "tekst", "--date-column", "datum",
            "--group-column", "thema", "--output", str(tmp_path / "e.json")]  # fmt: skip
    code, line = _run([*base, "--event-date", "31-02-2024"], capsys)
    assert code == 2
    assert "--event-date" in line
    code, line = _run([*base, "--event-date", "2030-01-01"], capsys)
    assert code == 2
    assert "outside the data" in line
    code, line = _run([*base, "--event-date", "2024-01-10", "--theme", "nope"], capsys)
    assert code == 2
    assert "--theme 'nope'" in line


def test_classify_with_one_label_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [{"tekst": f"tekst {i}", "label": "a"} for i in range(10)]
    train = _write_csv(tmp_path / "train.csv", rows)
    code, line = _run(
        ["classify", "--train", str(train), "--label-column", "label", "--text-column", "tekst",
         str(train), "--output", str(tmp_path / "o.csv")],
        capsys,
    )  # fmt: skip
    assert code == 2
    assert "at least two labels" in line


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, line = _run(
        ["trends", str(tmp_path / "nope.csv"), "--text-column", "t", "--date-column", "d",
         "--output", str(tmp_path / "a.json")],
        capsys,
    )  # fmt: skip
    assert code == 2
    assert "no such file" in line


# --- as a separate process -------------------------------------------------------------------


def _leerlus_has_patterns() -> bool:
    exe = shutil.which("leerlus", path=str(ROOT / ".venv" / "bin"))
    if exe is None:
        return False
    done = subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [exe, "patterns", "--help"], capture_output=True, text=True, timeout=120, check=False
    )
    return done.returncode == 0 and "classify" in done.stdout


def test_the_module_runs_as_a_process_with_progress_on_stderr(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "alerts.json"
    done = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "leerlus.engine.cli_analysis", "trends", str(small),
         "--text-column", "tekst", "--date-column", "datum", "--group-column", "thema",
         "--output", str(out)],
        capture_output=True, text=True, timeout=300, check=False, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "series over" in done.stderr
    assert isinstance(json.loads(out.read_text(encoding="utf-8")), list)


@pytest.mark.skipif(not _leerlus_has_patterns(), reason="`leerlus patterns` is not wired yet")
def test_leerlus_patterns_classify_as_installed(tmp_path: Path) -> None:
    rows = _signals()
    train = _write_csv(tmp_path / "train.csv", rows[:600])
    items = _write_csv(tmp_path / "items.csv", rows[600:650])
    out = tmp_path / "out.csv"
    exe = str(ROOT / ".venv" / "bin" / "leerlus")
    done = subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [exe, "patterns", "classify", "--train", str(train), "--label-column", "afdeling",
         "--text-column", "tekst", str(items), "--output", str(out)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with out.open(encoding="utf-8") as f:
        assert len(list(csv.DictReader(f))) == 50
