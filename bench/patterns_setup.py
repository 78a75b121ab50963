# SPDX-License-Identifier: EUPL-1.2
"""The bench database of ``patterns_load.py``: the demo organisation topped up to ``--items``
signals with ``COPY`` (demo-like texts, redacted and language-tagged as intake does, in
parallel processes), and the facts of the database a run measured."""

from __future__ import annotations

import json
import math
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any

from common import db_connect

DEMO_SLUG = "voorbeeldstad"
TOPUP_SOURCE = "bench"
COPY_CHUNK = 20_000
COPY_COLUMNS = (
    "organisation_id",
    "reference",
    "fingerprint",
    "channel",
    "service_id",
    "department_id",
    "text",
    "language",
    "received_at",
    "reporter_kind",
    "rating",
    "location",
    "confidential",
    "external_id",
    "source",
    "case_url",
    "redactions",
    "created_at",
)


def patterns_missing(message: str) -> None:
    sys.exit(
        f"{message}\nThe patterns app (leerlus/patterns/) is not complete yet: this part of the "
        "benchmark cannot run."
    )


# ---------------------------------------------------------------------------------------------
# Top-up: more demo-like signals with COPY, in parallel processes


def _topup_init(settings: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = settings
    import warnings

    warnings.simplefilter("ignore")
    import django

    django.setup()


def topup_part(task: dict[str, Any]) -> dict[str, Any]:
    """One seed's signals over the demo's period, redacted and tagged as intake does,
    written with COPY in chunks. Runs in a worker process (Django set up for the helpers)."""
    import psycopg

    from leerlus.demo.feedback_generator import generate_feedback
    from leerlus.engine.language import detect_language
    from leerlus.feedback.redaction import redact_with_counts
    from leerlus.feedback.services import SignalInput, fingerprint_of, reference_of

    started = time.perf_counter()
    org_id: int = task["organisation_id"]
    services: dict[str, int] = task["services"]
    departments: dict[str, int] = task["departments"]
    until = datetime.fromisoformat(task["until"])
    seed: int = task["seed"]
    columns = ", ".join(COPY_COLUMNS)
    inserted = generated = fallback_skipped = 0
    rows: list[tuple[Any, ...]] = []

    def flush(conn: Any) -> None:
        nonlocal inserted, fallback_skipped
        if not rows:
            return
        try:
            with (
                conn.transaction(),
                conn.cursor() as cur,
                cur.copy(f"COPY feedback_feedback ({columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            inserted += len(rows)
        except psycopg.errors.UniqueViolation:
            # a reference (52 bits of the fingerprint) shared with another signal: rare at
            # a million; this chunk goes in row by row, skipping the clash
            marks = ", ".join(["%s"] * len(COPY_COLUMNS))
            with conn.transaction(), conn.cursor() as cur:
                for row in rows:
                    cur.execute(
                        f"INSERT INTO feedback_feedback ({columns}) VALUES ({marks}) "  # noqa: S608
                        "ON CONFLICT DO NOTHING",
                        row,
                    )
                    inserted += cur.rowcount
                    fallback_skipped += 1 - cur.rowcount
        rows.clear()

    with db_connect(task["url"]) as conn:
        for s in generate_feedback(
            seed=seed,
            start=date.fromisoformat(task["start"]),
            days=task["days"],
            mean_per_day=task["mean_per_day"],
        ):
            if s.received_at > until:
                break
            generated += 1
            external_id = f"s{seed}-{s.external_id.rsplit('-', 1)[-1]}"
            fingerprint = fingerprint_of(
                org_id,
                SignalInput(
                    text=s.text,
                    channel=s.channel,
                    received_at=s.received_at,
                    external_id=external_id,
                    source=TOPUP_SOURCE,
                ),
            )
            redacted = redact_with_counts(s.text)
            rows.append(
                (
                    org_id,
                    reference_of(fingerprint),
                    fingerprint,
                    s.channel,
                    services.get(s.service),
                    departments.get(s.department),
                    redacted.text,
                    detect_language(redacted.text),
                    s.received_at,
                    s.reporter_kind,
                    s.rating,
                    "",
                    False,
                    external_id,
                    TOPUP_SOURCE,
                    "",
                    json.dumps(redacted.counts),
                    # stored a few seconds to minutes after it was received, as intake does
                    s.received_at + timedelta(seconds=(generated * 7919) % 600),
                )
            )
            if len(rows) >= COPY_CHUNK:
                flush(conn)
        flush(conn)
    return {
        "seed": seed,
        "generated": generated,
        "inserted": inserted,
        "reference_clashes_skipped": fallback_skipped,
        "seconds": round(time.perf_counter() - started, 1),
    }


def check_copy_columns(url: str) -> None:
    """Every NOT NULL column without a default must be among the COPY columns."""
    with db_connect(url) as conn:
        required = [
            name
            for (name,) in conn.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'feedback_feedback' AND is_nullable = 'NO' "
                "AND column_default IS NULL AND is_identity = 'NO'"
            ).fetchall()
        ]
    missing = [c for c in required if c not in COPY_COLUMNS]
    if missing:
        sys.exit(f"feedback_feedback has NOT NULL columns the top-up does not fill: {missing}")


def topup(url: str, items: int, jobs: int) -> dict[str, Any]:
    """Adds signals until the demo organisation has ``items``; returns what it did."""
    started = time.perf_counter()
    check_copy_columns(url)
    with db_connect(url) as conn:
        row = conn.execute(
            "SELECT id FROM organisations_organisation WHERE slug = %s", [DEMO_SLUG]
        ).fetchone()
        if row is None:
            sys.exit(f"no organisation {DEMO_SLUG!r}: did `leerlus demo` run?")
        org_id = row[0]
        existing, demo_rows, first = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE source = 'demo'), min(received_at) "
            "FROM feedback_feedback WHERE organisation_id = %s",
            [org_id],
        ).fetchone()
        services = dict(
            conn.execute(
                "SELECT slug, id FROM organisations_service WHERE organisation_id = %s", [org_id]
            ).fetchall()
        )
        departments = dict(
            conn.execute(
                "SELECT slug, id FROM organisations_department WHERE organisation_id = %s",
                [org_id],
            ).fetchall()
        )
    facts: dict[str, Any] = {"before": existing, "target": items, "processes": jobs, "parts": []}
    needed = items - existing
    if needed <= 0:
        print(f"  the demo has {existing:,} signals already: no top-up", flush=True)
        facts.update(after=existing, added=0, seconds=0.0)
        return facts
    if not demo_rows:
        sys.exit("the demo organisation has no demo signals: its period is unknown")
    # Over the demo's period (from its first signal until now), how many signals one unit of
    # mean_per_day gives: counted on a run of the generator (pure Python, about a second).
    from itertools import takewhile

    from leerlus.demo.feedback_generator import generate_feedback

    start = first.astimezone(UTC).date()
    now = datetime.now(UTC)
    days = (now.date() - start).days + 1
    calibration = 30.0
    per_unit_mean = (
        sum(
            1
            for _ in takewhile(
                lambda s: s.received_at <= now,
                generate_feedback(seed=999, start=start, days=days, mean_per_day=calibration),
            )
        )
        / calibration
    )
    seed = 1000
    rounds = 0
    while needed > 0 and rounds < 4:
        rounds += 1
        # a little more than needed (the count is random); the surplus is removed below
        parts = max(jobs, math.ceil(needed / 250_000))
        mean = needed * 1.03 / parts / per_unit_mean
        tasks = []
        for _ in range(parts):
            seed += 1
            tasks.append(
                {
                    "url": url,
                    "organisation_id": org_id,
                    "services": services,
                    "departments": departments,
                    "seed": seed,
                    "start": start.isoformat(),
                    "days": days,
                    "until": now.isoformat(),
                    "mean_per_day": mean,
                }
            )
        print(
            f"  top-up: {needed:,} signals in {parts} parts ({jobs} processes), "
            f"{mean:.0f} a day each",
            flush=True,
        )
        with ProcessPoolExecutor(
            max_workers=jobs,
            initializer=_topup_init,
            initargs=("leerlus.settings.local",),
        ) as pool:
            for part in pool.map(topup_part, tasks):
                facts["parts"].append(part)
                needed -= part["inserted"]
    surplus = -needed
    if surplus > 0:
        with db_connect(url) as conn:
            conn.execute(
                "DELETE FROM feedback_feedback WHERE id IN (SELECT id FROM feedback_feedback "
                "WHERE organisation_id = %s AND source = %s ORDER BY md5(reference) LIMIT %s)",
                [org_id, TOPUP_SOURCE, surplus],
            )
    with db_connect(url) as conn:
        after = conn.execute(
            "SELECT count(*) FROM feedback_feedback WHERE organisation_id = %s", [org_id]
        ).fetchone()[0]
    seconds = time.perf_counter() - started
    facts.update(
        after=after,
        added=after - existing,
        surplus_removed=max(surplus, 0),
        seconds=round(seconds, 1),
        rows_per_s=round((after - existing) / seconds),
        period=f"{start.isoformat()} .. {now.date().isoformat()}",
    )
    return facts


