# SPDX-License-Identifier: EUPL-1.2
"""Tests of the demo feedback generator (pure Python; runs without Django)."""

from __future__ import annotations

import collections
import math
import random
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

import pytest

from leerlus.demo.feedback_calendar import utc_offset_hours
from leerlus.demo.feedback_generator import (
    CHANNELS,
    DEPARTMENTS,
    REPORTER_KINDS,
    SERVICES,
    SIMPLE_QUESTION_THEMES,
    THEMES,
    DemoSignal,
    demo_events,
    generate_feedback,
)
from leerlus.demo.feedback_texts import fill
from leerlus.demo.feedback_themes import DEMO_THEMES, slots_for

START = date(2024, 1, 1)
UPLOAD = "upload-mislukt"
PASSPORT = "paspoort-afspraak-wachttijd"
CHATBOT = "chatbot-begrijpt-niet"
WASTE_CALENDAR = "afvalkalender-vragen"
WEB_AND_PHONE = frozenset({"web_form", "phone"})
ALL_CHANNELS = frozenset(CHANNELS)
DUTCH_WORDS = frozenset(
    {
        *("de", "het", "een", "ik", "niet", "is", "van", "en", "op", "mijn", "voor", "dat"),
        *("te", "met", "er", "maar", "al", "wat", "kan", "wordt", "nog", "geen", "bij", "om"),
        *("ook", "in", "zijn", "u", "jullie", "we", "wij", "waarom", "hoe", "wanneer"),
    }
)
ENGLISH_WORDS = frozenset(
    {
        *("the", "my", "i", "you", "your", "why", "how", "what", "with", "it", "can't"),
        *("don't", "doesn't", "i'm", "has", "been", "is", "was", "a"),
    }
)


def _event_day(slug: str) -> date:
    return next(e.occurred_on for e in demo_events(START) if e.slug == slug)


def _local_day(signal: DemoSignal) -> date:
    at = signal.received_at
    return (at + timedelta(hours=utc_offset_hours(at.date()))).date()


def _weekly(
    signals: Iterable[DemoSignal],
    themes: Iterable[str],
    channels: Iterable[str],
    first: date,
    last: date,
) -> float:
    """Signals a week for the given themes and channels, from `first` up to (not incl.) `last`."""
    theme_set, channel_set = set(themes), set(channels)
    count = sum(
        1
        for s in signals
        if s.theme in theme_set and s.channel in channel_set and first <= _local_day(s) < last
    )
    return count / ((last - first).days / 7)


@pytest.fixture(scope="module")
def signals() -> list[DemoSignal]:
    return list(generate_feedback(start=START))


@pytest.fixture(scope="module")
def dense() -> list[DemoSignal]:
    """A high-volume run up to two months after the chatbot pilot, for low-volume cells."""
    days = (_event_day("pilot-chatbot") - START).days + 70
    return list(generate_feedback(start=START, days=days, mean_per_day=100.0))


# --- API, determinism, volume -----------------------------------------------------------------


def test_same_arguments_give_identical_output_and_other_seeds_differ():
    first = list(generate_feedback(seed=7, start=START, days=90))
    second = list(generate_feedback(seed=7, start=START, days=90))
    other = list(generate_feedback(seed=8, start=START, days=90))

    assert first == second
    assert [s.text for s in first] != [s.text for s in other]


def test_a_shorter_run_is_a_prefix_of_a_longer_one():
    short = list(generate_feedback(start=START, days=30))
    long = list(generate_feedback(start=START, days=90))

    assert short == long[: len(short)]


def test_is_a_lazy_iterator():
    stream = generate_feedback(start=START)

    assert iter(stream) is stream
    assert isinstance(next(stream), DemoSignal)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="days"):
        generate_feedback(start=START, days=-1)
    with pytest.raises(ValueError, match="mean_per_day"):
        generate_feedback(start=START, mean_per_day=math.nan)
    assert list(generate_feedback(start=START, days=30, mean_per_day=0.0)) == []


def test_defaults_give_at_least_20000_signals_over_two_years(signals):
    assert 20_000 <= len(signals) <= 26_000


