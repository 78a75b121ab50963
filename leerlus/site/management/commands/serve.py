# SPDX-License-Identifier: EUPL-1.2
"""``leerlus serve``: the web application, a background worker and the scheduler together.

What ``make run`` starts. A process that dies is started again (granian starts its own
web workers again, :mod:`leerlus.site.supervisor` the rest); only Ctrl-C (or SIGTERM) stops
all three. In production run them as separate services instead (docs/deployment.md).
"""

import os
import signal
import sys
import threading
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from leerlus.organisations.models import Organisation
from leerlus.site.supervisor import Supervisor


class Command(BaseCommand):
    help = "Start the web application with a background worker and the scheduler."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--web-workers", type=int, default=2)
        parser.add_argument(
            "--no-worker", action="store_true", help="Start only the web application."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        python = sys.executable
        host, port = options["host"], str(options["port"])
        commands = {
            "web": [
                *(python, "-m", "granian", "--interface", "wsgi", "--no-ws"),
                *("--host", host, "--port", port, "--workers", str(options["web_workers"])),
                # Browsers talk to this server directly and keep idle connections open,
                # which granian counts against --backpressure: keep its default here (the
                # setting behind a proxy is in docs/deployment.md).
                *("--blocking-threads", "4", "--access-log", "--log-level", "warning"),
                "--respawn-failed-workers",  # a web worker that dies is replaced by granian
                # A worker told to stop while it is still loading the application does not
                # stop: granian kills it after 10 s (before the supervisor's 15 s).
                *("--workers-kill-timeout", "10"),
                "leerlus.wsgi:application",
            ],
        }
        if not options["no_worker"]:
            commands |= {
                "worker": [
                    python,
                    "-m",
                    "celery",
                    "-A",
                    "leerlus.celery",
                    "worker",
                    "--concurrency",
                    "2",
                    "--loglevel",
                    "warning",
                ],
                "scheduler": [
                    python,
                    "-m",
                    "celery",
                    "-A",
                    "leerlus.celery",
                    "beat",
                    "--loglevel",
                    "warning",
                    "--pidfile=",
                ],
            }
        stopping = threading.Event()

        def stop(signum: int, frame: FrameType | None) -> None:
            stopping.set()

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        supervisor = Supervisor(commands)
        supervisor.start()
        try:
            self._announce(host, port)
            while not stopping.wait(0.5):
                supervisor.check()
        finally:
            supervisor.stop()
        self.stdout.write("Leerlus stopped.")

    def _announce(self, host: str, port: str) -> None:
        shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host  # noqa: S104
        self.stdout.write(self.style.SUCCESS(f"\nLeerlus runs at http://{shown}:{port}/"))
        if settings.LEERLUS_DEMO and Organisation.objects.filter(slug="voorbeeldstad").exists():
            from leerlus.demo.services import demo_accounts_text

            self.stdout.write("Demo organisation Gemeente Voorbeeldstad, accounts:")
            self.stdout.write(demo_accounts_text())
        self.stdout.write("Press Ctrl-C to stop.\n")
