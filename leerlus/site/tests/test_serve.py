# SPDX-License-Identifier: EUPL-1.2
"""``leerlus serve`` as a user runs it: a real server, its children killed one by one."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from leerlus.organisations.roles import Role
from leerlus.organisations.services import api_token_create

from .processes import alive, children, database_url_for_servers, descendants, eventually, free_port

pytestmark = [pytest.mark.process, pytest.mark.django_db(transaction=True)]

RECOVERY_S = 15  # what issue #11 asks: answering again within 15 s after a kill


def _only(processes: dict[int, str], *words: str) -> int | None:
    """The one process whose command line holds all ``words``; None if none or several."""
    matching = [pid for pid, cmd in processes.items() if all(word in cmd for word in words)]
    return matching[0] if len(matching) == 1 else None


def _request(port: int, path: str, token: str = "", body: dict[str, str] | None = None) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:
        return 0


@pytest.fixture
def serve(make_user, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int, str]]:
    token = api_token_create(user=make_user(Role.FRONT_OFFICE, username="balie"))
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "leerlus.settings.local",
        "DATABASE_URL": database_url_for_servers(),
        "LEERLUS_VAR_DIR": str(tmp_path),  # its own embedded broker and secret key
        "CELERY_BROKER_URL": "",
        "REDIS_URL": "",
        "LEERLUS_DEMO": "false",
    }
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 - our own command
        [str(Path(sys.executable).with_name("leerlus")), "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    everything: set[int] = set()
    try:
        eventually(lambda: _request(port, "/health") == 200, 90, "/health answering")
        yield process, port, token
    finally:
        everything = descendants(process.pid)
        if process.poll() is None:
            process.kill()
        for pid in everything:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        process.wait()
        log.close()
        print((tmp_path / "serve.log").read_text(errors="replace"))


def _answers_again(port: int, token: str, external_id: str) -> bool:
    body = {"text": "De wachttijd aan de balie was lang.", "externalId": external_id}
    body["source"] = "test"
    return _request(port, "/health") == 200 and (
        _request(port, "/api/v1/feedback", token, body) == 201
    )


def test_serve_restarts_a_killed_worker_and_web_worker_and_stops_on_sigterm(serve):
    process, port, token = serve
    assert _answers_again(port, token, "before")

    worker = _only(children(process.pid), "celery", "worker")
    assert worker is not None
    os.kill(worker, signal.SIGKILL)
    eventually(
        lambda: (
            _only(children(process.pid), "celery", "worker") not in (None, worker)
            and _answers_again(port, token, f"after-worker-{time.monotonic()}")
        ),
        RECOVERY_S,
        "a new Celery worker and the API answering",
    )
    assert process.poll() is None

    granian = _only(children(process.pid), "granian")
    assert granian is not None
    web_workers = set(children(granian))  # granian forks its workers: no other children
    assert len(web_workers) == 2
    killed = web_workers.pop()
    os.kill(killed, signal.SIGKILL)
    eventually(
        lambda: (
            len(set(children(granian)) - {killed}) == 2
            and _answers_again(port, token, f"after-web-{time.monotonic()}")
        ),
        RECOVERY_S,
        "a new web worker and the API answering",
    )
    assert process.poll() is None
    assert _only(children(process.pid), "granian") == granian  # granian replaced it itself

    everything = descendants(process.pid)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0
    assert not [pid for pid in everything if alive(pid)]
