# SPDX-License-Identifier: EUPL-1.2
"""``leerlus patterns classify | trends | effect``: routing, alerts and effects on an export.

:func:`register` adds the three subcommands to the ``patterns`` command's subparsers; each
sets ``func(args) -> int`` (the exit code). They read CSV, XLSX or JSONL with the table
readers the importer uses too (:mod:`leerlus.engine.tables`), report progress on stderr and
answer bad input (a missing column, an empty file, an unreadable encoding, an unparsable
date) with one line on stderr and exit code 2.

Ids: ``--id-column`` names a column; without it an item's id is its row number, counting
the data rows from 0.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final, TextIO
from zoneinfo import ZoneInfo

import numpy as np

from leerlus.engine import cells
from leerlus.engine.calendar_nl import DayCalendar, DutchCalendar, PlainCalendar
from leerlus.engine.dates import parse_datetime
from leerlus.engine.effects import EffectSettings, estimate_effect
from leerlus.engine.io import InputError, find_column
from leerlus.engine.routing import RoutingModel, predict, train
from leerlus.engine.tables import NUL_CHARACTER, RAW_LINE, ROW_ERROR, ParseError, open_table
from leerlus.engine.text import fingerprint
from leerlus.engine.themes import UNASSIGNED, discover
from leerlus.engine.trends import (
    ALL,
    Alert,
    SeriesKey,
    SeriesSet,
    TrendSettings,
    build_series,
    compare_around,
    scan,
)

__all__ = ["read_items", "register"]

AMSTERDAM: Final = ZoneInfo("Europe/Amsterdam")
EXIT_BAD_INPUT: Final = 2
MAX_EXAMPLES: Final = 3


# --- reading -------------------------------------------------------------------------------


@dataclass
class Items:
    ids: list[str]
    texts: list[str]
    columns: dict[str, list[str]]
    dates: list[date] | None = None


class _Progress:
    """Progress on stderr: at most once a second, and only for runs that take a while."""

    def __init__(self, stream: TextIO, quiet: bool = False) -> None:
        self.stream = stream
        self.quiet = quiet
        self.last = time.monotonic()

    def say(self, message: str, *, force: bool = False) -> None:
        now = time.monotonic()
        if self.quiet or (not force and now - self.last < 1.0):
            return
        self.last = now
        print(message, file=self.stream, flush=True)


def read_items(
    path: str | Path,
    *,
    text_column: str,
    id_column: str | None = None,
    date_column: str | None = None,
    extra_columns: Iterable[tuple[str, str]] = (),
    progress: _Progress | None = None,
) -> Items:
    """Rows of a CSV/XLSX/JSONL file as items; InputError says what is wrong with it.

    ``extra_columns`` is ``(column, option)`` pairs read as plain strings. Dates are read
    with the importer's Dutch and ISO formats and become the Amsterdam calendar day.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    try:
        table = open_table(path)
    except ParseError as error:
        raise InputError(f"{path.name}: {error}") from error
    except OSError as error:
        raise InputError(f"{path.name}: cannot be read ({error.strerror or error})") from error
    with table:
        header = table.header
        text_key = find_column(header, text_column, "--text-column", path)
        id_key = find_column(header, id_column, "--id-column", path) if id_column else None
        date_key = find_column(header, date_column, "--date-column", path) if date_column else None
        extras = [(find_column(header, c, o, path), c) for c, o in extra_columns]
        items = Items(ids=[], texts=[], columns={c: [] for _, c in extras})
        dates: list[date] = []
        try:
            for number, row in table.rows:
                # A row with a NUL byte is read without it (the importer keeps it aside).
                if row.get(ROW_ERROR, NUL_CHARACTER) != NUL_CHARACTER:
                    raise InputError(
                        f"{path.name}, line {number}: not a JSON object ({row[ROW_ERROR]}): "
                        f"{row.get(RAW_LINE, '')[:40]!r}"
                    )
                position = len(items.texts)
                item_id = row.get(id_key, "").strip() if id_key else str(position)
                if id_key and not item_id:
                    raise InputError(f"{path.name}, row {number}: empty id in {id_key!r}")
                items.ids.append(item_id)
                items.texts.append(row.get(text_key, ""))
                for key, name in extras:
                    items.columns[name].append(row.get(key, "").strip())
                if date_key is not None:
                    raw = row.get(date_key, "")
                    moment = parse_datetime(raw)
                    if moment is None:
                        shown = raw.strip()[:40] or "(empty)"
                        raise InputError(
                            f"{path.name}, row {number}: {shown!r} in column {date_key!r} is "
                            "not a date (use e.g. 2025-12-31 or 31-12-2025)"
                        )
                    dates.append(moment.astimezone(AMSTERDAM).date())
                if progress is not None and position % 5000 == 0 and position:
                    progress.say(f"read {position:,} rows of {path.name}")
        except ParseError as error:
            raise InputError(f"{path.name}: {error}") from error
        except UnicodeDecodeError as error:
            raise InputError(f"{path.name}: unreadable encoding ({error.reason})") from error
    if not items.texts:
        raise InputError(f"{path.name} has no rows")
    if date_key is not None:
        items.dates = dates
    return items