# ---------------------------------------------------------------------------------------------
# The facts of the bench database


def database_facts(url: str) -> dict[str, Any]:
    with db_connect(url) as conn:
        org_id = conn.execute(
            "SELECT id FROM organisations_organisation WHERE slug = %s", [DEMO_SLUG]
        ).fetchone()[0]

        def one(sql: str) -> Any:
            return conn.execute(sql, [org_id]).fetchone()[0]

        facts = {
            "signals": one("SELECT count(*) FROM feedback_feedback WHERE organisation_id = %s"),
            "themes": one("SELECT count(*) FROM patterns_theme WHERE organisation_id = %s"),
            "themes_shown": one(
                "SELECT count(*) FROM patterns_theme WHERE organisation_id = %s "
                "AND merged_into_id IS NULL AND NOT retired AND NOT hidden"
            ),
            "assignments": one(
                "SELECT count(*) FROM patterns_themeassignment WHERE organisation_id = %s"
            ),
            "daily_counts": one(
                "SELECT count(*) FROM patterns_dailycount WHERE organisation_id = %s"
            ),
            "first_signal": str(
                one("SELECT min(received_at) FROM feedback_feedback WHERE organisation_id = %s")
            ),
        }
        sizes = {}
        for table in ("feedback_feedback", "patterns_themeassignment", "patterns_dailycount"):
            sizes[table] = conn.execute(
                "SELECT pg_size_pretty(pg_total_relation_size(%s::regclass))", [table]
            ).fetchone()[0]
        facts["table_sizes"] = sizes
        facts["database_size"] = conn.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database()))"
        ).fetchone()[0]
    return facts
