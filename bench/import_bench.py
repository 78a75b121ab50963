# SPDX-License-Identifier: EUPL-1.2
"""Speed and memory of ``leerlus import`` on a large, realistic CSV file.

Run from the repository root::

    .venv/bin/python bench/import_bench.py --rows 1000000 \\
        --database-url postgres://postgres@127.0.0.1:5432/leerlus_bench

What it does:

1. writes a CSV of ``--rows`` signals from the demo generator (``;``-separated, Dutch dates
   such as ``31-12-2025 14:05``, Dutch channel names, services by name, a few rows with an
   unreadable date so that the rejection path is exercised), cached under ``var/bench/``;
2. drops and creates the bench database (or removes the SQLite file), migrates it and loads
   the demo organisation, with ``leerlus migrate`` and ``leerlus demo``;
3. runs ``leerlus import FILE --org voorbeeldstad --source bench --json`` as a subprocess and
   samples, every 0.1 s, the resident memory of it and of its worker processes
   (``/proc/<pid>/status``: VmRSS, and VmHWM, the kernel's own peak), while reading the
   progress lines it writes to stderr;
4. writes ``bench/results/import.json`` (``import-<rows>.json`` for another row count) and
   prints a markdown table row.

``--twice`` imports the same file a second time, which must import nothing (all duplicates).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from leerlus.demo.feedback_generator import SERVICES, generate_feedback  # noqa: E402

LEERLUS = str(Path(sys.executable).with_name("leerlus"))
RESULTS = ROOT / "bench" / "results"
CACHE = ROOT / "var" / "bench"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
GENERATOR_VERSION = 1  # bump when the file's layout changes, so a cached file is rewritten
CHANNEL_WORDS = {
    "web_form": "website",
    "phone": "telefoon",
    "counter": "balie",
    "email": "e-mail",
    "chat": "chat",
    "social_media": "sociale media",
}
REPORTER_WORDS = {"citizen": "inwoner", "business": "bedrijf", "staff": "medewerker"}
SERVICE_NAMES = {slug: name for slug, name, _department in SERVICES}
UNREADABLE_EVERY = 500  # one row in 500 gets a date nobody can read


def write_csv(rows: int, path: Path) -> None:
    """``rows`` demo signals; two years of days, as many a day as needed."""
    days = 730
    per_day = rows / days * 1.08  # the generator's volume varies; ask for a little more
    signals = generate_feedback(start=date(2024, 1, 1), days=days, mean_per_day=per_day)
    tmp = path.with_suffix(".tmp")
    written = 0
    with tmp.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(
            [
                "kenmerk",
                "datum",
                "omschrijving",
                "kanaal",
                "dienst",
                "afdeling",
                "melder",
                "waardering",
            ]
        )
        for number, signal in enumerate(islice(signals, rows), start=1):
            received = signal.received_at.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M")
            writer.writerow(
                [
                    signal.external_id,
                    "onbekend" if number % UNREADABLE_EVERY == 0 else received,
                    signal.text,
                    CHANNEL_WORDS.get(signal.channel, signal.channel),
                    SERVICE_NAMES[signal.service],
                    signal.department,
                    REPORTER_WORDS.get(signal.reporter_kind, signal.reporter_kind),
                    "" if signal.rating is None else signal.rating,
                ]
            )
            written += 1
    if written < rows:
        tmp.unlink()
        raise SystemExit(f"the generator made only {written} rows; raise the volume")
    tmp.replace(path)


def fresh_database(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        Path(parts.path).unlink(missing_ok=True)
        return
    import psycopg

    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def leerlus(*args: str, env: dict[str, str]) -> None:
    done = subprocess.run(  # noqa: S603
        [LEERLUS, *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"leerlus {' '.join(args)} failed:\n{done.stderr}")


def _status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process in KiB (empty once it is gone)."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    values = {}
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (None once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _load_average() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


class DatabaseServerCpu:
    """CPU time of the PostgreSQL backends serving the bench database, sampled while the
    import runs (a backend's last sample counts once it has exited)."""

    def __init__(self, url: str) -> None:
        self.database = urlsplit(url).path.lstrip("/")
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.connection: Any = None
        if urlsplit(url).scheme.startswith("postgres"):
            import psycopg

            self.connection = psycopg.connect(url, autocommit=True)

    def sample(self) -> None:
        if self.connection is None:
            return
        own = self.connection.info.backend_pid
        rows = self.connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.database]
        ).fetchall()
        for (pid,) in rows:
            seconds = _cpu_seconds(pid) if pid != own else None
            if seconds is not None:
                self.first.setdefault(pid, seconds)
                self.last[pid] = seconds

    def seconds(self) -> float:
        if self.connection is not None:
            self.connection.close()
        return sum(self.last[pid] - self.first[pid] for pid in self.last)


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def run_import(
    path: Path, env: dict[str, str], workers: int | None, database_url: str
) -> dict[str, Any]:
    command = [
        LEERLUS,
        "import",
        str(path),
        "--org",
        "voorbeeldstad",
        "--source",
        "bench",
        "--json",
    ]
    if workers:
        command += ["--workers", str(workers)]
    server = DatabaseServerCpu(database_url)
    load_before = _load_average()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    process = subprocess.Popen(  # noqa: S603
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    progress: list[tuple[float, str]] = []

    def read_progress() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            progress.append((round(time.monotonic() - started, 1), line.rstrip()))

    reader = threading.Thread(target=read_progress, daemon=True)
    reader.start()
    peak_parent = peak_tree = 0
    hwm: dict[int, int] = {}
    samples: list[tuple[float, int]] = []
    loads: list[float] = []
    cpu_by_process: dict[int, float] = {}
    while process.poll() is None:
        tree = [process.pid, *_children(process.pid)]
        total = 0
        for pid in tree:
            seconds = _cpu_seconds(pid)
            if seconds is not None:
                cpu_by_process[pid] = seconds
            status = _status(pid)
            total += status.get("VmRSS", 0)
            if "VmHWM" in status:
                hwm[pid] = max(hwm.get(pid, 0), status["VmHWM"])
        parent = _status(process.pid).get("VmRSS", 0)
        peak_parent = max(peak_parent, parent)
        peak_tree = max(peak_tree, total)
        samples.append((time.monotonic() - started, parent))
        loads.append(_load_average())
        if len(samples) % 5 == 1:
            server.sample()
        time.sleep(0.1)
    wall = time.monotonic() - started
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # The importer and its workers (reaped by it, so counted in its children's time).
    import_cpu = (children_after.ru_utime - children_before.ru_utime) + (
        children_after.ru_stime - children_before.ru_stime
    )
    server_cpu = server.seconds()
    stdout = process.stdout.read() if process.stdout else ""
    reader.join(timeout=5)
    if process.returncode:
        raise SystemExit("leerlus import failed:\n" + "\n".join(line for _t, line in progress))
    counts = json.loads(stdout)
    # Flat memory: the parent's memory in the last half of the run against the first half.
    half = [rss for t, rss in samples if t > wall / 2]
    first = [rss for t, rss in samples if 1.0 < t <= wall / 2]
    cores = os.cpu_count() or 1
    rows = max(1, sum(counts.values()))
    return {
        "counts": counts,
        "wall_seconds": round(wall, 1),
        "cpu_seconds": {
            "importer_and_workers": round(import_cpu, 1),
            "database_server": round(server_cpu, 1),
            "per_1000_rows": round((import_cpu + server_cpu) / rows * 1000, 3),
            "sampled_importing_process": round(cpu_by_process.get(process.pid, 0.0), 1),
            "sampled_workers": round(
                sum(v for pid, v in cpu_by_process.items() if pid != process.pid), 1
            ),
        },
        # Other work on the machine slows the import down: the CPU time it needed, spread over
        # every core, is how long it would take on a machine doing nothing else.
        "wall_seconds_if_cpus_were_free": round((import_cpu + server_cpu) / cores, 1),
        "load_average": {
            "before": load_before,
            "mean_during": round(sum(loads) / max(1, len(loads)), 2),
        },
        "peak_rss_mib": {
            "importing_process": round(hwm.get(process.pid, peak_parent) / 1024, 1),
            "all_processes_sampled": round(peak_tree / 1024, 1),
            "per_worker": sorted(
                (round(kib / 1024, 1) for pid, kib in hwm.items() if pid != process.pid),
                reverse=True,
            ),
            "importing_process_first_half_max": round(max(first, default=0) / 1024, 1),
            "importing_process_second_half_max": round(max(half, default=0) / 1024, 1),
        },
        "progress_lines": [f"{t:>7.1f}s {line}" for t, line in progress],
    }


def machine() -> dict[str, Any]:
    memory = next(
        (
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        "0",
    )
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(int(memory) / 1024 / 1024, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def database_version(url: str) -> str:
    if urlsplit(url).scheme.startswith("sqlite"):
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    import psycopg

    with psycopg.connect(url) as connection:
        row = connection.execute("SHOW server_version").fetchone()
    return f"PostgreSQL {row[0] if row else '?'}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/leerlus_bench"
    )
    parser.add_argument("--workers", type=int, help="passed to leerlus import (default: auto)")
    parser.add_argument("--twice", action="store_true", help="import the same file again")
    parser.add_argument("--output", type=Path, help="where the JSON result goes")
    args = parser.parse_args()

    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"import-{args.rows}-v{GENERATOR_VERSION}.csv"
    if not path.exists():
        started = time.monotonic()
        write_csv(args.rows, path)
        print(f"wrote {path} in {time.monotonic() - started:.0f} s", file=sys.stderr)

    with tempfile.TemporaryDirectory() as var_dir:
        env = {
            **os.environ,
            "DATABASE_URL": args.database_url,
            "DJANGO_SETTINGS_MODULE": "leerlus.settings.local",
            "LEERLUS_VAR_DIR": var_dir,
            "LEERLUS_DEMO": "1",
        }
        fresh_database(args.database_url)
        leerlus("migrate", "--noinput", env=env)
        leerlus("demo", env=env)
        first = run_import(path, env, args.workers, args.database_url)
        second = run_import(path, env, args.workers, args.database_url) if args.twice else None

    rows_per_second = round(args.rows / first["wall_seconds"])
    result: dict[str, Any] = {
        "command": " ".join(
            [
                ".venv/bin/python bench/import_bench.py",
                f"--rows {args.rows}",
                f"--database-url {args.database_url}",
            ]
            + ([f"--workers {args.workers}"] if args.workers else [])
            + (["--twice"] if args.twice else [])
        ),
        "rows": args.rows,
        "file_mib": round(path.stat().st_size / 1024 / 1024, 1),
        "database": database_version(args.database_url),
        "workers": args.workers or "auto",
        "rows_per_second": rows_per_second,
        **first,
        "machine": machine(),
        "measured_on": time.strftime("%Y-%m-%d"),
    }
    if second is not None:
        result["second_run"] = second
    output = args.output or RESULTS / (
        "import.json" if args.rows == 1_000_000 else f"import-{args.rows}.json"
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    peak = result["peak_rss_mib"]
    free = first["wall_seconds_if_cpus_were_free"]
    print(
        "| rows | database | workers | wall (load) | rows/s | CPU-bound wall | "
        "peak RSS importer | peak RSS all | machine |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---|")
    print(
        f"| {args.rows:,} | {result['database']} | {result['workers']} | "
        f"{first['wall_seconds']:.0f} s ({first['load_average']['mean_during']}) | "
        f"{rows_per_second:,} | {free:.0f} s | "
        f"{peak['importing_process']:.0f} MiB | {peak['all_processes_sampled']:.0f} MiB | "
        f"{result['machine']['nproc']} CPU, {result['machine']['memory_gib']} GiB |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
