# SPDX-License-Identifier: EUPL-1.2
from datetime import date, timedelta

import pytest
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from leerlus.feedback.models import Channel
from leerlus.organisations.models import Service
from leerlus.patterns.models import Alert, Theme
from leerlus.patterns.selectors.themes import (
    ThemeFilter,
    ThemeRow,
    theme_detail,
    theme_get,
    theme_root,
    themes_overview,
    themes_overview_details,
)

from .factories import (
    AlertFactory,
    EventFactory,
    FeedbackFactory,
    ThemeFactory,
    daily_counts,
    signals_in,
    steady,
)

TODAY = date(2026, 3, 31)
PERIOD = ThemeFilter(days=28, until=TODAY)


@pytest.fixture
def service(organisation) -> Service:
    return Service.objects.get(organisation=organisation, slug="paspoort")


def overview(organisation, filters=PERIOD, sort="volume"):
    result = themes_overview(organisation=organisation, filters=filters, sort=sort)
    themes_overview_details(organisation=organisation, overview=result, rows=result.rows)
    return result


def rows_by_label(result) -> dict[str, ThemeRow]:
    return {row.theme.label: row for row in result.rows}


def test_a_theme_counts_with_the_themes_merged_into_it(organisation):
    target = ThemeFactory.create(organisation=organisation, label="upload")
    merged = ThemeFactory.create(organisation=organisation, label="foto", merged_into=target)
    daily_counts(target, steady(28, 2), today=TODAY)
    daily_counts(merged, steady(28, 1), channel="web_form", today=TODAY)

    rows = rows_by_label(overview(organisation))

    assert list(rows) == ["upload"]
    assert rows["upload"].volume == 28 * 3
    assert [(s.label, s.percent) for s in rows["upload"].channels] == [
        (Channel.PHONE.label, 67),
        (Channel.WEB_FORM.label, 33),
    ]


def test_a_chain_of_merges_is_counted_with_the_last_theme(organisation):
    first = ThemeFactory.create(organisation=organisation, label="eerste")
    middle = ThemeFactory.create(organisation=organisation, label="midden", merged_into=first)
    last = ThemeFactory.create(organisation=organisation, label="laatste", merged_into=middle)
    for theme in (first, middle, last):
        daily_counts(theme, {0: 1, 40: 2, 150: 1}, today=TODAY)

    result = overview(organisation)

    assert [(row.theme.label, row.volume, row.previous) for row in result.rows] == [
        ("eerste", 3, [6, 0, 0, 0])
    ]


def test_periods_before_the_first_day_of_data_do_not_make_the_usual_level(organisation):
    theme = ThemeFactory.create(organisation=organisation)
    daily_counts(theme, steady(28, 2) | steady(40, 1, start=28), today=TODAY)

    result = overview(organisation)
    fresh = overview(organisation, ThemeFilter(days=28, until=TODAY - timedelta(days=50)))

    assert result.usual_periods == 1  # 28 to 55 days ago; 56 to 83 began before the data
    assert result.rows[0].previous == [28]
    assert result.rows[0].change_percent == 100
    assert fresh.usual_periods == 0
    assert fresh.rows[0].previous == []
    assert fresh.rows[0].change is None
    assert not fresh.rows[0].rising


def test_change_is_measured_against_the_mean_of_the_earlier_periods(organisation):
    theme = ThemeFactory.create(organisation=organisation)
    daily_counts(theme, steady(28, 2), today=TODAY)
    daily_counts(theme, steady(4 * 28, 1, start=28), today=TODAY)
    daily_counts(theme, {200: 50}, today=TODAY)  # older than the usual periods: left out

    row = overview(organisation).rows[0]

    assert row.volume == 56
    assert row.previous == [28, 28, 28, 28]
    assert row.usual == 28
    assert row.change_percent == 100
    assert row.rising


def test_a_steady_theme_is_not_rising(organisation):
    theme = ThemeFactory.create(organisation=organisation)
    daily_counts(theme, steady(5 * 28, 2), today=TODAY)

    row = overview(organisation).rows[0]

    assert row.change_percent == 0
    assert not row.rising
    assert not row.new


def test_a_theme_first_seen_in_the_period_is_new(organisation):
    ThemeFactory.create(
        organisation=organisation, label="nieuw", first_seen=TODAY - timedelta(days=3)
    )
    ThemeFactory.create(
        organisation=organisation, label="oud", first_seen=TODAY - timedelta(days=60)
    )

    rows = rows_by_label(overview(organisation))

    assert rows["nieuw"].new
    assert not rows["oud"].new


