# SPDX-License-Identifier: EUPL-1.2
"""Recognising what a table's columns hold: by their names, and by a sample of their values.

An export from another system names its columns in its own words (``created``,
``categoryName``, ``col3``). The detector matches each field the caller describes (a
:class:`FieldSpec`) with the column that most likely holds it:

- **by name**: the column is called one of the field's names (``datum``, ``omschrijving``),
  compared without case, spaces, dashes, underscores or camelCase (``receivedAt`` is
  ``received_at``); this is sure, and the values are not checked, as a name given by hand;
- **by name and content**: a word of the column's name hints at the field (``created``,
  ``categoryName``, ``regionName``) and its values agree (they read as dates, they repeat);
- **by content**: the values alone say it: they read as dates (the date), they are the longest
  free text (the text), no value repeats (an id), they are values the caller knows (a channel,
  the organisation's services), they are URLs.

Each choice has a confidence from 0 to 1. A choice is *unsure* where it rests on content and
another column fits the field almost as well (two columns of dates, two of long texts, and
no word of either name to tell them apart), or where its evidence is weak: the caller asks a
person there instead of guessing.

Only a sample is read: the first :data:`SAMPLE_ROWS` rows of whatever iterator is given,
never the whole file. Pure Python; dates are read by :func:`leerlus.engine.dates.parse_datetime`.
Never raises on any table of strings; every column is used for at most one field.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Final, Literal

from .dates import parse_datetime
from .tables import ROW_ERROR

__all__ = [
    "KINDS",
    "SAMPLE_ROWS",
    "Choice",
    "Detection",
    "FieldSpec",
    "Unused",
    "detect_columns",
    "name_key",
]

SAMPLE_ROWS: Final = 200
# A choice on content below this confidence, or with a rival within MARGIN of it, is unsure.
SURE: Final = 0.6
MARGIN: Final = 0.1
# Weaker candidates are not considered at all.
CANDIDATE: Final = 0.5
HINT_BONUS: Final = 0.08

Kind = Literal[
    "text", "date", "identifier", "category", "reference", "vocabulary", "flag", "label",
    "rating", "url",
]  # fmt: skip
# What each kind of field looks like by content:
KINDS: Final[dict[str, str]] = {
    "text": "the longest free text",
    "date": "values that read as dates",
    "identifier": "short values, none repeated",
    "category": "a few values repeated (by content only where they are known values)",
    "reference": "known values (the caller's names), by name hint or content",
    "vocabulary": "known values (a closed list, such as channels)",
    "flag": "yes/no values, with a name hint",
    "label": "short values, with a name hint",
    "rating": "whole numbers from 1 to 5, with a name hint",
    "url": "web addresses",
}
How = Literal["name", "name_content", "content"]

_YES_NO: Final = frozenset(
    {"true", "false", "yes", "no", "ja", "nee", "j", "n", "y", "0", "1", "waar", "onwaar"}
)
_URL: Final = re.compile(r"https?://\S+", re.IGNORECASE)
_WHOLE: Final = re.compile(r"[+-]?\d+")
_CAMEL: Final = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS: Final = re.compile(r"[\s\-_/.]+")
# Hints of five letters or more also count inside a longer word (``meldingsdatum``).
_INNER_HINT: Final = 5


def name_key(name: str) -> str:
    """A column name as it is compared: lower case, words joined by ``_`` (camelCase split)."""
    return _SEPARATORS.sub("_", _CAMEL.sub("_", name.strip())).strip("_").lower()


@dataclass(frozen=True)
class FieldSpec:
    """A field a column can fill: how it is named, what its values look like.

    ``names``: column names that are this field (compared by :func:`name_key`); ``hints``:
    words of a name that point to it when the values agree; ``stored=False``: a field that is
    recognised (so that its column is not taken for another) but not imported.
    """

    name: str
    kind: Kind
    names: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()
    required: bool = False
    stored: bool = True


@dataclass(frozen=True)
class Choice:
    """The column chosen for a field: how, how sure, why, and the other columns it could be."""

    field: str
    column: str
    how: How
    confidence: float
    code: str  # the evidence: "name", "dates", "longest_text", "unique", ...
    # (``field`` is a name of this class: the dataclasses function is spelt out)
    params: dict[str, str] = dataclasses.field(default_factory=dict)
    unsure: bool = False
    alternatives: tuple[str, ...] = ()

    def explain(self) -> str:
        """Why, in English (the command line's words)."""
        words = {"name": "by name", "name_content": "by name and content", "content": "by content"}
        text = f"{words[self.how]} ({round(100 * self.confidence)}%)"
        if self.code != "name":
            text += ": " + _english(self.code, self.params)
        if self.alternatives:
            text += "; could also be " + ", ".join(self.alternatives)
        return text


@dataclass(frozen=True)
class Unused:
    """A column no field takes, and why."""

    column: str
    code: str  # "no_field", "yes_no", "unknown_values", "repeated", "taken", "not_stored"
    params: dict[str, str] = field(default_factory=dict)

    def explain(self) -> str:
        return _english(self.code, self.params)


@dataclass(frozen=True)
class Detection:
    """The choices (in the order of the fields given), the columns left over, the sample."""

    choices: tuple[Choice, ...]
    unused: tuple[Unused, ...]
    rows: int
    stored_fields: frozenset[str] = frozenset()

    @property
    def columns(self) -> dict[str, str]:
        """Field → column of the fields that are imported."""
        return {c.field: c.column for c in self.choices if c.field in self.stored_fields}

    @property
    def unsure(self) -> tuple[Choice, ...]:
        return tuple(c for c in self.choices if c.unsure)

    def choice(self, field_name: str) -> Choice | None:
        return next((c for c in self.choices if c.field == field_name), None)

    def as_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "choices": [
                {
                    "field": c.field,
                    "column": c.column,
                    "how": c.how,
                    "confidence": c.confidence,
                    "code": c.code,
                    "params": dict(c.params),
                    "unsure": c.unsure,
                    "alternatives": list(c.alternatives),
                }
                for c in self.choices
            ],
            "unused": [
                {"column": u.column, "code": u.code, "params": dict(u.params)} for u in self.unused
            ],
        }

    @classmethod
    def from_json(cls, data: object, fields: Sequence[FieldSpec]) -> Detection | None:
        """A detection kept as JSON, or None where ``data`` is not one."""
        if not isinstance(data, Mapping):
            return None
        try:
            choices = tuple(
                Choice(
                    field=str(c["field"]),
                    column=str(c["column"]),
                    how=c["how"] if c["how"] in ("name", "name_content", "content") else "content",
                    confidence=float(c["confidence"]),
                    code=str(c["code"]),
                    params={str(k): str(v) for k, v in dict(c.get("params") or {}).items()},
                    unsure=bool(c.get("unsure")),
                    alternatives=tuple(str(a) for a in c.get("alternatives") or ()),
                )
                for c in data.get("choices") or ()
            )
            unused = tuple(
                Unused(
                    column=str(u["column"]),
                    code=str(u["code"]),
                    params={str(k): str(v) for k, v in dict(u.get("params") or {}).items()},
                )
                for u in data.get("unused") or ()
            )
            rows = int(data.get("rows") or 0)
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        return cls(choices, unused, rows, frozenset(f.name for f in fields if f.stored))


