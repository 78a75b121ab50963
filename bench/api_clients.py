# SPDX-License-Identifier: EUPL-1.2
"""The load clients of the intake API (``POST /api/v1/feedback``), for ``api_load.py`` and
the assignment phase of ``patterns_load.py``: the request bodies (demo signals), ``wrk`` in a
closed loop (with the references of its 201s) and ``bench/loadgen.py`` (closed or open loop)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from common import ROOT
from load_wrk import run_wrk

PATH = "/api/v1/feedback"
# the latency figures of a phase, in this order
LATENCY = ("mean", "p50", "p90", "p99", "p99_9", "max")


# ---------------------------------------------------------------------------------------------
# Request bodies


def request_bodies(count: int) -> tuple[list[str], dict[str, Any]]:
    """JSON bodies from the demo generator: its channels, services, reporter kinds, ratings."""
    from collections import Counter
    from itertools import islice

    from leerlus.demo.feedback_generator import generate_feedback
    from leerlus.feedback.redaction import redact_with_counts

    signals = list(islice(generate_feedback(seed=7, start=date(2025, 1, 1), days=3000), count))
    bodies = []
    for s in signals:
        body: dict[str, Any] = {
            "text": s.text,
            "channel": s.channel,
            "service": s.service,
            "reporterKind": s.reporter_kind,
            "receivedAt": s.received_at.isoformat().replace("+00:00", "Z"),
        }
        if s.rating is not None:
            body["rating"] = s.rating
        bodies.append(json.dumps(body, ensure_ascii=False))
    with_personal_data = sum(1 for s in signals if redact_with_counts(s.text).counts)
    facts = {
        "distinct_bodies": len(bodies),
        "mean_text_chars": round(sum(len(s.text) for s in signals) / len(signals), 1),
        "mean_body_bytes": round(sum(len(b.encode()) for b in bodies) / len(bodies), 1),
        "share_with_personal_data": round(with_personal_data / len(signals), 4),
        "channels": dict(Counter(s.channel for s in signals).most_common()),
        "services": len({s.service for s in signals}),
        "idempotency_key_share": 0.5,
    }
    return bodies, facts


# ---------------------------------------------------------------------------------------------
# Load generators

WRK_SCRIPT = r"""
local bodies = {
%(bodies)s
}
local nbodies = #bodies
local token = "%(token)s"
local key_prefix = "%(key_prefix)s"

function init(args)
  counter = 0
  sent = 0
  statuses = {}
  refs = {}
  nrefs = 0
end

function request()
  counter = counter + 1
  sent = sent + 1
  local body = bodies[((counter * 7919 + tid * 104729) %% nbodies) + 1]
  local headers = {
    ["Content-Type"] = "application/json",
    ["Accept"] = "application/json",
    ["Authorization"] = "Token " .. token,
  }
  if counter %% 2 == 0 then
    headers["Idempotency-Key"] = key_prefix .. "-" .. tid .. "-" .. counter
  end
  return wrk.format("POST", "%(path)s", headers, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 201 then
    local ref = string.match(body, '"reference":"([%%w%%-]+)"')
    if ref then
      nrefs = nrefs + 1
      refs[nrefs] = ref
    end
  end
end

function done(summary, latency, requests)
  local out_refs = io.open("%(refs_file)s", "w")
  for _, thread in ipairs(threads) do
    local thread_refs = thread:get("refs")
    for i = 1, thread:get("nrefs") do
      out_refs:write(thread_refs[i], "\n")
    end
  end
  out_refs:close()
  write_result(summary, latency)
end
"""


def lua_long_string(text: str) -> str:
    level = 1
    while f"]{'=' * level}]" in text:
        level += 1
    return f"[{'=' * level}[{text}]{'=' * level}]"


def run_wrk_creates(
    bodies: list[str], token: str, port: int, duration: int, connections: int, key_prefix: str
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        refs_file = Path(tmp) / "refs.txt"
        script = WRK_SCRIPT % {
            "bodies": ",\n".join(lua_long_string(b) for b in bodies),
            "token": token,
            "key_prefix": key_prefix,
            "path": PATH,
            "refs_file": refs_file,
        }
        wrk = run_wrk(
            script,
            Path(tmp),
            url=f"http://127.0.0.1:{port}{PATH}",
            connections=connections,
            duration=duration,
            timeout="10s",
        )
        references = refs_file.read_text(encoding="utf-8").split()
    errors = wrk.transport_errors
    # wrk stops at the deadline without waiting for answers still on their way
    in_flight = (
        wrk.raw["sent"]
        - wrk.answered
        - errors.get("read", 0)
        - errors.get("write", 0)
        - errors.get("timeout", 0)
        - errors.get("connect", 0)
    )
    return {
        **wrk.load(LATENCY, 2, after={"in_flight_at_stop": in_flight}),
        "references": references,
    }


def run_loadgen(
    bodies: list[str],
    token: str,
    port: int,
    duration: int,
    connections: int,
    key_prefix: str,
    rate: float = 0,
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.json"
        out = Path(tmp) / "result.json"
        config.write_text(
            json.dumps(
                {
                    "host": "127.0.0.1",
                    "port": port,
                    "path": PATH,
                    "token": token,
                    "bodies": bodies,
                    "key_every": 2,
                    "key_prefix": key_prefix,
                    "connections": connections,
                    "duration": duration,
                    "rate": rate,
                }
            ),
            encoding="utf-8",
        )
        subprocess.run(  # noqa: S603
            [sys.executable, str(ROOT / "bench" / "loadgen.py"), str(config), str(out)],
            check=True,
        )
        return json.loads(out.read_text(encoding="utf-8"))