def test_filters_count_only_the_chosen_channel_service_and_department(organisation, service):
    theme = ThemeFactory.create(organisation=organisation)
    daily_counts(theme, steady(28, 1), channel="phone", service=service, today=TODAY)
    daily_counts(theme, steady(28, 2), channel="counter", today=TODAY)

    def volume(channel: str = "", service: str = "", department: str = "") -> int:
        filters = ThemeFilter(
            days=28, until=TODAY, channel=channel, service=service, department=department
        )
        return overview(organisation, filters).rows[0].volume

    assert volume() == 84
    assert volume(channel="counter") == 56
    assert volume(service="paspoort") == 28
    assert volume(department="publiekszaken") == 28
    assert volume(department="elders") == 0


def test_search_finds_names_labels_and_key_terms(organisation):
    ThemeFactory.create(organisation=organisation, label="upload pasfoto", key_terms=["portaal"])
    ThemeFactory.create(organisation=organisation, label="afval", name="Container niet geleegd")

    def found(words: str) -> list[str]:
        result = overview(organisation, ThemeFilter(until=TODAY, search=words))
        return [row.theme.title for row in result.rows]

    assert found("PORTAAL") == ["upload pasfoto"]
    assert found("container geleegd") == ["Container niet geleegd"]
    assert found("afval") == ["Container niet geleegd"]
    assert found("upload afval") == []


def test_hidden_and_retired_themes_only_on_request(organisation):
    ThemeFactory.create(organisation=organisation, label="zichtbaar")
    ThemeFactory.create(organisation=organisation, label="verborgen", hidden=True)
    ThemeFactory.create(organisation=organisation, label="vervallen", retired=True)

    shown = rows_by_label(overview(organisation))
    everything = rows_by_label(
        overview(organisation, ThemeFilter(until=TODAY, include_hidden=True))
    )

    assert list(shown) == ["zichtbaar"]
    assert set(everything) == {"zichtbaar", "verborgen", "vervallen"}


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("volume", ["vast", "groot", "nieuw", "stijger"]),
        ("name", ["vast", "groot", "nieuw", "stijger"]),
        ("change", ["vast", "nieuw", "stijger", "groot"]),
        ("newest", ["vast", "nieuw", "stijger", "groot"]),
    ],
)
def test_sorting_keeps_pinned_themes_first(organisation, sort, expected):
    pinned = ThemeFactory.create(organisation=organisation, label="vast", pinned=True)
    big = ThemeFactory.create(organisation=organisation, label="groot", first_seen=date(2025, 1, 1))
    new = ThemeFactory.create(organisation=organisation, label="nieuw", first_seen=TODAY)
    riser = ThemeFactory.create(
        organisation=organisation, label="stijger", first_seen=date(2025, 6, 1)
    )
    daily_counts(pinned, {0: 1}, today=TODAY)
    daily_counts(big, steady(5 * 28, 3), today=TODAY)
    daily_counts(new, {0: 5}, today=TODAY)
    daily_counts(riser, {1: 4, 30: 1}, today=TODAY)

    result = overview(organisation, sort=sort)

    assert [row.theme.label for row in result.rows] == expected


def test_sparkline_has_a_point_per_day_or_per_week(organisation):
    theme = ThemeFactory.create(organisation=organisation)
    daily_counts(theme, {0: 3, 1: 1, 27: 2, 100: 7}, today=TODAY)

    month = overview(organisation).rows[0]
    year = overview(organisation, ThemeFilter(days=365, until=TODAY)).rows[0]

    assert len(month.series) == 28
    assert month.series[0] == 2
    assert month.series[-2:] == [1, 3]
    assert len(year.series) == 53  # one partial week, then 52 whole ones
    assert year.series[-1] == 4
    assert sum(year.series) == 13


def test_service_split_names_signals_without_a_service(organisation, service):
    theme = ThemeFactory.create(organisation=organisation)
    daily_counts(theme, {0: 3}, service=service, today=TODAY)
    daily_counts(theme, {0: 1}, today=TODAY)

    row = overview(organisation).rows[0]

    assert [(s.key, s.label, s.count, s.percent) for s in row.services] == [
        ("paspoort", "Paspoort", 3, 75),
        (None, gettext("No service"), 1, 25),
    ]


