# SPDX-License-Identifier: EUPL-1.2
"""The Dutch calendar as the trend model sees it: public holidays, bridge days, school holidays.

A municipality's contact volume drops on public holidays (the phone and counter are closed), on
bridge days (the Friday after Ascension Day), in school holidays and around Christmas. The
trend model uses these as day features (:func:`day_features`), so that a quiet Ascension Day is
not a "drop" and the Monday after it not a "spike".

School holidays are approximations: the Netherlands staggers spring, summer and autumn
holidays over three regions (north, middle, south) on a rotating schedule, so a day carries the
*share* of regions on holiday (0, 1/3, 1/2, 2/3 or 1) rather than yes/no. The exact rotation is
published years ahead by the Ministry of Education; the approximation is close enough for an
expected level, which only needs "about a third of the country is away this week".

Other countries' data (the US benchmark data) use :class:`PlainCalendar` with their own
holiday set.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Final, Protocol

import numpy as np

__all__ = [
    "DAY_FEATURES",
    "DayCalendar",
    "DutchCalendar",
    "Holiday",
    "PlainCalendar",
    "bridge_days",
    "christmas_period",
    "day_features",
    "easter_sunday",
    "public_holidays",
    "school_holiday_share",
]


@dataclass(frozen=True)
class Holiday:
    day: date
    slug: str
    name_nl: str
    name_en: str
    # Closed: municipal offices (phone, counter) are shut. Good Friday and Liberation Day
    # outside lustrum years are holidays on paper but most municipalities stay open.
    closed: bool = True


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (the anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=256)
def public_holidays(year: int) -> tuple[Holiday, ...]:
    """Dutch public holidays of ``year``, by date."""
    easter = easter_sunday(year)
    kings_day = date(year, 4, 27)
    if kings_day.weekday() == 6:  # on a Sunday it moves to the Saturday before
        kings_day -= timedelta(days=1)
    days = [
        Holiday(date(year, 1, 1), "nieuwjaarsdag", "Nieuwjaarsdag", "New Year's Day"),
        Holiday(easter - timedelta(days=2), "goede-vrijdag", "Goede Vrijdag", "Good Friday", False),
        Holiday(easter, "eerste-paasdag", "Eerste Paasdag", "Easter Sunday"),
        Holiday(easter + timedelta(days=1), "tweede-paasdag", "Tweede Paasdag", "Easter Monday"),
        Holiday(kings_day, "koningsdag", "Koningsdag", "King's Day"),
        Holiday(
            date(year, 5, 5),
            "bevrijdingsdag",
            "Bevrijdingsdag",
            "Liberation Day",
            closed=year % 5 == 0,  # a day off for most employers in lustrum years only
        ),
        Holiday(easter + timedelta(days=39), "hemelvaartsdag", "Hemelvaartsdag", "Ascension Day"),
        Holiday(
            easter + timedelta(days=49), "eerste-pinksterdag", "Eerste Pinksterdag", "Whit Sunday"
        ),
        Holiday(
            easter + timedelta(days=50), "tweede-pinksterdag", "Tweede Pinksterdag", "Whit Monday"
        ),
        Holiday(date(year, 12, 25), "eerste-kerstdag", "Eerste Kerstdag", "Christmas Day"),
        Holiday(date(year, 12, 26), "tweede-kerstdag", "Tweede Kerstdag", "Boxing Day"),
    ]
    return tuple(sorted(days, key=lambda h: h.day))


@lru_cache(maxsize=256)
def _closed_days(year: int) -> frozenset[date]:
    return frozenset(h.day for h in public_holidays(year) if h.closed)


def bridge_days(holidays: Iterable[date]) -> frozenset[date]:
    """Working days squeezed between a holiday and a weekend ("brugdagen").

    A Friday after a Thursday holiday (Ascension Day, always) or a Monday before a Tuesday
    holiday: many people take it off, so volume is low but not zero.
    """
    closed = set(holidays)
    out: set[date] = set()
    for day in closed:
        if day.weekday() == 3:
            out.add(day + timedelta(days=1))
        elif day.weekday() == 1:
            out.add(day - timedelta(days=1))
    return frozenset(out - closed)


def christmas_period(day: date) -> bool:
    """Between Christmas Eve and New Year's Day, outside the holidays themselves."""
    return (day.month, day.day) >= (12, 24) or (day.month, day.day) == (1, 1)


