# SPDX-License-Identifier: EUPL-1.2
"""When demo signals come: holidays, summer time, the event schedule, each channel's rhythm.

Dutch public holidays (closed, or quiet), the summer and Christmas school holidays, the
Europe/Amsterdam offset of a day, the dates of the built-in events for a given start (never in
a holiday), each channel's weekday factors and slow trend, its hours of the day, and how far
into the spring passport rush a day is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from leerlus.engine.calendar_nl import easter_sunday

__all__ = [
    "CHATBOT_WEEKEND",
    "CLOSED_CHANNELS",
    "CUM_HOURS",
    "HOURS",
    "TREND_PER_YEAR",
    "WEEKDAY_FACTORS",
    "Schedule",
    "event_schedule",
    "holidays",
    "in_christmas_holiday",
    "in_summer_holiday",
    "passport_rush",
    "utc_offset_hours",
]


@lru_cache(maxsize=64)
def holidays(year: int) -> dict[date, float]:
    """Dutch public holidays: 0.0 = municipality closed, otherwise a volume factor."""
    easter = easter_sunday(year)
    kings_day = date(year, 4, 27)
    if kings_day.weekday() == 6:
        kings_day = date(year, 4, 26)
    closed = [
        date(year, 1, 1),
        easter,
        easter + timedelta(days=1),
        kings_day,
        easter + timedelta(days=39),  # Ascension Day
        easter + timedelta(days=49),  # Whit Sunday
        easter + timedelta(days=50),  # Whit Monday
        date(year, 12, 25),
        date(year, 12, 26),
    ]
    days: dict[date, float] = dict.fromkeys(closed, 0.0)
    days[easter - timedelta(days=2)] = 0.85  # Good Friday: open, but quiet
    days[date(year, 5, 5)] = 0.0 if year % 5 == 0 else 0.85  # Liberation Day
    days[date(year, 12, 24)] = 0.7
    days[date(year, 12, 31)] = 0.7
    return days


def _last_sunday(year: int, month: int) -> date:
    last = date(year, month, 31)
    return last - timedelta(days=(last.weekday() + 1) % 7)


def utc_offset_hours(day: date) -> int:
    """Europe/Amsterdam offset (CET/CEST) for the bulk of a local day."""
    return 2 if _last_sunday(day.year, 3) <= day < _last_sunday(day.year, 10) else 1


def in_summer_holiday(day: date) -> bool:
    return (7, 13) <= (day.month, day.day) <= (8, 25)


def in_christmas_holiday(day: date) -> bool:
    return (day.month, day.day) >= (12, 23) or (day.month, day.day) <= (1, 2)


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, 28))


def _next_weekday(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _plannable(day: date, weekday: int) -> date:
    """The first given weekday on or after `day` outside the summer and Christmas holidays."""
    day = _next_weekday(day, weekday)
    while in_summer_holiday(day) or in_christmas_holiday(day) or day in holidays(day.year):
        day = _next_weekday(day + timedelta(days=1), weekday)
    return day


@dataclass(frozen=True)
class Schedule:
    start: date
    placebo_release: int  # day offsets from start
    waste_campaign: int
    waste_change: int
    portal_release: int
    chatbot_pilot: int


@lru_cache(maxsize=64)
def event_schedule(start: date) -> Schedule:
    def offset(day: date) -> int:
        return (day - start).days

    waste_change = _plannable(_add_months(start, 7), 0)
    return Schedule(
        start=start,
        placebo_release=offset(_plannable(_add_months(start, 5), 1)),
        waste_campaign=offset(waste_change - timedelta(days=14)),
        waste_change=offset(waste_change),
        portal_release=offset(_plannable(_add_months(start, 10), 1)),
        chatbot_pilot=offset(_plannable(_add_months(start, 16), 0)),
    )


WEEKDAY_FACTORS: dict[str, tuple[float, ...]] = {
    "web_form": (1.15, 1.1, 1.05, 1.0, 0.9, 0.45, 0.5),
    "phone": (1.45, 1.1, 1.0, 1.0, 0.85, 0.0, 0.0),
    "counter": (1.1, 1.05, 1.0, 1.15, 0.8, 0.0, 0.0),
    "email": (1.2, 1.1, 1.05, 1.0, 0.9, 0.3, 0.35),
    "chat": (1.1, 1.05, 1.0, 1.0, 0.9, 0.0, 0.0),  # staffed chat until the chatbot pilot
    "social_media": (1.0, 1.0, 1.0, 1.0, 1.0, 0.8, 0.9),
}
CHATBOT_WEEKEND = (0.45, 0.4)
TREND_PER_YEAR: dict[str, float] = {
    "web_form": 0.08,
    "phone": -0.05,
    "counter": -0.04,
    "email": -0.02,
    "chat": 0.08,
    "social_media": 0.05,
}
CLOSED_CHANNELS = frozenset({"phone", "counter"})

_HOURS_WEB = (
    *(1.5, 0.8, 0.5, 0.3, 0.3, 0.5, 1.5, 3.0, 5.0, 7.0, 8.0, 8.0),
    *(7.0, 7.0, 7.0, 7.0, 6.0, 5.0, 5.0, 6.0, 7.0, 6.0, 4.0, 2.5),
)
_HOURS_SOCIAL = (
    *(2.0, 1.0, 0.5, 0.3, 0.3, 0.5, 1.5, 3.0, 4.0, 5.0, 5.0, 5.0),
    *(6.0, 5.0, 5.0, 5.0, 5.0, 6.0, 7.0, 8.0, 8.0, 8.0, 6.0, 4.0),
)
_HOURS_PHONE = (0.0,) * 8 + (6.0, 10.0, 10.0, 9.0, 6.0, 8.0, 8.0, 7.0, 5.0) + (0.0,) * 7
_HOURS_COUNTER = (0.0,) * 8 + (2.0, 8.0, 9.0, 9.0, 6.0, 7.0, 8.0, 7.0, 3.0) + (0.0,) * 7
_HOURS_COUNTER_THURSDAY = (  # evening opening until 20:00
    (0.0,) * 8 + (2.0, 8.0, 9.0, 9.0, 6.0, 7.0, 8.0, 7.0, 3.0, 4.0, 4.0, 3.0) + (0.0,) * 4
)
_HOURS_CHAT_STAFFED = (0.0,) * 8 + (3.0, 8.0, 9.0, 9.0, 7.0, 8.0, 8.0, 7.0, 5.0, 2.0) + (0.0,) * 6


def _cumulative(weights: Sequence[float]) -> tuple[float, ...]:
    total = 0.0
    out: list[float] = []
    for w in weights:
        total += w
        out.append(total)
    return tuple(out)


CUM_HOURS: dict[str, tuple[float, ...]] = {
    "web_form": _cumulative(_HOURS_WEB),
    "email": _cumulative(_HOURS_WEB),
    "social_media": _cumulative(_HOURS_SOCIAL),
    "phone": _cumulative(_HOURS_PHONE),
    "counter": _cumulative(_HOURS_COUNTER),
    "counter_thursday": _cumulative(_HOURS_COUNTER_THURSDAY),
    "chat_staffed": _cumulative(_HOURS_CHAT_STAFFED),
    "chat_bot": _cumulative(_HOURS_WEB),
}
HOURS = range(24)


def passport_rush(day: date) -> float:
    """0..1: how far into the spring passport rush `day` is (1 = full rush)."""
    md = (day.month, day.day)
    if (4, 1) <= md <= (4, 14):
        return (day.day - 1) / 14.0 + 1 / 14.0
    if (4, 15) <= md <= (6, 15):
        return 1.0
    if (6, 16) <= md <= (6, 30):
        return 1.0 - 0.8 * (day.day - 15) / 15.0
    if day.month == 7:
        return 0.2
    return 0.0