def _write_json(path: str, data: Any) -> None:
    try:
        Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", "utf-8")
    except OSError as error:
        raise InputError(f"{path}: cannot be written ({error.strerror or error})") from error


def _calendar(name: str) -> DayCalendar:
    return DutchCalendar() if name == "nl" else PlainCalendar()


# --- classify ------------------------------------------------------------------------------


def _classify(args: argparse.Namespace) -> int:
    progress = _Progress(sys.stderr, args.quiet)
    if args.model and not args.train:
        try:
            model = RoutingModel.from_bytes(Path(args.model).read_bytes())
        except (OSError, ValueError) as error:
            raise InputError(f"{args.model}: not a readable routing model ({error})") from error
    else:
        if not args.label_column:
            raise InputError("--label-column is needed with --train")
        progress.say(f"reading {args.train}", force=True)
        examples = read_items(
            args.train,
            text_column=args.text_column,
            extra_columns=[(args.label_column, "--label-column")],
            progress=progress,
        )
        labels = examples.columns[args.label_column]
        pairs = [(t, lab) for t, lab in zip(examples.texts, labels, strict=True) if lab]
        if not pairs:
            raise InputError(f"{args.train}: column {args.label_column!r} is empty in every row")
        progress.say(f"training on {len(pairs):,} examples", force=True)
        try:
            model = train(
                [t for t, _ in pairs],
                [lab for _, lab in pairs],
                progress=lambda message: progress.say(message, force=True),
            )
        except ValueError as error:
            raise InputError(f"{args.train}: {error}") from error
        if args.save_model:
            Path(args.save_model).write_bytes(model.to_bytes())
    items = read_items(
        args.input, text_column=args.text_column, id_column=args.id_column, progress=progress
    )
    progress.say(f"routing {len(items.texts):,} items", force=True)
    predictions = []
    chunk = 2000
    for lo in range(0, len(items.texts), chunk):
        predictions.extend(predict(model, items.texts[lo : lo + chunk]))
        progress.say(f"routed {min(lo + chunk, len(items.texts)):,} of {len(items.texts):,}")
    try:
        with open(args.output, "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["id", "label", "confidence", *(["unsure"] if args.unsure else [])])
            for item_id, p in zip(items.ids, predictions, strict=True):
                row = [item_id, p.label, f"{p.confidence:.4f}"]
                row += ["yes" if p.unsure else "no"] if args.unsure else []
                writer.writerow(cells.safe_row(row))
    except OSError as error:
        raise InputError(f"{args.output}: cannot be written ({error.strerror or error})") from error
    unsure = sum(p.unsure for p in predictions)
    progress.say(
        f"wrote {len(predictions):,} rows to {args.output} ({unsure:,} below the unsure "
        f"threshold {model.unsure_below:.2f})",
        force=True,
    )
    return 0


# --- themes for trends and effects -----------------------------------------------------------


@dataclass
class _Grouping:
    themes: list[str]
    labels: dict[str, str]


def _group(items: Items, args: argparse.Namespace, progress: _Progress) -> _Grouping:
    """Themes from ``--group-column``, else from the engine's theme discovery."""
    if args.group_column:
        values = items.columns[args.group_column]
        themes = [v or "(none)" for v in values]
        return _Grouping(themes, {t: t for t in set(themes)})
    progress.say(f"discovering themes in {len(items.texts):,} texts", force=True)
    found = discover(
        items.texts, ids=items.ids, progress=lambda message: progress.say(message, force=True)
    )
    labels = {str(t.id): t.title for t in found.model.themes}
    labels[str(UNASSIGNED)] = "(fits no theme)"
    return _Grouping([str(int(t)) for t in found.assignments], labels)


def _examples(items: Items, indices: np.ndarray) -> list[str]:
    """Up to three distinct texts (after masking) from an alert's items, the most common first."""
    seen: dict[str, list[int]] = {}
    for i in indices:
        seen.setdefault(fingerprint(items.texts[int(i)]), []).append(int(i))
    ranked = sorted(seen.values(), key=lambda members: (-len(members), members[0]))
    return [items.texts[members[0]][:500] for members in ranked[:MAX_EXAMPLES]]


def _series(
    items: Items, grouping: _Grouping, args: argparse.Namespace, *, min_items: int = 10
) -> SeriesSet:
    assert items.dates is not None
    channels = items.columns.get(args.channel_column) if args.channel_column else None
    services = items.columns.get(args.service_column) if args.service_column else None
    return build_series(
        items.dates, grouping.themes, channels, services, min_items=min_items, totals=True
    )


def _label(key: SeriesKey, grouping: _Grouping) -> str:
    theme = grouping.labels.get(key.theme, key.theme) if key.theme != ALL else "all signals"
    rest = [p for p in (key.channel, key.service) if p != ALL]
    return " · ".join([theme, *rest])


def _alert_json(
    alert: Alert, items: Items, series: SeriesSet, grouping: _Grouping
) -> dict[str, Any]:
    members = series.items(alert.key, alert.start, alert.end)
    return {
        "theme": None if alert.key.theme == ALL else alert.key.theme,
        "label": _label(alert.key, grouping),
        "kind": alert.kind,
        "direction": alert.direction,
        "start": alert.start.isoformat(),
        "end": alert.end.isoformat(),
        "raised": alert.raised.isoformat(),
        "score": round(alert.score, 2),
        "observed": alert.observed,
        "expected": round(alert.expected, 2),
        "ratio": round(alert.ratio, 2),
        "channel": None if alert.key.channel == ALL else alert.key.channel,
        "service": None if alert.key.service == ALL else alert.key.service,
        "examples": _examples(items, members),
        "ids": [items.ids[int(i)] for i in members],
    }


def _read_dated(args: argparse.Namespace, progress: _Progress) -> Items:
    extra = [
        (c, o)
        for c, o in (
            (args.group_column, "--group-column"),
            (args.channel_column, "--channel-column"),
            (args.service_column, "--service-column"),
        )
        if c
    ]
    return read_items(
        args.input,
        text_column=args.text_column,
        id_column=args.id_column,
        date_column=args.date_column,
        extra_columns=extra,
        progress=progress,
    )


# --- trends --------------------------------------------------------------------------------


def _trends(args: argparse.Namespace) -> int:
    progress = _Progress(sys.stderr, args.quiet)
    if args.false_alarms_per_year <= 0 or not math.isfinite(args.false_alarms_per_year):
        raise InputError("--false-alarms-per-year must be a positive number")
    items = _read_dated(args, progress)
    grouping = _group(items, args, progress)
    series = _series(items, grouping, args)
    progress.say(
        f"{len(series.keys):,} series over {len(series.days):,} days "
        f"({series.days[0].isoformat()} to {series.days[-1].isoformat()})",
        force=True,
    )
    settings = TrendSettings(false_alarms_per_year=args.false_alarms_per_year)
    alerts = scan(
        series,
        settings=settings,
        calendar=_calendar(args.calendar),
        progress=lambda done, total: progress.say(f"scanned {done:,} of {total:,} series"),
    )
    out = [_alert_json(a, items, series, grouping) for a in alerts]
    _write_json(args.output, out)
    progress.say(f"wrote {len(out):,} alerts to {args.output}", force=True)
    return 0


# --- effect --------------------------------------------------------------------------------


def _parse_event(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise InputError(f"--event-date {value!r} is not a date like 2025-03-31") from error


def _effect(args: argparse.Namespace) -> int:
    progress = _Progress(sys.stderr, args.quiet)
    event = _parse_event(args.event_date)
    items = _read_dated(args, progress)
    grouping = _group(items, args, progress)
    series = _series(items, grouping, args, min_items=5)
    if not series.days[0] < event <= series.days[-1]:
        raise InputError(
            f"--event-date {event.isoformat()} is outside the data "
            f"({series.days[0].isoformat()} to {series.days[-1].isoformat()})"
        )
    calendar = _calendar(args.calendar)
    changes = []
    try:
        compared = compare_around(
            series,
            event,
            before_days=args.before_days,
            after_days=args.after_days,
            calendar=calendar,
        )
    except ValueError as error:
        compared = []
        progress.say(f"no before/after comparison: {error}", force=True)
    for change in compared:
        changes.append(
            {
                **change.key.as_dict(),
                "label": _label(change.key, grouping),
                "before": change.before,
                "after": change.after,
                "expected_after": round(change.expected_after, 2),
                "ratio": round(change.ratio, 3),
                "low": round(change.low, 3),
                "high": round(change.high, 3),
                "p_value": change.p_value,
                "q_value": change.q_value,
                "significant": change.significant,
            }
        )
    theme_keys = [k for k in series.keys if k.theme != ALL and k.depth == 1]
    if args.theme is not None:
        wanted = [k for k in theme_keys if k.theme == args.theme]
        if not wanted:
            shown = ", ".join(sorted(k.theme for k in theme_keys)[:10])
            raise InputError(f"--theme {args.theme!r} is not a theme of the input ({shown})")
        targets = wanted
    else:
        targets = theme_keys
    # Comparison: every other theme the before/after did not flag as changed.
    changed = {
        c.key.theme for c in compared if c.significant and c.key.depth == 1 and c.key.theme != ALL
    }
    # The effect is measured over the same after-window as the before/after comparison.
    settings = EffectSettings(
        max_pre_weeks=max(EffectSettings().min_pre_weeks, args.before_weeks),
        max_post_weeks=max(EffectSettings().min_post_weeks, args.after_days // 7),
    )
    effects = []
    for key in targets:
        others = [k for k in theme_keys if k != key and k.theme not in changed]
        comparison = np.sum([series.series(k) for k in others], axis=0) if others else None
        estimate = estimate_effect(
            series.series(key),
            series.days[0],
            event,
            comparison,
            settings=settings,
            calendar=calendar,
        )
        effects.append(
            {
                "theme": key.theme,
                "label": _label(key, grouping),
                "comparison_themes": len(others),
                **estimate.as_dict(),
            }
        )
    result = {
        "event_date": event.isoformat(),
        "theme": args.theme,
        "effects": effects,
        "changes": changes,
    }
    _write_json(args.output, result)
    progress.say(
        f"wrote {len(effects):,} effect estimates and {len(changes):,} before/after "
        f"comparisons to {args.output}",
        force=True,
    )
    return 0


# --- wiring --------------------------------------------------------------------------------


def _guarded(handler: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        try:
            return int(handler(args))
        except InputError as error:
            print(f"error: {error}", file=sys.stderr)
            return EXIT_BAD_INPUT

    return run


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--text-column", required=True, help="column with the text")
    parser.add_argument("--id-column", help="column with the id (default: row number from 0)")
    parser.add_argument("--output", required=True, help="file to write")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _dated(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", help="CSV, XLSX or JSONL file")
    parser.add_argument("--date-column", required=True, help="column with the date")
    parser.add_argument("--group-column", help="column with the theme (default: discover)")
    parser.add_argument("--channel-column", help="column with the channel (series per channel)")
    parser.add_argument("--service-column", help="column with the service (series per service)")
    parser.add_argument(
        "--calendar",
        choices=("nl", "none"),
        default="nl",
        help="public and school holidays of the expected level (default: nl)",
    )


def register(subparsers: Any) -> None:
    """Add ``classify``, ``trends`` and ``effect`` to an argparse subparsers object."""
    classify = subparsers.add_parser(
        "classify",
        help="route items to labels learned from confirmed examples",
        description="Learn labels from --train and write id,label,confidence for INPUT.",
    )
    classify.add_argument("input", help="CSV, XLSX or JSONL file to classify")
    classify.add_argument("--train", help="file with confirmed examples")
    classify.add_argument("--label-column", help="column of --train with the label")
    classify.add_argument("--model", help="a model saved with --save-model (instead of --train)")
    classify.add_argument("--save-model", help="write the trained model here")
    classify.add_argument(
        "--unsure", action="store_true", help="add a column unsure (yes/no) for the unsure queue"
    )
    _common(classify)
    classify.set_defaults(func=_guarded(_check_classify))

    trends = subparsers.add_parser(
        "trends",
        help="alerts for spikes, new themes and level shifts",
        description="Daily series per theme (x channel x service) and their alerts, as JSON.",
    )
    _dated(trends)
    _common(trends)
    trends.add_argument(
        "--false-alarms-per-year",
        type=float,
        default=TrendSettings().false_alarms_per_year,
        help="target false alarms per series-year (default: %(default)s)",
    )
    trends.set_defaults(func=_guarded(_trends))

    effect = subparsers.add_parser(
        "effect",
        help="effect of an event on a theme, and what changed elsewhere",
        description="Before/after around --event-date over all series, and the effect per theme "
        "(difference in differences against the other themes).",
    )
    _dated(effect)
    _common(effect)
    effect.add_argument("--event-date", required=True, help="YYYY-MM-DD")
    effect.add_argument("--theme", help="only this theme's effect (default: every theme)")
    effect.add_argument("--before-days", type=int, default=56, help="default: %(default)s")
    effect.add_argument(
        "--after-days",
        type=int,
        default=28,
        help="days from the event compared and over which the effect is measured "
        "(default: %(default)s)",
    )
    effect.add_argument(
        "--before-weeks",
        type=int,
        default=EffectSettings().max_pre_weeks,
        help="weeks before the event the effect model learns from (default: %(default)s)",
    )
    effect.set_defaults(func=_guarded(_effect))


def _check_classify(args: argparse.Namespace) -> int:
    if not args.train and not args.model:
        raise InputError("give --train (with --label-column) or --model")
    return _classify(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the subcommands without the rest of the ``leerlus`` command (tests, benchmarks)."""
    parser = argparse.ArgumentParser(prog="leerlus patterns")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
