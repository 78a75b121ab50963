# SPDX-License-Identifier: EUPL-1.2
"""``wrk``, the closed-loop load generator of the load benchmarks: the Lua that writes its
result as JSON, the run and what it measured."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any

# wrk: a closed loop of requests. Each script adds its own init(), request(), response() and
# done() to WRK_RESULT: init() sets the thread's ``sent = 0`` and ``statuses = {}``, request()
# counts ``sent``, response() counts ``statuses[status]``, done() calls write_result().

WRK_RESULT = Template(r"""
local threads = {}
local thread_no = 0

function setup(thread)
  thread_no = thread_no + 1
  thread:set("tid", thread_no)
  table.insert(threads, thread)
end

-- called from the script's done(): what its threads sent and counted in response(), with
-- wrk's summary, as JSON for the Python side
function write_result(summary, latency)
  local total_sent = 0
  local all_statuses = {}
  for _, thread in ipairs(threads) do
    total_sent = total_sent + thread:get("sent")
    for code, n in pairs(thread:get("statuses")) do
      all_statuses[code] = (all_statuses[code] or 0) + n
    end
  end
  local parts = {}
  for code, n in pairs(all_statuses) do
    table.insert(parts, string.format('"%d": %d', code, n))
  end
  local e = summary.errors
  local f = io.open($result_file, "w")
  f:write(string.format(
    '{"duration_us": %d, "requests": %d, "sent": %d, "bytes": %d, "statuses": {%s}, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"mean": %.1f, "p50": %d, "p90": %d, "p95": %d, "p99": %d, ' ..
    '"p99_9": %d, "max": %d}}',
    summary.duration, summary.requests, total_sent, summary.bytes, table.concat(parts, ", "),
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency:percentile(99.9), latency.max))
  f:close()
end
""")


@dataclass
class WrkRun:
    """What ``write_result`` wrote, and the client that sent it."""

    raw: dict[str, Any]
    client: str
    connections: int

    @property
    def answered(self) -> int:
        return int(sum(self.raw["statuses"].values()))

    @property
    def duration_s(self) -> float:
        return float(self.raw["duration_us"]) / 1e6

    @property
    def transport_errors(self) -> dict[str, int]:
        return {k: v for k, v in self.raw["errors"].items() if v and k != "status"}

    def load(
        self,
        latency: tuple[str, ...],
        digits: int,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The phase's result: ``latency`` in ms rounded to ``digits``; ``before`` goes
        before the duration, ``after`` after the answered count."""
        return {
            "client": self.client,
            "mode": "closed loop",
            "connections": self.connections,
            **(before or {}),
            "duration_s": round(self.duration_s, 3),
            "sent": self.raw["sent"],
            "answered": self.answered,
            **(after or {}),
            "statuses": self.raw["statuses"],
            "transport_errors": self.transport_errors,
            "latency_ms": {k: round(self.raw["latency_us"][k] / 1000, digits) for k in latency},
        }


def run_wrk(
    script: str, directory: Path, *, url: str, connections: int, duration: int, timeout: str
) -> WrkRun:
    """Runs ``wrk`` against ``url`` with ``script`` (its ``done()`` calls ``write_result``),
    its files in ``directory``."""
    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    result_file = directory / "result.json"
    lua = directory / "load.lua"
    lua.write_text(
        WRK_RESULT.substitute(result_file=json.dumps(str(result_file))) + script,
        encoding="utf-8",
    )
    threads = min(2, connections)
    done = subprocess.run(  # noqa: S603
        [
            *(wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s"),
            *("--timeout", timeout, "-s", str(lua), url),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or not result_file.exists():
        sys.exit(f"wrk failed:\n{done.stdout}\n{done.stderr}")
    raw = json.loads(result_file.read_text(encoding="utf-8"))
    return WrkRun(raw, f"wrk ({wrk}, {threads} threads)", connections)
