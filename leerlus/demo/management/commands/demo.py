# SPDX-License-Identifier: EUPL-1.2
from typing import Any

from django.core.management.base import BaseCommand

from leerlus.demo.services import demo_accounts_text, demo_load


class Command(BaseCommand):
    help = "Load the demo organisation Gemeente Voorbeeldstad (idempotent; demo mode only)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(
            "Loading the demo organisation (the first time: two years of signals, then their "
            "themes, routing and alerts; a few minutes)..."
        )
        result = demo_load()
        verb = "Loaded" if result.created else "Already present:"
        self.stdout.write(f"{verb} {result.organisation.name} ({result.organisation.slug})")
        if result.created:
            self.stdout.write(f"{result.signals} demo signals over two years")
        self.stdout.write("Demo accounts:\n" + demo_accounts_text())
