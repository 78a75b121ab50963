# SPDX-License-Identifier: EUPL-1.2
"""``/api/v1/themes`` through the real HTTP interface: the numbers the pages show."""

import pytest
from django.utils import timezone

from leerlus.patterns.tests.factories import ThemeFactory, daily_counts, steady

from .api_calls import problem

pytestmark = pytest.mark.django_db


def test_themes_list_with_daily_series_and_splits(api_for, analyst, themes):
    upload, _bijlage, _passport, _ = themes

    response = api_for(analyst).get("/api/v1/themes?period=7")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    first = body["results"][0]
    assert (first["id"], first["name"], first["generatedLabel"]) == (
        upload.pk,
        "Uploaden",
        "upload, bijlage",
    )
    assert first["volume"] == 7 * 3  # with the theme merged into it
    assert len(first["series"]) == 7
    assert first["series"][-1] == {"date": timezone.localdate().isoformat(), "count": 3}
    assert first["channels"] == [{"key": "web_form", "count": 14}, {"key": "phone", "count": 7}]
    assert first["services"] == [{"key": None, "count": 21}]
    assert {"keyTerms", "pinned", "hidden", "firstSeen", "usual", "change", "rising"} <= set(first)


def test_themes_filter_by_channel(api_for, analyst, themes):
    body = api_for(analyst).get("/api/v1/themes?period=7&channel=counter").json()

    volumes = {row["generatedLabel"]: row["volume"] for row in body["results"]}
    assert volumes == {"upload, bijlage": 0, "paspoort, afspraak": 7}


def test_theme_detail_with_examples_and_the_merged_theme_counted(api_for, analyst, themes):
    upload = themes[0]

    body = api_for(analyst).get(f"/api/v1/themes/{upload.pk}?period=7").json()

    assert body["volume"] == 21
    assert len(body["examples"]) == 1
    assert body["examples"][0].startswith("LL-")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("period=0", "period"),
        ("period=abc", "period"),
        ("until=yesterday", "until"),
        ("channel=pigeon", "channel"),
        ("service=geheim", "service"),
        ("department=geheim", "department"),
        ("sort=random", "sort"),
    ],
)
def test_bad_theme_filters_are_problem_json_naming_the_parameter(
    api_for, analyst, themes, query, field
):
    body = problem(api_for(analyst).get(f"/api/v1/themes?{query}"), 400)

    assert [p["name"] for p in body["invalidParams"]] == [field]


def test_another_organisations_theme_is_a_404_like_a_missing_one(api_for, analyst, themes):
    foreign = themes[3]

    problem(api_for(analyst).get(f"/api/v1/themes/{foreign.pk}"), 404)
    problem(api_for(analyst).get("/api/v1/themes/999999"), 404)
    listed = api_for(analyst).get("/api/v1/themes").json()["results"]
    assert foreign.pk not in {row["id"] for row in listed}


def test_themes_need_the_view_capability(api_for, make_user, themes):
    nobody = make_user(username="zonder-rol")

    problem(api_for(nobody).get("/api/v1/themes"), 403)


# ---- One source of each number ---------------------------------------------------------------

SAME = ("volume", "usual", "change", "rising", "new", "series", "channels", "services")


def _page_row(client, path: str, theme_pk: int):
    """The row the overview (or the theme page) shows for the theme."""
    context = client.get(path).context
    if "overview" in context:
        return next(row for row in context["overview"].rows if row.theme.pk == theme_pk)
    return context["detail"].row


def test_list_detail_and_pages_agree_for_a_theme_with_ten_days_of_data(
    api_for, client_for, analyst, themes
):
    """The 3 days before a 7-day period are no whole earlier period: there is no usual level
    on the list, the detail, the overview or the theme page (the detail once said usual 1.5
    and +833 % where the list said 0.0 and null)."""
    upload = themes[0]
    api = api_for(analyst)

    listed = next(
        row
        for row in api.get("/api/v1/themes?period=7").json()["results"]
        if row["id"] == upload.pk
    )
    detail = api.get(f"/api/v1/themes/{upload.pk}?period=7").json()
    pages = client_for(analyst)
    overview = _page_row(pages, "/patterns/themes/?period=7", upload.pk)
    page = _page_row(pages, f"/patterns/themes/{upload.pk}/?period=7", upload.pk)

    assert (listed["volume"], listed["usual"], listed["change"]) == (21, 0.0, None)
    assert {key: detail[key] for key in SAME} == {key: listed[key] for key in SAME}
    for row in (overview, page):
        assert (row.volume, row.usual, row.change, row.rising) == (21, 0.0, None, False)


def test_list_detail_and_pages_agree_where_there_is_a_usual_level(
    api_for, client_for, analyst, organisation
):
    theme = ThemeFactory.create(organisation=organisation, label="met historie")
    daily_counts(theme, {**steady(7, 4), **steady(21, 1, start=7)}, channel="phone")
    api = api_for(analyst)

    listed = api.get("/api/v1/themes?period=7").json()["results"][0]
    detail = api.get(f"/api/v1/themes/{theme.pk}?period=7").json()
    pages = client_for(analyst)
    overview = _page_row(pages, "/patterns/themes/?period=7", theme.pk)
    page = _page_row(pages, f"/patterns/themes/{theme.pk}/?period=7", theme.pk)

    assert (listed["volume"], listed["usual"], listed["change"]) == (28, 7.0, 3.0)
    assert {key: detail[key] for key in SAME} == {key: listed[key] for key in SAME}
    for row in (overview, page):
        assert (row.volume, row.usual, row.change) == (28, 7.0, 3.0)


def test_the_schema_lists_the_pattern_endpoints(client):
    paths = client.get("/api/v1/schema?format=json").json()["paths"]

    assert {"/api/v1/themes", "/api/v1/themes/{id}", "/api/v1/alerts", "/api/v1/events"} <= set(
        paths
    )