def test_mean_per_day_scales_the_volume():
    signals = list(generate_feedback(start=date(2023, 3, 15), days=365, mean_per_day=10.0))

    assert 3_300 <= len(signals) <= 4_100


def test_ids_are_stable_unique_and_in_order(signals):
    assert signals[0].external_id == "demo-000001"
    assert [s.external_id for s in signals] == [f"demo-{n:06d}" for n in range(1, len(signals) + 1)]


def test_timestamps_are_utc_in_range_and_ordered(signals):
    begin = datetime(2024, 1, 1, tzinfo=UTC)
    end = begin + timedelta(days=730)

    assert all(s.received_at.tzinfo is not None for s in signals)
    assert all(s.received_at.utcoffset() == timedelta(0) for s in signals)
    assert all(begin <= s.received_at < end for s in signals)
    times = [s.received_at for s in signals]
    assert times == sorted(times)


def test_a_start_given_as_datetime_is_taken_as_its_date():
    moment = datetime(2024, 1, 1, 15, 30, tzinfo=UTC)

    assert list(generate_feedback(start=moment, days=5)) == list(
        generate_feedback(start=START, days=5)
    )


# --- vocabularies -----------------------------------------------------------------------------


def test_every_channel_service_department_and_reporter_kind_is_used(signals):
    assert {s.channel for s in signals} == set(CHANNELS)
    assert {s.service for s in signals} == {slug for slug, _name, _dept in SERVICES}
    assert {s.department for s in signals} == {slug for slug, _name in DEPARTMENTS}
    assert {s.reporter_kind for s in signals} == set(REPORTER_KINDS)
    kinds = collections.Counter(s.reporter_kind for s in signals)
    assert kinds["citizen"] > 0.8 * len(signals)


def test_services_and_departments_are_consistent():
    departments = {slug for slug, _name in DEPARTMENTS}
    assert len(departments) == len(DEPARTMENTS) == 6
    assert 10 <= len(SERVICES) <= 14
    assert all(dept in departments for _slug, _name, dept in SERVICES)
    assert len({slug for slug, _name, _dept in SERVICES}) == len(SERVICES)


def test_each_signal_has_the_department_of_its_service(signals):
    department_of = {slug: dept for slug, _name, dept in SERVICES}

    assert all(s.department == department_of[s.service] for s in signals)


def test_themes_are_between_20_and_30_and_all_occur(signals):
    slugs = [slug for slug, _nl, _en in THEMES]

    assert 20 <= len(slugs) <= 30
    assert len(set(slugs)) == len(slugs)
    assert {s.theme for s in signals} == set(slugs)
    assert all(nl and en for _slug, nl, en in THEMES)


def test_every_theme_has_enough_templates_and_every_slot_resolves():
    rng = random.Random(1)  # noqa: S311 - test data, not crypto
    for theme in DEMO_THEMES:
        assert len(theme.templates) >= 8, theme.slug
        assert theme.short, theme.slug
        assert theme.details, theme.slug
        assert theme.english, theme.slug
        assert abs(sum(theme.mix) - 1.0) < 1e-9
        assert set(theme.services) <= {slug for slug, _name, _dept in SERVICES}
        for service in theme.services:
            slots = slots_for(theme, service)
            for template in (*theme.templates, *theme.short, *theme.details, *theme.english):
                text = fill(rng, template, slots)
                assert "{" not in text
                assert "}" not in text


def test_channel_mix_is_plausible(signals):
    by_theme: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for s in signals:
        by_theme[s.theme][s.channel] += 1

    assert set(by_theme[CHATBOT]) <= {"chat", "web_form", "social_media"}
    assert by_theme["straatverlichting-kapot"].most_common(1)[0][0] == "web_form"
    assert by_theme["uitkering-te-laat"].most_common(1)[0][0] == "phone"


def test_ratings_only_on_web_forms_and_follow_sentiment(signals):
    rated = [s for s in signals if s.rating is not None]

    assert all(s.channel == "web_form" for s in rated)
    assert all(1 <= s.rating <= 5 for s in rated if s.rating is not None)
    web = [s for s in signals if s.channel == "web_form"]
    assert 0.3 < len(rated) / len(web) < 0.6

    def mean(theme: str) -> float:
        values = [s.rating for s in rated if s.theme == theme and s.rating is not None]
        return sum(values) / len(values)

    assert mean("compliment-medewerker") > 4.0 > 2.5 > mean("container-niet-geleegd")


