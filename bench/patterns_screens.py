# SPDX-License-Identifier: EUPL-1.2
"""The theme screens of ``patterns_load.py``: a browser's log-in as the analyst, the URLs of
the overview and the theme detail, each fetched once, and ``wrk`` cycling through them."""

from __future__ import annotations

import http.client
import json
import random
import re
import sys
import tempfile
import time
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import urlencode

from common import db_connect
from load_wrk import run_wrk
from patterns_setup import DEMO_SLUG, patterns_missing

DEMO_PASSWORD = "voorbeeldstad-demo"  # noqa: S105 - the demo's published password
ANALYST = "analist"
# the latency figures of a screens phase, in this order
LATENCY = ("mean", "p50", "p90", "p95", "p99", "max")
DETAIL_LARGEST = 30
DETAIL_RANDOM = 30


# ---------------------------------------------------------------------------------------------
# Log-in and the URLs of the screens


def _cookies(response: http.client.HTTPResponse, jar: dict[str, str]) -> None:
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]


def log_in(port: int, username: str, password: str) -> str:
    """A browser's log-in: the form with its CSRF token, then the POST; the Cookie header."""
    jar: dict[str, str] = {}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/accounts/login", headers={"Accept": "text/html"})
    response = conn.getresponse()
    page = response.read().decode(errors="replace")
    _cookies(response, jar)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if response.status != 200 or match is None:
        sys.exit(f"GET /accounts/login: {response.status}, no CSRF token in the form")
    body = urlencode(
        {
            "csrfmiddlewaretoken": match.group(1),
            "username": username,
            "password": password,
            "next": "/patterns/themes/",
        }
    )
    conn.request(
        "POST",
        "/accounts/login",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
            "Accept": "text/html",
        },
    )
    response = conn.getresponse()
    response.read()
    _cookies(response, jar)
    conn.close()
    if response.status != 302 or "sessionid" not in jar:
        sys.exit(
            f"log-in as {username} failed: {response.status} "
            f"{response.getheader('Location')} (a second factor? a lock-out by axes?)"
        )
    return f"sessionid={jar['sessionid']}"


def screen_urls(url: str, seed: int = 7) -> dict[str, list[str]]:
    """The overview with its filters and sort orders; the detail of the largest themes and
    of random ones."""
    with db_connect(url) as conn:
        org_id = conn.execute(
            "SELECT id FROM organisations_organisation WHERE slug = %s", [DEMO_SLUG]
        ).fetchone()[0]
        themes = conn.execute(
            "SELECT id, key_terms FROM patterns_theme WHERE organisation_id = %s "
            "AND merged_into_id IS NULL AND NOT retired ORDER BY size DESC, id",
            [org_id],
        ).fetchall()
        channels = [
            c
            for (c,) in conn.execute(
                "SELECT DISTINCT channel FROM patterns_dailycount WHERE organisation_id = %s "
                "ORDER BY channel",
                [org_id],
            ).fetchall()
        ]
        services = [
            s
            for (s,) in conn.execute(
                "SELECT s.slug FROM organisations_service s WHERE s.organisation_id = %s "
                "ORDER BY (SELECT count(*) FROM patterns_dailycount d WHERE d.service_id = s.id) "
                "DESC, s.slug LIMIT 2",
                [org_id],
            ).fetchall()
        ]
        department = conn.execute(
            "SELECT slug FROM organisations_department WHERE organisation_id = %s "
            "ORDER BY id LIMIT 1",
            [org_id],
        ).fetchone()
    if not themes:
        patterns_missing("no themes in the bench database: discovery found none")
    base = "/patterns/themes/"

    def q(**params: Any) -> str:
        return f"{base}?{urlencode(params)}"

    terms = [str(t[1][0]) for t in themes[:3] if t[1]] + ["paspoort", "afval", "geenthemazzz"]
    overview = [base]
    overview += [q(channel=c) for c in channels]
    overview += [q(period=p) for p in (7, 91, 365)]
    overview += [q(q=term) for term in terms]
    overview += [q(sort=s) for s in ("change", "name", "newest")]
    overview += [q(service=s) for s in services]
    if department:
        overview.append(q(department=department[0]))
    overview += [
        q(period=365, channel=channels[0] if channels else "", sort="change"),
        q(page=2),
        q(hidden="on", sort="volume"),
    ]
    largest = [t[0] for t in themes[:DETAIL_LARGEST]]
    rest = [t[0] for t in themes[DETAIL_LARGEST:]]
    others = random.Random(seed).sample(  # noqa: S311 - a fixed sample, not a secret
        rest, min(DETAIL_RANDOM, len(rest))
    )
    detail = [f"{base}{pk}/" for pk in largest + others]
    return {"overview": overview, "detail": detail}


def fetch_each(port: int, cookie: str, urls: list[str]) -> list[dict[str, Any]]:
    """Every URL once, one after another: status, time (the first, cold hit) and size."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    out = []
    for path in urls:
        t = time.perf_counter()
        conn.request("GET", path, headers={"Cookie": cookie, "Accept": "text/html"})
        response = conn.getresponse()
        body = response.read()
        out.append(
            {
                "path": path,
                "status": response.status,
                "ms": round((time.perf_counter() - t) * 1000, 1),
                "bytes": len(body),
                "location": response.getheader("Location"),
            }
        )
        if response.getheader("Connection", "").lower() == "close":
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.close()
    return out


# ---------------------------------------------------------------------------------------------
# wrk over a list of GET paths

WRK_GET_SCRIPT = Template(r"""
local paths = {
$paths
}
local npaths = #paths
local cookie = "$cookie"

function init(args)
  counter = 0
  sent = 0
  statuses = {}
end

function request()
  counter = counter + 1
  sent = sent + 1
  local path = paths[((counter + tid * 7) % npaths) + 1]
  return wrk.format("GET", path, {["Cookie"] = cookie, ["Accept"] = "text/html"})
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  write_result(summary, latency)
end
""")


def run_wrk_get(
    paths: list[str], cookie: str, port: int, duration: int, connections: int
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        wrk = run_wrk(
            WRK_GET_SCRIPT.substitute(
                paths=",\n".join(json.dumps(p) for p in paths), cookie=cookie
            ),
            Path(tmp),
            url=f"http://127.0.0.1:{port}/",
            connections=connections,
            duration=duration,
            timeout="30s",
        )
    answered, duration_s = wrk.answered, wrk.duration_s
    return wrk.load(
        LATENCY,
        1,
        before={"urls": len(paths)},
        after={
            "requests_per_s": round(answered / duration_s, 1) if duration_s else 0.0,
            "mean_kib": round(wrk.raw["bytes"] / max(answered, 1) / 1024, 1),
        },
    )
