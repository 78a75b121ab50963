# SPDX-License-Identifier: EUPL-1.2
"""One filter definition per entity: the pages fall back to the defaults on invalid values,
the API names each invalid parameter; dates are ISO days in both."""

from datetime import date

import pytest
from django.http import QueryDict

from leerlus.patterns.filters.alerts import AlertFilterSet
from leerlus.patterns.filters.events import EventFilterSet
from leerlus.patterns.filters.themes import ThemeFilterSet, ThemeScopeFilterSet
from leerlus.patterns.selectors.alerts import AlertFilter
from leerlus.patterns.selectors.events import EventFilter
from leerlus.patterns.selectors.themes import ThemeFilter

from .api_calls import problem

pytestmark = pytest.mark.django_db


def _query(text: str) -> QueryDict:
    return QueryDict(text)


def test_theme_filters_become_the_selectors_filter(organisation):
    filters = ThemeFilterSet(
        _query("period=13&until=2026-03-31&channel=phone&service=paspoort&q=upload&hidden=on"),
        organisation=organisation,
    )

    assert filters.theme_filter() == ThemeFilter(
        days=13,
        until=date(2026, 3, 31),
        channel="phone",
        service="paspoort",
        search="upload",
        include_hidden=True,
    )
    assert filters.sort_order() == "volume"


@pytest.mark.parametrize(
    "query",
    [
        "period=0",
        "period=367",
        "period=abc",
        "until=31-03-2026",
        "channel=pigeon",
        "service=geheim",
    ],
)
def test_an_invalid_theme_filter_means_the_defaults_on_a_page(organisation, query):
    filters = ThemeScopeFilterSet(_query(query), organisation=organisation, default_days=91)

    assert not filters.is_valid()
    assert filters.theme_filter() == ThemeFilter(days=91)


def test_a_period_that_is_not_offered_is_added_to_the_choices(organisation):
    form = ThemeFilterSet(_query("period=13"), organisation=organisation).form

    options = [str(value) for value, _label in form.fields["period"].widget.choices]
    assert options == ["7", "13", "28", "91", "365"]


def test_another_organisations_services_are_no_choice(organisation, other_organisation):
    own = ThemeFilterSet(_query("service=paspoort"), organisation=organisation)
    foreign = ThemeFilterSet(_query("service=geheim"), organisation=organisation)

    assert own.is_valid()
    assert not foreign.is_valid()
    assert list(foreign.errors) == ["service"]


def test_alert_filters_with_the_pages_and_the_apis_default_status(organisation):
    empty = AlertFilterSet(_query("kind=spike&theme=12"), organisation=organisation)
    every = AlertFilterSet(_query("status=all"), organisation=organisation)

    assert empty.alert_filter(default_status="open") == AlertFilter(
        status="open", kind="spike", theme=12
    )
    assert empty.alert_filter(default_status="") == AlertFilter(status="", kind="spike", theme=12)
    assert every.alert_filter(default_status="open") == AlertFilter(status="")


def test_event_dates_are_iso_days(organisation):
    good = EventFilterSet(_query("dateFrom=2026-02-01&dateUntil=2026-12-31&q=portaal"))
    bad = EventFilterSet(_query("dateFrom=1-2-2026"))

    assert good.event_filter() == EventFilter(
        date_from=date(2026, 2, 1), date_until=date(2026, 12, 31), search="portaal"
    )
    assert not bad.is_valid()
    assert bad.event_filter() == EventFilter()


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/themes?until=31-03-2026", "until"),
        ("/api/v1/themes?hidden=", None),
        ("/api/v1/alerts?theme=x", "theme"),
        ("/api/v1/events?dateUntil=morgen", "dateUntil"),
    ],
)
def test_the_api_names_the_invalid_parameter(api_for, analyst, path, field):
    response = api_for(analyst).get(path)

    if field is None:
        assert response.status_code == 200
    else:
        assert [p["name"] for p in problem(response, 400)["invalidParams"]] == [field]
