# SPDX-License-Identifier: EUPL-1.2
"""The result of ``patterns_load.py``: its targets and verdict, the JSON file and the
markdown tables (set-up, screens, assignment)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from common import cores_used, markdown_row, unexpected_answers, write_result

TARGET_SCREEN_P95_MS = 300.0
TARGET_ASSIGN_P95_S = 1.0


def verdict_of(
    database: dict[str, Any], screens: dict[str, Any] | None, assignment: dict[str, Any] | None
) -> dict[str, Any]:
    """The figures against the targets: the screens' p95 and statuses, the assignment delay."""
    verdict: dict[str, Any] = {"items": database["signals"]}
    if screens:
        for phase in screens["phases"]:
            verdict[f"{phase['phase']}_p95_ms"] = phase["latency_ms"]["p95"]
            verdict[f"{phase['phase']}_all_200"] = (
                set(phase["statuses"]) == {"200"} and not phase["transport_errors"]
            )
        verdict["screens_meet_target"] = all(
            p["latency_ms"]["p95"] < TARGET_SCREEN_P95_MS for p in screens["phases"]
        ) and all(verdict[f"{p['phase']}_all_200"] for p in screens["phases"])
    if assignment:
        measured = assignment["phases"][-1]
        a = measured["assignment"]
        verdict["assignment_p95_s"] = a["delay_to_visible_s"]["p95"]
        verdict["assignment_not_within_10_s"] = a["not_assigned_within_10_s"]
        verdict["assignment_meets_target"] = (
            a["delay_to_visible_s"]["p95"] is not None
            and a["delay_to_visible_s"]["p95"] < TARGET_ASSIGN_P95_S
            and set(measured["statuses"]) == {"201"}
            and not a["never_assigned_before_the_end"]
        )
    return verdict


def screens_table(result: dict[str, Any]) -> str:
    lines = [
        "| page | URLs | conns | req/s | p50 ms | p90 ms | p95 ms | p99 ms | max ms | non-200 "
        "| KiB | cores: server / PG / wrk / rest |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|",
    ]
    for phase in result["screens"]["phases"]:
        lines.append(
            markdown_row(
                phase["phase"],
                phase["urls"],
                phase["connections"],
                f"{phase['requests_per_s']:.0f}",
                *(phase["latency_ms"][k] for k in ("p50", "p90", "p95", "p99", "max")),
                unexpected_answers(phase, "200"),
                phase["mean_kib"],
                cores_used(phase, "server", "postgres", "load_generator", "rest_of_machine"),
            )
        )
    return "\n".join(lines)


def assignment_table(result: dict[str, Any]) -> str:
    lines = [
        "| phase | creates/s | signals | API p50 / p99 ms | delay to visible p50 / p95 / max s "
        "| to assigned_at p50 / p95 / max s | > 10 s | assignment jobs (p95 s) "
        "| cores: server / worker / PG / rest |",
        "|---|---:|---:|---|---|---|---:|---:|---|",
    ]
    for phase in result["assignment"]["phases"]:
        a = phase["assignment"]
        v, s = a["delay_to_visible_s"], a["delay_to_assigned_at_s"]
        jobs = a["jobs"].get("assign_new_feedback", {})
        rate = phase["signals_created"] / phase["duration_s"] if phase["duration_s"] else 0
        lines.append(
            f"| {phase['phase']} | {rate:.1f} | {phase['signals_created']} "
            f"| {phase['latency_ms']['p50']} / {phase['latency_ms']['p99']} "
            f"| {v['p50']} / {v['p95']} / {v['max']} | {s['p50']} / {s['p95']} / {s['max']} "
            f"| {a['not_assigned_within_10_s']} | {jobs.get('runs', 0)} "
            f"({jobs.get('run_time_s', {}).get('p95')}) "
            f"| {cores_used(phase, 'server', 'worker', 'postgres', 'rest_of_machine')} |"
        )
    return "\n".join(lines)


def setup_table(setup: dict[str, Any]) -> str:
    lines = ["| set-up step | wall s | CPU s | peak RSS MiB |", "|---|---:|---:|---:|"]
    for name in ("recreate_database", "migrate", "demo", "topup", "vacuum_analyze"):
        if name in setup:
            lines.append(f"| {name} | {setup[name]['seconds']} | | |")
    for name, step in (setup.get("jobs") or {}).get("steps", {}).items():
        if isinstance(step, dict):
            lines.append(
                f"| patterns: {name} | {step['wall_s']} | {step['cpu_s']} "
                f"| {step['peak_rss_mib_so_far']} |"
            )
    return "\n".join(lines)


def report(result: dict[str, Any], output: Path, workers: int, threads: int) -> None:
    """Writes ``result`` to ``output`` and prints its tables."""
    database, setup = result["database"], result["setup"]
    screens, assignment = result["screens"], result["assignment"]
    shown = write_result(result, output)
    m, pg = result["machine"], result["postgres"]
    print(
        f"\n{m['cpu']}, {m['nproc']} CPUs, {m['ram_gib']} GiB; PostgreSQL {pg['version']}; "
        f"{result['server']['wsgi']} {workers} x {threads}; "
        f"{database['signals']:,} signals, {database['themes']} themes\n"
    )
    if setup:
        print(setup_table(setup) + "\n")
    if screens:
        print(screens_table(result))
        hits = screens["first_hit"]
        print(
            "\nEvery URL once, one after another (cold): overview p50 "
            f"{hits['overview']['p50']} ms, max {hits['overview']['max']} ms; detail p50 "
            f"{hits['detail']['p50']} ms, max {hits['detail']['max']} ms\n"
        )
    if assignment:
        print(assignment_table(result) + "\n")
    print(f"Written to {shown}")