def _iso_week_monday(year: int, week: int) -> date:
    return date.fromisocalendar(year, week, 1)


@lru_cache(maxsize=64)
def _school_shares(year: int) -> dict[date, float]:
    """Share of the three school regions on holiday, per day of ``year`` (approximate)."""
    shares: dict[date, float] = {}

    def spread(first: date, days: int, share: float) -> None:
        for i in range(days):
            d = first + timedelta(days=i)
            if d.year == year:
                shares[d] = max(shares.get(d, 0.0), share)

    def week(number: int, share: float) -> None:
        # A school holiday week runs Saturday to Sunday (nine days) around ISO week `number`.
        spread(_iso_week_monday(year, number) - timedelta(days=2), 9, share)

    # Spring ("voorjaarsvakantie"): one week per region, weeks 7 to 9 in rotation.
    for number in (7, 8, 9):
        week(number, 1 / 3)
    # May ("meivakantie"): nationwide since 2017, week 18 at least, often 17 too.
    week(17, 2 / 3)
    week(18, 1.0)
    # Summer: six weeks per region, staggered by a week, from about week 28 to week 35.
    for number, share in ((28, 1 / 3), (29, 2 / 3), (34, 2 / 3), (35, 1 / 3)):
        week(number, share)
    for number in range(30, 34):
        week(number, 1.0)
    # Autumn ("herfstvakantie"): regions split over weeks 42 and 43.
    week(42, 1 / 2)
    week(43, 1 / 2)
    # Christmas: two weeks for everyone, from the Saturday before Christmas.
    christmas = date(year, 12, 25)
    saturday = christmas - timedelta(days=(christmas.weekday() + 2) % 7 or 7)
    spread(saturday, 16, 1.0)
    previous = date(year - 1, 12, 25)
    previous_saturday = previous - timedelta(days=(previous.weekday() + 2) % 7 or 7)
    spread(previous_saturday, 16, 1.0)
    return shares


def school_holiday_share(day: date) -> float:
    """Share (0..1) of the Dutch school regions on holiday on ``day`` (approximate)."""
    return _school_shares(day.year).get(day, 0.0)


# --- features for the trend model ----------------------------------------------------------

DAY_FEATURES: Final = ("holiday", "bridge", "school", "summer", "christmas")


class DayCalendar(Protocol):
    """What the trend model needs from a calendar: feature rows for a run of days."""

    def features(self, days: Sequence[date]) -> np.ndarray:
        """An array (len(days), len(DAY_FEATURES)) in the order of :data:`DAY_FEATURES`."""
        ...


@dataclass(frozen=True)
class DutchCalendar:
    """Dutch public holidays (closed days), bridge days, school holidays and Christmas."""

    def features(self, days: Sequence[date]) -> np.ndarray:
        return day_features(days)


@dataclass(frozen=True)
class PlainCalendar:
    """A calendar of given holidays only (another country's data, or none at all)."""

    holidays: frozenset[date] = field(default_factory=frozenset)
    christmas: bool = True

    def features(self, days: Sequence[date]) -> np.ndarray:
        bridges = bridge_days(self.holidays)
        out = np.zeros((len(days), len(DAY_FEATURES)))
        for i, day in enumerate(days):
            out[i, 0] = day in self.holidays
            out[i, 1] = day in bridges
            out[i, 4] = self.christmas and christmas_period(day) and day not in self.holidays
        return out


def day_features(days: Sequence[date]) -> np.ndarray:
    """Dutch calendar features per day: closed holiday, bridge day, school holiday share
    outside and inside the summer (the summer dip is deeper and longer), Christmas period."""
    out = np.zeros((len(days), len(DAY_FEATURES)))
    if not days:
        return out
    years = range(min(days).year - 1, max(days).year + 2)
    closed: set[date] = set()
    for year in years:
        closed |= _closed_days(year)
    bridges = bridge_days(closed)
    for i, day in enumerate(days):
        is_closed = day in closed
        out[i, 0] = is_closed
        out[i, 1] = day in bridges
        share = school_holiday_share(day)
        out[i, 3 if 6 <= day.month <= 9 else 2] = share
        out[i, 4] = christmas_period(day) and not is_closed
    return out
