# SPDX-License-Identifier: EUPL-1.2
"""``leerlus patterns ...``: the engine on an export file, without a server or a database.

``leerlus patterns discover INPUT --text-column COL [--id-column COL] --output OUT.csv
[--themes-output THEMES.json] [--model-output MODEL.json] [--previous-model MODEL.json]
[--curation CURATION.json] [--quiet]``

OUT.csv has the columns ``id,theme``: ``id`` is the id column's value, or the row number
counting the data rows from 0 when there is no id column; ``theme`` is the theme's id, and
``-1`` for an item that fits no theme (unassigned). THEMES.json lists each theme's id, label,
name, key terms, size and examples, plus the share of unassigned items. Progress goes to
stderr; bad input (a missing file or column, an empty file, an unreadable encoding) prints
one line starting with ``error:`` on stderr and exits with code 2.

Other engineers' subcommands: when the module :mod:`leerlus.engine.cli_analysis` exists, its
``register(subparsers)`` is called with this parser's argparse subparsers object; each
subcommand it adds must ``set_defaults(func=handler)`` where ``handler(args) -> int`` returns
the exit code.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import importlib.util
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from leerlus.engine import cells
from leerlus.engine.io import InputError, read_texts

EXIT_BAD_INPUT: Final = 2


class _Progress:
    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.start = time.monotonic()

    def __call__(self, message: str) -> None:
        if not self.quiet:
            elapsed = time.monotonic() - self.start
            print(f"[{elapsed:7.1f}s] {message}", file=sys.stderr, flush=True)


def _load_json(path: str, what: str) -> Any:
    try:
        return json.loads(Path(path).read_text("utf-8"))
    except OSError as error:
        raise InputError(f"{path}: cannot read the {what} ({error.strerror or error})") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: the {what} is not valid JSON ({error})") from error


def _write(path: str, writer: Any) -> None:
    try:
        with Path(path).open("w", encoding="utf-8", newline="") as handle:
            writer(handle)
    except OSError as error:
        raise InputError(f"{path}: cannot be written ({error.strerror or error})") from error


def _discover(args: argparse.Namespace) -> int:
    from leerlus.engine.themes import Curation, ThemeModel, discover

    progress = _Progress(args.quiet)
    previous = None
    if args.previous_model:
        try:
            previous = ThemeModel.from_dict(_load_json(args.previous_model, "theme model"))
        except (KeyError, TypeError, ValueError) as error:
            raise InputError(f"{args.previous_model}: not a theme model ({error})") from error
    curation = None
    if args.curation:
        try:
            curation = Curation.from_dict(_load_json(args.curation, "curation"))
        except (AttributeError, KeyError, TypeError, ValueError) as error:
            raise InputError(f"{args.curation}: not a curation ({error})") from error
    column = read_texts(
        args.input,
        text_column=args.text_column,
        id_column=args.id_column,
        progress=lambda n: progress(f"read {n:,} rows"),
    )
    progress(f"read {len(column.texts):,} rows from {Path(args.input).name}")
    result = discover(
        column.texts, ids=column.ids, previous=previous, curation=curation, progress=progress
    )

    def write_assignments(handle: Any) -> None:
        out = csv.writer(handle)
        out.writerow(["id", "theme"])
        out.writerows(
            cells.safe_row(row) for row in zip(column.ids, result.assignments.tolist(), strict=True)
        )

    _write(args.output, write_assignments)
    model = result.model
    if args.themes_output:
        summary = {
            "items": len(column.texts),
            "themes": len(model.themes),
            "unassigned": int((result.assignments == -1).sum()),
            "unassigned_share": round(result.unassigned_share, 4),
            "retained_share": result.retained_share,
            "unassigned_theme_id": -1,
            "theme_list": [
                {
                    "id": t.id,
                    "label": t.label,
                    "name": t.name,
                    "key_terms": t.key_terms,
                    "size": t.size,
                    "examples": t.examples,
                    "example_ids": t.example_ids,
                    "pinned": t.pinned,
                    "hidden": t.hidden,
                }
                for t in sorted(model.themes, key=lambda t: -t.size)
            ],
        }
        _write(
            args.themes_output,
            lambda h: h.write(json.dumps(summary, ensure_ascii=False, indent=2) + "\n"),
        )
    if args.model_output:
        _write(args.model_output, lambda h: h.write(model.to_json()))
    progress(
        f"{len(model.themes):,} themes; {result.unassigned_share:.1%} unassigned; "
        f"wrote {args.output}"
    )
    return 0


def _guarded(handler: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        try:
            return int(handler(args))
        except InputError as error:
            print(f"error: {error}", file=sys.stderr)
            return EXIT_BAD_INPUT

    return run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leerlus patterns", description="The pattern engine on an export file."
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    discover = subparsers.add_parser(
        "discover",
        help="find themes without labels and write id,theme",
        description="Discover themes in INPUT (CSV, XLSX or JSONL). Unassigned items get -1.",
    )
    discover.add_argument("input", help="CSV, XLSX or JSONL file")
    discover.add_argument("--text-column", required=True, help="column with the text")
    discover.add_argument("--id-column", help="column with the id (default: row number from 0)")
    discover.add_argument("--output", required=True, help="CSV to write with columns id,theme")
    discover.add_argument("--themes-output", help="JSON to write with the themes")
    discover.add_argument("--model-output", help="JSON to write with the model (for re-runs)")
    discover.add_argument("--previous-model", help="a model from an earlier run: keep its themes")
    discover.add_argument("--curation", help="JSON with the analyst's renames, merges, ...")
    discover.add_argument("--quiet", action="store_true", help="no progress on stderr")
    discover.set_defaults(func=_guarded(_discover))
    if importlib.util.find_spec("leerlus.engine.cli_analysis") is not None:
        cli_analysis = importlib.import_module("leerlus.engine.cli_analysis")
        cli_analysis.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``leerlus patterns``; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