# --- weekdays, hours, holidays, seasons -------------------------------------------------------


def test_counter_and_phone_only_on_weekdays_in_office_hours(signals):
    for s in signals:
        if s.channel not in ("phone", "counter"):
            continue
        local = s.received_at + timedelta(hours=utc_offset_hours(s.received_at.date()))
        assert local.weekday() < 5
        assert 8 <= local.hour < (20 if s.channel == "counter" else 17)


def test_weekends_are_quiet_and_mondays_peak_on_the_phone(signals):
    per_day = collections.Counter(_local_day(s) for s in signals)
    phone = collections.Counter(_local_day(s) for s in signals if s.channel == "phone")
    days = [START + timedelta(days=i) for i in range(730)]

    def mean(counter: collections.Counter[date], weekdays: set[int]) -> float:
        chosen = [d for d in days if d.weekday() in weekdays]
        return sum(counter[d] for d in chosen) / len(chosen)

    assert mean(per_day, {5, 6}) < 0.5 * mean(per_day, {0, 1, 2, 3, 4})
    assert mean(per_day, {5, 6}) > 0  # web and e-mail still arrive in the weekend
    assert mean(phone, {0}) > 1.2 * mean(phone, {1, 2, 3, 4})


def test_public_holidays_are_quiet(signals):
    per_day = collections.Counter(_local_day(s) for s in signals)
    closed = [date(2024, 12, 25), date(2025, 1, 1), date(2024, 5, 9), date(2025, 4, 21)]
    office = {_local_day(s) for s in signals if s.channel in ("phone", "counter")}

    assert not office & set(closed)
    weekday_counts = sorted(
        per_day[START + timedelta(days=i)]
        for i in range(730)
        if (START + timedelta(days=i)).weekday() < 5
    )
    median = weekday_counts[len(weekday_counts) // 2]
    assert all(per_day[d] < 0.6 * median for d in closed)


def test_summer_holidays_are_quieter_except_for_passports(signals):
    others = [slug for slug, _nl, _en in THEMES if not slug.startswith("paspoort")]
    summer = _weekly(signals, others, ALL_CHANNELS, date(2024, 7, 15), date(2024, 8, 24))
    autumn = _weekly(signals, others, ALL_CHANNELS, date(2024, 9, 2), date(2024, 10, 12))
    passport_summer = _weekly(
        signals, [PASSPORT], ALL_CHANNELS, date(2024, 7, 15), date(2024, 8, 24)
    )
    passport_autumn = _weekly(
        signals, [PASSPORT], ALL_CHANNELS, date(2024, 9, 2), date(2024, 10, 12)
    )

    assert summer < 0.85 * autumn
    assert passport_summer > 0.85 * passport_autumn


# --- built-in events ----------------------------------------------------------------------------


def test_events_are_consistent_and_cover_the_four_built_in_patterns():
    events = demo_events(START)
    slugs = {e.slug for e in events}

    assert [e.occurred_on for e in events] == sorted(e.occurred_on for e in events)
    assert all(e.kind in {"release", "campaign", "policy", "experiment"} for e in events)
    assert all(START <= e.occurred_on < START + timedelta(days=730) for e in events)
    assert all(e.title_nl and e.title_en and e.description_nl and e.description_en for e in events)
    assert len(slugs) == len(events)
    assert {
        "release-mijn-gemeente-portaal",
        "pilot-chatbot",
        "campagne-nieuw-afvalschema",
        "voorjaarsdrukte-reisdocumenten-2024",
        "voorjaarsdrukte-reisdocumenten-2025",
    } <= slugs
    release = next(e for e in events if e.slug == "release-mijn-gemeente-portaal")
    assert release.kind == "release"
    assert release.title_nl == "Nieuwe versie Mijn Gemeente-portaal"
    assert 280 <= (release.occurred_on - START).days <= 330  # about ten months
    pilot = next(e for e in events if e.slug == "pilot-chatbot")
    assert pilot.kind == "experiment"
    assert 460 <= (pilot.occurred_on - START).days <= 520  # about sixteen months
    campaign = next(e for e in events if e.slug == "campagne-nieuw-afvalschema")
    assert campaign.kind == "campaign"


def test_events_follow_the_start_date():
    later = date(2024, 9, 17)
    events = demo_events(later, days=365)

    assert all(later <= e.occurred_on < later + timedelta(days=365) for e in events)
    assert demo_events(later, days=365) == events


def test_portal_release_multiplies_upload_complaints_on_web_and_phone(signals):
    release = _event_day("release-mijn-gemeente-portaal")
    before = _weekly(signals, [UPLOAD], WEB_AND_PHONE, release - timedelta(weeks=8), release)
    after = _weekly(signals, [UPLOAD], WEB_AND_PHONE, release, release + timedelta(weeks=3))
    later = _weekly(
        signals,
        [UPLOAD],
        WEB_AND_PHONE,
        release + timedelta(weeks=7),
        release + timedelta(weeks=15),
    )

    assert after >= 2.5 * before
    assert later < 1.6 * before  # decays back


def test_portal_release_leaves_the_counter_flat(dense):
    release = _event_day("release-mijn-gemeente-portaal")
    before = _weekly(dense, [UPLOAD], ["counter"], release - timedelta(weeks=8), release)
    after = _weekly(dense, [UPLOAD], ["counter"], release, release + timedelta(weeks=3))
    chat_before = _weekly(dense, [UPLOAD], ["chat"], release - timedelta(weeks=8), release)
    chat_after = _weekly(dense, [UPLOAD], ["chat"], release, release + timedelta(weeks=3))

    assert before > 0
    assert 0.5 * before <= after <= 1.6 * before
    assert chat_after >= 2.5 * chat_before


def test_spring_passport_rush(signals):
    channels = ["phone", "web_form", "counter"]
    for year in (2024, 2025):
        rush = _weekly(signals, [PASSPORT], channels, date(year, 4, 15), date(year, 6, 16))
        autumn = _weekly(signals, [PASSPORT], channels, date(year, 9, 1), date(year, 12, 1))
        assert rush >= 1.8 * autumn, year


def test_chatbot_pilot_reduces_simple_questions_on_the_phone(dense):
    pilot = _event_day("pilot-chatbot")
    control = [
        slug
        for slug, _nl, _en in THEMES
        if slug not in SIMPLE_QUESTION_THEMES and not slug.startswith("paspoort")
    ]

    def change(themes: list[str] | tuple[str, ...], channels: Iterable[str]) -> float:
        channels = list(channels)
        before = _weekly(dense, themes, channels, pilot - timedelta(weeks=8), pilot)
        after = _weekly(
            dense, themes, channels, pilot + timedelta(weeks=3), pilot + timedelta(weeks=9)
        )
        return after / before

    simple_phone = change(SIMPLE_QUESTION_THEMES, ["phone"])
    control_phone = change(control, ["phone"])

    assert simple_phone / control_phone <= 0.75
    assert change(SIMPLE_QUESTION_THEMES, ["chat"]) > 1.2


def test_chatbot_complaints_only_after_the_pilot_and_on_chat(signals):
    pilot = _event_day("pilot-chatbot")
    chatbot = [s for s in signals if s.theme == CHATBOT]

    assert all(_local_day(s) >= pilot for s in chatbot)
    assert len(chatbot) >= 100
    assert sum(s.channel == "chat" for s in chatbot) >= 0.8 * len(chatbot)


def test_waste_campaign_brings_a_short_spike_of_waste_questions(signals):
    campaign = _event_day("campagne-nieuw-afvalschema")
    change = _event_day("nieuw-afvalschema")
    before = _weekly(
        signals, [WASTE_CALENDAR], ALL_CHANNELS, campaign - timedelta(weeks=8), campaign
    )
    spike = _weekly(signals, [WASTE_CALENDAR], ALL_CHANNELS, campaign, change + timedelta(weeks=2))
    after = _weekly(
        signals,
        [WASTE_CALENDAR],
        ALL_CHANNELS,
        change + timedelta(weeks=6),
        change + timedelta(weeks=14),
    )

    assert campaign < change
    assert spike >= 2.0 * before
    assert after < 0.6 * spike


# --- texts --------------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return re.findall(r"[a-zà-ÿ']+", text.lower())


def test_texts_are_varied(signals):
    sample = [s.text for s in signals[:5000]]

    assert len(set(sample)) >= 0.6 * len(sample)
    assert all(s.text.strip() for s in signals)
    lengths = sorted(len(s.text) for s in signals)
    assert lengths[len(lengths) // 10] < 60  # some are short
    assert lengths[-len(lengths) // 100] > 200  # some are long
    assert lengths[-1] > 300


def test_texts_are_mostly_dutch_with_some_english(signals):
    dutch = english = 0
    for s in signals:
        words = _words(s.text)
        nl = sum(w in DUTCH_WORDS for w in words)
        en = sum(w in ENGLISH_WORDS for w in words)
        if nl > en:
            dutch += 1
        elif en >= 2:
            english += 1

    assert dutch >= 0.85 * len(signals)
    assert 0.02 * len(signals) <= english <= 0.09 * len(signals)


def _is_bsn(number: str) -> bool:
    digits = [int(c) for c in number]
    total = sum(d * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True))
    return (total - digits[8]) % 11 == 0


def test_about_three_percent_of_texts_carry_synthetic_personal_data(signals):
    patterns = {
        "phone": re.compile(r"\b06[- ]?\d{8}\b|\+31 6 \d{4} \d{4}"),
        "email": re.compile(r"\b[\w.]+@[\w.]+\.\w+\b"),
        "bsn": re.compile(r"\b\d{9}\b"),
        "postcode": re.compile(r"\b\d{4} [A-Z]{2}\b"),
        "name": re.compile(r"Mijn naam is [A-Z]|groet, [A-Z][a-z]+ "),
        "iban": re.compile(r"\bNL\d{2} ?[A-Z]{4}"),
        "plate": re.compile(r"\b[A-Z]{2}-\d{3}-[A-Z]\b"),
    }
    found: collections.Counter[str] = collections.Counter()
    with_data = 0
    for s in signals:
        kinds = {kind for kind, pattern in patterns.items() if pattern.search(s.text)}
        found.update(kinds)
        with_data += bool(kinds)
        for number in patterns["bsn"].findall(s.text):
            assert _is_bsn(number), number

    assert set(found) == set(patterns)
    assert 0.015 * len(signals) <= with_data <= 0.05 * len(signals)


def test_some_texts_have_typos_openings_and_staff_notes(signals):
    texts = [s.text for s in signals]

    assert any(t.startswith(("Goedemiddag,", "Geachte heer/mevrouw,")) for t in texts)
    assert any("Met vriendelijke groet" in t for t in texts)
    assert any(t.startswith(("Mw. belt:", "Dhr. belt:")) for t in texts)
    assert any(t.startswith("@GemVoorbeeldstad") for t in texts)
    assert any(re.search(r"!!", t) for t in texts)
    misspelt = sum(
        any(w in {"paspoordt", "afsraak", "geleegt", "uplaoden"} for w in _words(t)) for t in texts
    )
    assert misspelt > 0


def test_themes_are_learnable_but_not_trivially_separable(signals):
    """A plain tf-idf nearest-centroid classifier separates the themes well, but not perfectly."""
    train, test = signals[:12_000], signals[12_000:15_000]
    document_frequency: collections.Counter[str] = collections.Counter()
    counts: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for s in train:
        words = _words(s.text)
        document_frequency.update(set(words))
        counts[s.theme].update(words)
    idf = {w: math.log(len(train) / (1 + n)) for w, n in document_frequency.items()}
    centroids: dict[str, dict[str, float]] = {}
    for theme, counter in counts.items():
        vector = {w: n * idf[w] for w, n in counter.items()}
        norm = math.sqrt(sum(x * x for x in vector.values()))
        centroids[theme] = {w: x / norm for w, x in vector.items()}

    def predict(text: str) -> str:
        query = collections.Counter(_words(text))
        return max(
            centroids,
            key=lambda theme: sum(
                n * idf.get(w, 0.0) * centroids[theme].get(w, 0.0) for w, n in query.items()
            ),
        )

    accuracy = sum(predict(s.text) == s.theme for s in test) / len(test)
    assert 0.8 <= accuracy < 0.995
