# SPDX-License-Identifier: EUPL-1.2
"""Precision, recall and speed of the personal-data redaction on the labelled test set.

Run from the repository root::

    .venv/bin/python bench/redaction_quality.py

A predicted span counts as correct when its kind matches a gold span of the same kind and covers at
least half of that gold span (one gold span is matched at most once); "exact" also requires the
same start and end. Results go to ``bench/results/redaction.json`` and a markdown table is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from leerlus.feedback.redaction import KINDS, find_personal_data, redact  # noqa: E402

DATASET = ROOT / "leerlus" / "feedback" / "tests" / "data" / "redaction_labelled.jsonl"
RESULT = ROOT / "bench" / "results" / "redaction.json"
TARGETED = (
    "BSN",
    "IBAN",
    "TELEFOON",
    "EMAIL",
    "POSTCODE_HUISNUMMER",
    "KENTEKEN",
    "GEBOORTEDATUM",
)
TARGET = 0.95


@dataclass
class Tally:
    gold: int = 0
    predicted: int = 0
    correct: int = 0  # predictions that match a gold span (>= 50 % overlap)
    found: int = 0  # gold spans matched by a prediction
    exact: int = 0  # predictions with exactly the gold offsets
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        def ratio(num: int, den: int) -> float | None:
            return round(num / den, 4) if den else None

        return {
            "gold": self.gold,
            "predicted": self.predicted,
            "precision": ratio(self.correct, self.predicted),
            "recall": ratio(self.found, self.gold),
            "exact_precision": ratio(self.exact, self.predicted),
            "exact_recall": ratio(self.exact, self.gold),
        }


def load(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    return max(0, min(a_end, b_end) - max(a_start, b_start))


def evaluate(rows: list[dict[str, Any]]) -> dict[str, Tally]:
    tallies = {kind: Tally() for kind in KINDS}
    for row in rows:
        text: str = row["text"]
        gold = [(s["kind"], s["start"], s["end"]) for s in row["spans"]]
        predicted = [(f.kind, f.start, f.end) for f in find_personal_data(text)]
        for kind, _, _ in gold:
            tallies[kind].gold += 1
        used: set[int] = set()
        for kind, start, end in predicted:
            tally = tallies[kind]
            tally.predicted += 1
            match = None
            for i, (g_kind, g_start, g_end) in enumerate(gold):
                if i in used or g_kind != kind:
                    continue
                if overlap(start, end, g_start, g_end) * 2 >= g_end - g_start:
                    match = i
                    break
            if match is None:
                tally.false_alarms.append(f"{text[start:end]!r} in {text!r}")
                continue
            used.add(match)
            tally.correct += 1
            tally.found += 1
            if (start, end) == gold[match][1:]:
                tally.exact += 1
        for i, (kind, start, end) in enumerate(gold):
            if i not in used:
                tallies[kind].misses.append(f"{text[start:end]!r} in {text!r}")
    return tallies


def _micro(tallies: dict[str, Tally]) -> Tally:
    return Tally(
        gold=sum(t.gold for t in tallies.values()),
        predicted=sum(t.predicted for t in tallies.values()),
        correct=sum(t.correct for t in tallies.values()),
        found=sum(t.found for t in tallies.values()),
        exact=sum(t.exact for t in tallies.values()),
    )


def throughput(rows: list[dict[str, Any]], rounds: int = 7) -> dict[str, float]:
    """Texts per second for ``redact`` over the whole set: best and median of several rounds.

    The best round is the least disturbed by other work on a shared machine.
    """
    texts = [row["text"] for row in rows]
    for text in texts:  # warm up: compiled patterns, caches
        redact(text)
    speeds = []
    for _ in range(rounds):
        started = time.perf_counter()
        for text in texts:
            redact(text)
        speeds.append(len(texts) / (time.perf_counter() - started))
    return {"best": round(max(speeds), 1), "median": round(statistics.median(speeds), 1)}


def fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=DATASET)
    parser.add_argument("--output", type=Path, default=RESULT)
    parser.add_argument("--show-errors", action="store_true", help="print misses and false alarms")
    args = parser.parse_args()

    rows = load(args.dataset)
    tallies = evaluate(rows)
    by_source = {
        source: evaluate([row for row in rows if row.get("source", "template") == source])
        for source in sorted({row.get("source", "template") for row in rows})
    }
    speed = throughput(rows)
    english = sum(1 for row in rows if row.get("lang") == "en")

    per_kind = {
        kind: tally.as_dict() for kind, tally in tallies.items() if tally.gold or tally.predicted
    }
    total = _micro(tallies)
    meets = {
        kind: bool(
            per_kind[kind]["precision"] is not None
            and per_kind[kind]["recall"] is not None
            and per_kind[kind]["precision"] >= TARGET
            and per_kind[kind]["recall"] >= TARGET
        )
        for kind in TARGETED
        if kind in per_kind
    }
    result: dict[str, Any] = {
        "command": ".venv/bin/python bench/redaction_quality.py",
        "dataset": str(args.dataset.relative_to(ROOT))
        if args.dataset.is_relative_to(ROOT)
        else str(args.dataset),
        "texts": len(rows),
        "texts_without_personal_data": sum(1 for row in rows if not row["spans"]),
        "english_texts": english or None,
        "gold_spans": total.gold,
        "matching": "same kind and >= 50% of the gold span covered; exact = same offsets",
        "per_kind": per_kind,
        "micro": total.as_dict(),
        "by_source": {
            source: {
                "texts": sum(1 for row in rows if row.get("source", "template") == source),
                "micro": _micro(source_tallies).as_dict(),
                "per_kind": {
                    kind: tally.as_dict()
                    for kind, tally in source_tallies.items()
                    if tally.gold or tally.predicted
                },
            }
            for source, source_tallies in by_source.items()
        },
        "target": TARGET,
        "meets_target": meets,
        "throughput_texts_per_second": speed,
        "machine": {
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count(),
            "load_average_1min": round(os.getloadavg()[0], 2)
            if hasattr(os, "getloadavg")
            else None,
        },
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(
        json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )

    print(f"Redaction quality on {len(rows)} texts ({total.gold} gold spans)\n")
    print("| kind | gold | predicted | precision | recall | exact precision | exact recall |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for kind, row in per_kind.items():
        print(
            f"| {kind} | {row['gold']} | {row['predicted']} | {fmt(row['precision'])} | "
            f"{fmt(row['recall'])} | {fmt(row['exact_precision'])} | {fmt(row['exact_recall'])} |"
        )
    m = result["micro"]
    print(
        f"| **all** | {m['gold']} | {m['predicted']} | {fmt(m['precision'])} | "
        f"{fmt(m['recall'])} | {fmt(m['exact_precision'])} | {fmt(m['exact_recall'])} |"
    )
    print("\n| source | texts | gold spans | precision | recall |")
    print("|---|---:|---:|---:|---:|")
    for source, part in result["by_source"].items():
        micro = part["micro"]
        print(
            f"| {source} | {part['texts']} | {micro['gold']} | {fmt(micro['precision'])} | "
            f"{fmt(micro['recall'])} |"
        )
    print(
        f"\nThroughput: {speed['best']:,.0f} texts/second best of 7 rounds, "
        f"{speed['median']:,.0f} median (redact, single process, os.cpu_count()={os.cpu_count()})"
    )
    failing = [kind for kind, ok in meets.items() if not ok]
    print(
        "Targets (>= 0.95 precision and recall): "
        + ("all met" if not failing else f"not met for {', '.join(failing)}")
    )
    if args.show_errors:
        for kind, tally in tallies.items():
            for miss in tally.misses:
                print(f"MISS {kind}: {miss}")
            for alarm in tally.false_alarms:
                print(f"FALSE {kind}: {alarm}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