def test_another_organisations_themes_and_counts_stay_out(organisation, other_organisation):
    own = ThemeFactory.create(organisation=organisation, label="eigen")
    foreign = ThemeFactory.create(organisation=other_organisation, label="vreemd")
    daily_counts(own, {0: 1}, today=TODAY)
    daily_counts(foreign, {0: 9}, today=TODAY)

    result = overview(organisation)

    assert [(row.theme.label, row.volume) for row in result.rows] == [("eigen", 1)]
    with pytest.raises(Http404):
        theme_get(organisation=organisation, pk=foreign.pk)


def test_the_overview_takes_the_same_few_queries_for_many_themes(
    organisation, django_assert_max_num_queries
):
    for i in range(40):
        theme = ThemeFactory.create(organisation=organisation, merged_into=None)
        daily_counts(theme, {0: i, 1: 1}, channel="phone", today=TODAY)
        ThemeFactory.create(organisation=organisation, merged_into=theme)

    with django_assert_max_num_queries(7):
        result = overview(organisation)

    assert len(result.rows) == 40


def test_theme_detail_has_series_per_channel_events_examples_and_alerts(
    organisation, other_organisation, analyst
):
    today = timezone.localdate()
    theme = ThemeFactory.create(organisation=organisation, label="upload pasfoto portaal")
    merged = ThemeFactory.create(organisation=organisation, merged_into=theme)
    daily_counts(theme, {0: 2, 5: 1}, channel="phone")
    daily_counts(merged, {5: 4}, channel="web_form")
    recent = signals_in(merged, ["Upload lukt niet"], days_ago=0)
    representative = FeedbackFactory.create(organisation=organisation, text="Typisch voorbeeld")
    foreign = FeedbackFactory.create(organisation=other_organisation, text="Geheim")
    theme.example_ids = [str(foreign.pk), str(representative.pk)]
    theme.save()
    EventFactory.create(
        organisation=organisation, title="Portaal live", date=today - timedelta(days=5)
    )
    EventFactory.create(
        organisation=organisation, title="Te vroeg", date=today - timedelta(days=40)
    )
    EventFactory.create(organisation=other_organisation, title="Elders", date=today)
    AlertFactory.create(theme=merged)
    AlertFactory.create(theme=theme, status=Alert.Status.DISMISSED, kind=Alert.Kind.LEVEL_SHIFT)

    detail = theme_detail(
        organisation=organisation, viewer=analyst, theme=theme, filters=ThemeFilter(days=28)
    )

    assert [(c.channel, c.total) for c in detail.channels] == [("web_form", 4), ("phone", 3)]
    assert detail.channels[1].values[-1] == 2
    assert detail.totals[-6] == 5
    assert detail.row.volume == 7
    assert [event.title for event in detail.events] == ["Portaal live"]
    assert detail.examples == [representative]
    assert detail.recent == recent
    assert [alert.theme for alert in detail.alerts] == [merged]
    assert detail.merged == [merged]


def test_related_themes_share_key_terms_or_move_together(organisation, analyst):
    theme = ThemeFactory.create(
        organisation=organisation, key_terms=["upload", "pasfoto", "portaal"]
    )
    ThemeFactory.create(organisation=organisation, label="verwant", key_terms=["pasfoto", "upload"])
    ThemeFactory.create(
        organisation=organisation, label="één woord", key_terms=["portaal", "inloggen"]
    )
    twin = ThemeFactory.create(organisation=organisation, label="tegelijk", key_terms=["telefoon"])
    ThemeFactory.create(organisation=organisation, label="los", key_terms=["container"])
    spike = {ago: 1 + (12 if ago in (3, 4) else 0) + ago % 2 for ago in range(28)}
    daily_counts(theme, spike, today=TODAY)
    daily_counts(twin, {ago: n + 1 for ago, n in spike.items()}, today=TODAY)

    detail = theme_detail(organisation=organisation, viewer=analyst, theme=theme, filters=PERIOD)

    related = {r.theme.label: r for r in detail.related}
    assert set(related) == {"verwant", "tegelijk"}
    assert related["verwant"].shared_terms == ["upload", "pasfoto"]
    assert related["tegelijk"].correlation == pytest.approx(1.0)


def test_theme_root_follows_merges(organisation):
    target = ThemeFactory.create(organisation=organisation)
    middle = ThemeFactory.create(organisation=organisation, merged_into=target)
    last = ThemeFactory.create(organisation=organisation, merged_into=middle)

    assert theme_root(organisation=organisation, theme=last) == target
    assert theme_root(organisation=organisation, theme=target) == target
    assert isinstance(theme_root(organisation=organisation, theme=last), Theme)
