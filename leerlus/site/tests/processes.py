# SPDX-License-Identifier: EUPL-1.2
"""What the process tests need: a free port, the test database's address for a server
process, and live processes as /proc shows them."""

import socket
import time
from collections.abc import Callable
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def database_url_for_servers() -> str:
    """The test database (its tables committed to: a transactional test, or a module's own
    set-up), as ``DATABASE_URL`` for a server started as a separate process."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _stat_fields(pid: int | str) -> list[str] | None:
    """``/proc/<pid>/stat`` after the command name (state, parent, ...); None once gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2 :].split()


def alive(pid: int) -> bool:
    """Running, not gone and not a zombie waiting to be reaped."""
    fields = _stat_fields(pid)
    return fields is not None and fields[0] != "Z"


def children(pid: int) -> dict[int, str]:
    """The live child processes of ``pid`` and their command lines."""
    found = {}
    for entry in Path("/proc").iterdir():
        fields = _stat_fields(entry.name) if entry.name.isdigit() else None
        if fields is None or fields[1] != str(pid) or fields[0] == "Z":
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        found[int(entry.name)] = cmdline.replace(b"\0", b" ").decode(errors="replace")
    return found


def descendants(pid: int) -> set[int]:
    below = set(children(pid))
    for child in list(below):
        below |= descendants(child)
    return below


def eventually(check: Callable[[], object], within: float, what: str) -> object:
    """Polls ``check`` until it returns something true; fails after ``within`` seconds."""
    deadline = time.monotonic() + within
    while True:
        result = check()
        if result:
            return result
        assert time.monotonic() < deadline, f"{what} not within {within} s"
        time.sleep(0.1)
