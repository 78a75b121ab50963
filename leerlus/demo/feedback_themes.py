# SPDX-License-Identifier: EUPL-1.2
"""The themes of the demo feedback, read once from ``feedback_themes.json`` beside this module.

Each theme has its volume, its channel mix, the services and reporters it comes from, its
season and the texts it is written in: templates with ``{slot}`` names, short exclamations,
detail sentences and English versions. The data file holds the words; this module gives them
the shapes the generator works with (tuples, the mix in the order of the data's channels,
normalised to sum to 1).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

__all__ = [
    "DEMO_THEMES",
    "MERGED_SLOTS",
    "MIX_CHANNELS",
    "SHARED_SLOTS",
    "DemoTheme",
    "Slots",
    "slots_for",
]

Slots = Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class DemoTheme:
    slug: str
    label_nl: str
    label_en: str
    weight: float
    mix: tuple[float, ...]  # in the order of MIX_CHANNELS
    services: Mapping[str, float]
    sentiment: str  # "neg", "neu" or "pos": drives web-form ratings
    templates: tuple[str, ...]
    short: tuple[str, ...]
    details: tuple[str, ...]
    english: tuple[str, ...]
    slots: Slots = field(default_factory=dict)
    service_slots: Mapping[str, Slots] = field(default_factory=dict)
    reporters: Mapping[str, float] | None = None
    months: tuple[float, ...] = (1.0,) * 12
    summer_dip: bool = True
    after_pilot_only: bool = False
    second_issue: bool = True  # its core sentence may be appended to another message


def _slots(data: Mapping[str, list[str]]) -> dict[str, tuple[str, ...]]:
    return {name: tuple(values) for name, values in data.items()}


def _theme(data: dict[str, Any], channels: tuple[str, ...]) -> DemoTheme:
    mix = data["mix"]
    if set(mix) != set(channels):
        raise ValueError(f"the mix of {data['slug']} must name the channels {channels}")
    values = tuple(mix[channel] for channel in channels)
    total = sum(values)
    return DemoTheme(
        **{
            **data,
            "mix": tuple(v / total for v in values),
            "templates": tuple(data["templates"]),
            "short": tuple(data["short"]),
            "details": tuple(data["details"]),
            "english": tuple(data["english"]),
            "slots": _slots(data.get("slots", {})),
            "service_slots": {
                service: _slots(slots) for service, slots in data.get("service_slots", {}).items()
            },
            "months": tuple(data.get("months", (1.0,) * 12)),
        }
    )


_DATA: dict[str, Any] = json.loads(
    resources.files(__package__).joinpath("feedback_themes.json").read_text(encoding="utf-8")
)
MIX_CHANNELS: tuple[str, ...] = tuple(_DATA["channels"])
SHARED_SLOTS: dict[str, tuple[str, ...]] = _slots(_DATA["shared_slots"])
DEMO_THEMES: tuple[DemoTheme, ...] = tuple(_theme(t, MIX_CHANNELS) for t in _DATA["themes"])
MERGED_SLOTS: dict[str, dict[str, Sequence[str]]] = {
    t.slug: {**SHARED_SLOTS, **t.slots} for t in DEMO_THEMES
}


def slots_for(theme: DemoTheme, service: str) -> Slots:
    """The slots a text of ``theme`` about ``service`` is filled from."""
    slots = MERGED_SLOTS[theme.slug]
    override = theme.service_slots.get(service)
    if override:
        return {**slots, **override}
    return slots