_ENGLISH: Final[dict[str, str]] = {
    "dates": "%(matched)s of %(seen)s values are dates",
    "longest_text": "the longest free text (%(length)s characters on average)",
    "unique": "%(seen)s values, none repeated",
    "repeated": "%(distinct)s different values repeated over %(seen)s rows",
    "known_values": "%(matched)s of %(seen)s values are known",
    "yes_no": "yes/no values",
    "short_values": "short values",
    "ratings": "%(matched)s of %(seen)s values are ratings from 1 to 5",
    "urls": "%(matched)s of %(seen)s values are web addresses",
    "no_field": "no field fits",
    "unknown_values": "looks like %(field)s, but %(value)s is not a known value",
    "repeated_unknown": "repeated values that are not known for %(field)s (such as %(value)s)",
    "taken": "could be %(field)s, for which column %(column)s was chosen",
    "not_stored": "recognised as %(field)s, which is not imported",
}


def _english(code: str, params: Mapping[str, str]) -> str:
    template = _ENGLISH.get(code, code)
    try:
        return template % dict(params)
    except (KeyError, TypeError, ValueError):
        return template


# --- profiles of the columns ------------------------------------------------------------------


@dataclass
class _Profile:
    column: str
    key: str
    tokens: frozenset[str]
    rows: int
    values: Counter[str]
    seen: int = 0
    mean_length: float = 0.0
    wordy: int = 0
    dates: int = 0
    yes_no: int = 0
    urls: int = 0
    ratings: int = 0
    known: dict[str, int] = field(default_factory=dict)
    unknown_example: dict[str, str] = field(default_factory=dict)

    @property
    def distinct(self) -> int:
        return len(self.values)

    def share(self, count: int) -> float:
        return count / self.seen if self.seen else 0.0

    @property
    def short(self) -> bool:
        return (
            self.seen > 0
            and max(len(v) for v in self.values) <= 100
            and self.share(self.dates) < 0.5
        )

    @property
    def categorical(self) -> bool:
        """A few values, repeated: at least four filled rows, at most half as many values."""
        return (
            self.seen >= 4
            and 2 <= self.distinct <= min(50, self.seen // 2)
            and self.short
            and self.yes_no < self.seen
        )

    def hinted(self, spec: FieldSpec) -> bool:
        return any(
            hint in self.tokens or (len(hint) >= _INNER_HINT and hint in self.key)
            for hint in spec.hints
        )


def _profile(
    column: str,
    values: list[str],
    checks: Mapping[str, Callable[[str], bool]],
    date_format: str | None,
) -> _Profile:
    key = name_key(column)
    counts: Counter[str] = Counter(v for v in values if v)
    profile = _Profile(
        column=column,
        key=key,
        tokens=frozenset(t for t in key.split("_") if t),
        rows=len(values),
        values=counts,
        seen=sum(counts.values()),
    )
    if not profile.seen:
        return profile
    profile.mean_length = sum(len(v) * n for v, n in counts.items()) / profile.seen
    for value, n in counts.items():
        if len(value.split()) >= 3:
            profile.wordy += n
        if value.casefold() in _YES_NO:
            profile.yes_no += n
        if _URL.fullmatch(value):
            profile.urls += n
        if _WHOLE.fullmatch(value) and 1 <= int(value) <= 5:
            profile.ratings += n
        if parse_datetime(value, date_format=date_format) is not None:
            profile.dates += n
        for name, check in checks.items():
            if _safe_check(check, value):
                profile.known[name] = profile.known.get(name, 0) + n
            else:
                profile.unknown_example.setdefault(name, value)
    return profile


def _safe_check(check: Callable[[str], bool], value: str) -> bool:
    try:
        return bool(check(value))
    except Exception:  # a caller's check that fails on a value does not know it
        return False


# --- scoring -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    spec: FieldSpec
    profile: _Profile
    score: float
    code: str
    params: dict[str, str]
    hinted: bool


def _quoted(value: str) -> str:
    value = " ".join(value.split())
    return "“" + (value if len(value) <= 40 else value[:39] + "…") + "”"


def _matched(profile: _Profile, count: int) -> dict[str, str]:
    return {"matched": str(count), "seen": str(profile.seen)}


def _score(
    spec: FieldSpec, p: _Profile, longest: float
) -> tuple[float, str, dict[str, str]] | None:
    """How well the column's content fits the field (0 to 1) and why; None: not at all."""
    hinted = p.hinted(spec)
    bonus = HINT_BONUS if hinted else 0.0
    if not p.seen:
        return None
    kind = spec.kind
    if kind == "date":
        share = p.share(p.dates)
        return (0.5 + 0.4 * share + bonus, "dates", _matched(p, p.dates)) if share >= 0.8 else None
    if kind == "text":
        if p.mean_length < 15 or p.share(p.wordy) < 0.5 or p.share(p.dates) >= 0.5:
            return None
        ratio = p.mean_length / longest if longest else 0.0
        return 0.5 + 0.4 * ratio + bonus, "longest_text", {"length": str(round(p.mean_length))}
    if kind == "identifier":
        if (
            p.seen >= 3
            and p.distinct == p.seen
            and p.seen >= 0.8 * p.rows
            and p.short
            and p.share(p.wordy) < 0.2
        ):
            return 0.75 + (0.15 if hinted else 0.0), "unique", {"seen": str(p.seen)}
        return None
    if kind in ("category", "reference", "vocabulary"):
        known = p.known.get(spec.name, 0)
        share = p.share(known)
        if kind == "vocabulary":
            return (
                (0.5 + 0.4 * share + bonus, "known_values", _matched(p, known))
                if share >= 0.8
                else None
            )
        if (p.categorical or hinted) and p.short and share >= 0.5:
            return 0.6 + 0.3 * share + bonus, "known_values", _matched(p, known)
        if kind == "category" and hinted and p.categorical:
            return 0.9, "repeated", {"distinct": str(p.distinct), "seen": str(p.seen)}
        if kind == "category" and hinted and p.short and p.yes_no < p.seen:
            return 0.7, "short_values", {}
        return None
    if not hinted:
        return (
            (0.8, "urls", _matched(p, p.urls)) if kind == "url" and p.share(p.urls) >= 0.8 else None
        )
    if kind == "flag":
        return (0.95, "yes_no", {}) if p.yes_no == p.seen else None
    if kind == "label":
        return (0.85, "short_values", {}) if p.short and p.mean_length <= 60 else None
    if kind == "rating":
        return (0.9, "ratings", _matched(p, p.ratings)) if p.share(p.ratings) >= 0.8 else None
    if kind == "url":
        return (0.9, "urls", _matched(p, p.urls)) if p.share(p.urls) >= 0.8 else None
    return None


def _why_unused(p: _Profile, specs: Sequence[FieldSpec], lost: Mapping[str, Choice]) -> Unused:
    if p.column in lost:
        winner = lost[p.column]
        return Unused(p.column, "taken", {"field": winner.field, "column": winner.column})
    for spec in specs:
        if spec.kind in ("vocabulary", "reference", "category") and p.hinted(spec) and p.seen:
            example = p.unknown_example.get(spec.name, "")
            code = "repeated_unknown" if spec.kind == "category" else "unknown_values"
            return Unused(p.column, code, {"field": spec.name, "value": _quoted(example)})
    if p.seen and p.yes_no == p.seen:
        return Unused(p.column, "yes_no")
    category = next((s for s in specs if s.kind == "category"), None)
    if category is not None and p.categorical:
        example = p.unknown_example.get(category.name) or next(iter(p.values), "")
        return Unused(
            p.column, "repeated_unknown", {"field": category.name, "value": _quoted(example)}
        )
    return Unused(p.column, "no_field")


# --- the detector ------------------------------------------------------------------------------


def _sample(
    header: Sequence[str], rows: Iterable[Mapping[str, Any]], limit: int
) -> tuple[list[str], dict[str, list[str]]]:
    columns = list(dict.fromkeys(str(c) for c in header))
    values: dict[str, list[str]] = {c: [] for c in columns}
    for row in islice(rows, max(limit, 0)):
        if not isinstance(row, Mapping) or ROW_ERROR in row:
            continue
        for column in columns:
            raw = row.get(column)
            values[column].append("" if raw is None else " ".join(str(raw).split()))
    return columns, values


def detect_columns(
    header: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    fields: Sequence[FieldSpec],
    *,
    checks: Mapping[str, Callable[[str], bool]] | None = None,
    date_format: str | None = None,
    limit: int = SAMPLE_ROWS,
) -> Detection:
    """The column for each field, by name and by the content of the first ``limit`` rows.

    ``checks``: per field, whether a value is one the caller knows (a channel, one of the
    organisation's services); ``date_format`` (``strptime`` codes) is tried before the
    recognised formats. With no rows, only names are matched (the first of a field's names
    found wins, in the order of ``fields``).
    """
    columns, values = _sample(header, rows, limit)
    profiles = {c: _profile(c, values[c], checks or {}, date_format) for c in columns}
    by_key: dict[str, str] = {}
    for column in columns:
        by_key.setdefault(name_key(column), column)
    stored = frozenset(f.name for f in fields if f.stored)
    chosen: dict[str, Choice] = {}
    used: set[str] = set()

    for spec in fields:
        if spec.name in chosen:
            continue
        for alias in spec.names:
            found = by_key.get(name_key(alias))
            if found is not None and found not in used:
                chosen[spec.name] = Choice(spec.name, found, "name", 1.0, "name")
                used.add(found)
                break

    longest = max(
        (p.mean_length for p in profiles.values() if p.share(p.wordy) >= 0.5), default=0.0
    )
    candidates: list[_Candidate] = []
    for spec in fields:
        if spec.name in chosen:
            continue
        for column in columns:
            if column in used:
                continue
            scored = _score(spec, profiles[column], longest)
            if scored is not None and scored[0] >= CANDIDATE:
                score, code, params = scored
                candidates.append(
                    _Candidate(
                        spec,
                        profiles[column],
                        min(score, 0.99),
                        code,
                        params,
                        profiles[column].hinted(spec),
                    )
                )
    order = {spec.name: index for index, spec in enumerate(fields)}
    candidates.sort(key=lambda c: (-c.score, order[c.spec.name], columns.index(c.profile.column)))
    for candidate in candidates:
        name, column = candidate.spec.name, candidate.profile.column
        if name in chosen or column in used:
            continue
        chosen[name] = Choice(
            name,
            column,
            "name_content" if candidate.hinted else "content",
            round(candidate.score, 2),
            candidate.code,
            candidate.params,
        )
        used.add(column)

    lost: dict[str, Choice] = {}
    for name, choice in list(chosen.items()):
        if choice.how == "name":
            continue
        rivals = [
            c for c in candidates if c.spec.name == name and c.profile.column != choice.column
        ]
        for rival in rivals:
            lost.setdefault(rival.profile.column, choice)
        close = tuple(
            c.profile.column
            for c in rivals
            if c.profile.column not in used
            and c.score >= choice.confidence - MARGIN
            # a word of the name settles what the values leave open
            and (c.hinted or choice.how == "content")
        )
        if close or choice.confidence < SURE:
            chosen[name] = Choice(
                choice.field,
                choice.column,
                choice.how,
                choice.confidence,
                choice.code,
                choice.params,
                unsure=True,
                alternatives=close,
            )

    choices = tuple(chosen[spec.name] for spec in fields if spec.name in chosen)
    unused = [
        Unused(c.column, "not_stored", {"field": c.field}) for c in choices if c.field not in stored
    ]
    unused += [
        _why_unused(profiles[column], fields, lost) for column in columns if column not in used
    ]
    sample_rows = max((len(v) for v in values.values()), default=0)
    return Detection(choices, tuple(unused), sample_rows, stored)
