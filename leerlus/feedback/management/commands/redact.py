# SPDX-License-Identifier: EUPL-1.2
import json
import sys
from argparse import ArgumentParser
from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand

from leerlus.feedback.redaction import redact_with_counts


class Command(BaseCommand):
    help = (
        "Read text on standard input and write it with personal data replaced by typed "
        "placeholders ([BSN], [TELEFOON], ...)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--lines",
            action="store_true",
            help="Treat every line as its own text and stream (for large files).",
        )
        parser.add_argument(
            "--counts",
            action="store_true",
            help="Print how many items of each kind were removed, as JSON on standard error.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        counts: Counter[str] = Counter()
        texts = sys.stdin if options["lines"] else [sys.stdin.read()]
        for text in texts:
            result = redact_with_counts(text)
            counts.update(result.counts)
            sys.stdout.write(result.text)
        sys.stdout.flush()
        if options["counts"]:
            sys.stderr.write(json.dumps(dict(sorted(counts.items()))) + "\n")
