# SPDX-License-Identifier: EUPL-1.2
"""The result of ``api_load.py``: its targets and verdict, the JSON file and the markdown
tables (the phases, the in-process profile)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from common import cores_used, markdown_row, unexpected_answers, write_result

TARGET_RPS = 500
TARGET_P99_MS = 100.0


def verdict_of(phases: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures against the targets: at saturation and at the fixed rates."""
    sat = phases[0]
    # CPU per create at saturation, everything that serves it: server, PostgreSQL, client
    # and the kernel work no process is charged for (rest_of_machine, on a quiet machine)
    per_create = sum(sat["cpu_ms_per_create"].values())
    return {
        "saturation_created_per_s": sat["created_per_s"],
        "saturation_p99_ms": sat["latency_ms"]["p99"],
        "fixed_rate": [
            {
                "phase": p["phase"],
                "created_per_s": p["created_per_s"],
                "p99_ms": p["latency_ms"]["p99"],
            }
            for p in phases[1:]
        ],
        "cpu_ms_per_create": round(per_create, 2),
        "cpu_ms_per_create_note": "server + PostgreSQL backends + load generator, saturation",
        "cores_busy_for_target_rate": round(TARGET_RPS * per_create / 1000, 1),
        # at the target rate (open loop) or beyond it (closed loop): p99 under the limit,
        # nothing but 201s
        "meets_target": any(
            phase["created_per_s"] >= TARGET_RPS * 0.98
            and phase["latency_ms"]["p99"] is not None
            and phase["latency_ms"]["p99"] < TARGET_P99_MS
            and not {k for k in phase["statuses"] if k != "201"}
            and not phase["transport_errors"]
            for phase in phases
        ),
        "all_verified": all(p["verification"]["ok"] for p in phases),
    }


def table(result: dict[str, Any]) -> str:
    lines = [
        "| phase | client | conns | 201/s | p50 ms | p90 ms | p99 ms | max ms | non-201 "
        "| cores: server / PG / client / rest | CPU ms per create: server / PG | rows = 201s |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---|---|---|",
    ]
    for phase in result["phases"]:
        per = phase["cpu_ms_per_create"]
        lines.append(
            markdown_row(
                phase["phase"],
                f"{phase['client'].split(' ')[0]} {phase['mode']}",
                phase["connections"],
                f"{phase['created_per_s']:.0f}",
                *(phase["latency_ms"][k] for k in ("p50", "p90", "p99", "max")),
                unexpected_answers(phase, "201"),
                cores_used(phase, "server", "postgres", "load_generator", "rest_of_machine"),
                f"{per['server']} / {per['postgres']}",
                "yes" if phase["verification"]["ok"] else "NO",
            )
        )
    return "\n".join(lines)


def profile_table(profile: dict[str, Any]) -> str:
    lines = [
        f"Serial, in process: {profile['serial_cpu_ms_per_request']} ms CPU, "
        f"{profile['serial_wall_ms_per_request']} ms wall per create; "
        f"{profile['queries_per_request']} queries ({profile['query_wall_ms_per_request']} ms); "
        f"GET /health {profile['health_get_cpu_ms']} ms CPU",
        "",
        "| step (inclusive) | calls/req | CPU µs/req | wall µs/req |",
        "|---|---:|---:|---:|",
    ]
    for name, step in profile["steps"].items():
        lines.append(
            f"| {name} | {step['calls_per_request']} | {step['cpu_us']} | {step['wall_us']} |"
        )
    lines += ["", "| query | per request | wall µs each |", "|---|---:|---:|"]
    for name, q in profile["queries"].items():
        lines.append(f"| `{name}` | {q['per_request']} | {q['wall_us_each']} |")
    return "\n".join(lines)


def report(result: dict[str, Any], output: Path, workers: int, threads: int) -> None:
    """Writes ``result`` to ``output`` and prints its tables."""
    profile = result["profile"]
    shown = write_result(result, output)
    m, pg = result["machine"], result["postgres"]
    print(
        f"\n{m['cpu']}, {m['nproc']} CPUs, {m['ram_gib']} GiB "
        f"(speed reference {m['speed_reference_s']} s); PostgreSQL {pg['version']} "
        f"(synchronous_commit={pg['synchronous_commit']}); "
        f"{result['server']['wsgi']} {workers} x {threads} "
        f"{result['server']['worker_class']}\n"
    )
    print(table(result))
    if profile:
        print("\n" + profile_table(profile))
    print(f"\nWritten to {shown}")
