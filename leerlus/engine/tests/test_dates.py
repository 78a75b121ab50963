# SPDX-License-Identifier: EUPL-1.2
"""Reading dates: Dutch and ISO 8601, in Amsterdam time unless a zone is given."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leerlus.engine.dates import AMSTERDAM, parse_datetime


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("31-12-2025", datetime(2025, 12, 30, 23, 0, tzinfo=UTC)),
        ("31-12-2025 14:05", datetime(2025, 12, 31, 13, 5, tzinfo=UTC)),
        ("31-12-2025 14:05:59", datetime(2025, 12, 31, 13, 5, 59, tzinfo=UTC)),
        ("31/12/2025", datetime(2025, 12, 30, 23, 0, tzinfo=UTC)),
        ("1-7-2025 9:30", datetime(2025, 7, 1, 7, 30, tzinfo=UTC)),  # summer time
        ("31.12.25", datetime(2025, 12, 30, 23, 0, tzinfo=UTC)),
        ("2025-12-31", datetime(2025, 12, 30, 23, 0, tzinfo=UTC)),
        ("2025-12-31 14:05", datetime(2025, 12, 31, 13, 5, tzinfo=UTC)),
        ("2025-12-31T14:05:00Z", datetime(2025, 12, 31, 14, 5, tzinfo=UTC)),
        ("2025-12-31T14:05:00+02:00", datetime(2025, 12, 31, 12, 5, tzinfo=UTC)),
        ("2025-07-01T14:05:00.123456", datetime(2025, 7, 1, 12, 5, 0, 123456, tzinfo=UTC)),
        (" 2025-12-31 ", datetime(2025, 12, 30, 23, 0, tzinfo=UTC)),
    ],
)
def test_dutch_and_iso_dates(value, expected):
    assert parse_datetime(value) == expected


@pytest.mark.parametrize(
    "value", ["", "gisteren", "31-02-2025", "2025-13-01", "12/31/2025", "31-12-2025 25:00", "99"]
)
def test_what_is_not_a_date(value):
    assert parse_datetime(value) is None


def test_a_date_format_of_the_mapping_is_tried_first():
    assert parse_datetime("12/31/2025", date_format="%m/%d/%Y") == datetime(
        2025, 12, 30, 23, 0, tzinfo=UTC
    )
    assert parse_datetime("03/04/2025", date_format="%m/%d/%Y") == datetime(
        2025, 3, 3, 23, 0, tzinfo=UTC
    )


moments = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
).map(lambda d: d.replace(microsecond=0))


@given(moments)
def test_dutch_format_in_amsterdam_time_reads_back_as_the_same_wall_time(moment):
    local = moment.astimezone(AMSTERDAM)
    parsed = parse_datetime(local.strftime("%d-%m-%Y %H:%M:%S"))
    assert parsed is not None
    assert parsed.tzinfo == UTC
    assert parsed.astimezone(AMSTERDAM).replace(tzinfo=None) == local.replace(tzinfo=None)
    if not local.fold:  # outside the one repeated hour in October: the very same moment
        assert parsed == moment


@given(moments)
def test_iso_with_z_reads_back_exactly(moment):
    assert parse_datetime(moment.strftime("%Y-%m-%dT%H:%M:%SZ")) == moment


@given(moments, st.integers(min_value=-14, max_value=14))
def test_iso_with_an_offset_reads_back_exactly(moment, hours):
    shifted = moment.astimezone(timezone(timedelta(hours=hours)))
    assert parse_datetime(shifted.isoformat()) == moment


@given(st.text(max_size=80), st.one_of(st.none(), st.text(max_size=12)))
def test_date_parser_never_raises(value, date_format):
    result = parse_datetime(value, date_format=date_format)
    assert result is None or result.tzinfo == UTC
