# SPDX-License-Identifier: EUPL-1.2
"""Themes overview, theme page and quick-entry suggestions, through the real HTTP interface."""

import json
from datetime import date, timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from leerlus.feedback.models import Channel
from leerlus.organisations.roles import Role
from leerlus.patterns.models import DiscoveryRun

from .factories import (
    AlertFactory,
    EventFactory,
    FeedbackFactory,
    ThemeFactory,
    daily_counts,
    signals_in,
    topic_signals,
)
from .signals import discover
from .theme_pages import theme_url

pytestmark = pytest.mark.django_db


# ---- Permissions and tenants ------------------------------------------------------------


@pytest.mark.parametrize(
    ("roles", "status"),
    [
        ((Role.ANALYST,), 200),
        ((Role.FRONT_OFFICE,), 200),
        ((Role.CIO,), 200),
        ((Role.TEAM_MEMBER,), 200),
        ((), 403),
    ],
)
def test_reading_themes_needs_view_feedback(client_for, make_user, upload, roles, status):
    client = client_for(make_user(*roles))

    assert client.get("/patterns/themes/").status_code == status
    assert client.get(theme_url(upload)).status_code == status


def test_anonymous_visitors_are_sent_to_the_login(client, upload):
    response = client.get(theme_url(upload))

    assert response.status_code == 302
    assert "/accounts/login" in response["Location"]


# ---- Overview ---------------------------------------------------------------------------


def test_overview_lists_themes_with_volume_change_badges_and_sparklines(
    analyst_client, upload, waste, foreign
):
    page = analyst_client.get("/patterns/themes/").content.decode()

    assert "upload pasfoto" in page
    assert "container geleegd" in page
    assert "geheim thema" not in page
    assert "+200%" in page  # 84 against the usual 28
    assert page.count("leerlus-badge--rising") == 1
    assert page.count("leerlus-badge--new") == 1
    assert page.count('<svg class="leerlus-sparkline__chart"') == 2
    assert 'aria-hidden="true"' in page
    assert page.index("upload pasfoto") < page.index("container geleegd")


def test_overview_filters_sorts_and_searches(analyst_client, upload, waste):
    def names(query: str) -> list[str]:
        page = analyst_client.get("/patterns/themes/?" + query).content.decode()
        shown = [t for t in ("upload pasfoto", "container geleegd") if t in page]
        return sorted(shown, key=page.index)

    assert names("channel=counter&sort=volume")[0] == "container geleegd"
    assert names("q=afval") == ["container geleegd"]
    assert names("q=portaal") == ["upload pasfoto"]
    page = analyst_client.get("/patterns/themes/?sort=newest").content.decode()
    assert page.index("container geleegd") < page.index("upload pasfoto")


def test_overview_with_invalid_filters_shows_the_defaults(analyst_client, upload):
    response = analyst_client.get("/patterns/themes/?period=13&channel=fax&sort=random")

    assert response.status_code == 200
    assert "upload pasfoto" in response.content.decode()


def test_overview_paginates(analyst_client, organisation):
    for i in range(30):
        daily_counts(
            ThemeFactory.create(organisation=organisation, label=f"thema {i:02d}"), {0: 100 - i}
        )

    first = analyst_client.get("/patterns/themes/").content.decode()
    second = analyst_client.get("/patterns/themes/?page=2").content.decode()

    assert "thema 00" in first
    assert "thema 29" not in first
    assert "thema 29" in second


def test_hidden_themes_show_on_request(analyst_client, upload, organisation):
    ThemeFactory.create(organisation=organisation, label="verstopt thema", hidden=True)

    assert "verstopt thema" not in analyst_client.get("/patterns/themes/").content.decode()
    assert "verstopt thema" in analyst_client.get("/patterns/themes/?hidden=on").content.decode()


def test_empty_state_explains_and_lets_curators_start_discovery(
    client_for, make_user, organisation
):
    analyst_page = client_for(make_user(Role.ANALYST)).get("/patterns/themes/").content.decode()
    viewer_page = client_for(make_user(Role.FRONT_OFFICE)).get("/patterns/themes/").content.decode()

    for page in (analyst_page, viewer_page):
        assert 'id="theme-discovery"' in page
        assert 'role="search"' not in page
    assert 'action="/patterns/themes/discover/"' in analyst_page
    assert 'action="/patterns/themes/discover/"' not in viewer_page


def test_starting_discovery_shows_its_progress_until_done(analyst_client, organisation):
    response = analyst_client.post("/patterns/themes/discover/")

    assert response.status_code == 302
    run = DiscoveryRun.objects.get(organisation=organisation)
    page = analyst_client.get("/patterns/themes/").content.decode()
    progress_url = f"/patterns/themes/discovery/{run.pk}/"
    assert f'hx-get="{progress_url}"' in page
    assert "<progress" in page

    run.status, run.themes, run.items = DiscoveryRun.Status.DONE, 7, 120
    run.save()
    fragment = analyst_client.get(progress_url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-get" not in fragment
    assert "data-leerlus-focus" in fragment
    assert "/patterns/themes/" in fragment
    assert analyst_client.get(progress_url).status_code == 302


# ---- Theme page -------------------------------------------------------------------------


def test_detail_shows_timeline_events_terms_examples_related_and_alerts(
    analyst_client, organisation, upload, waste
):
    example = FeedbackFactory.create(
        organisation=organisation, text="Mijn pasfoto uploaden lukt niet"
    )
    upload.example_ids = [str(example.pk)]
    upload.save()
    recent = signals_in(upload, ["Portaal geeft een foutmelding bij de upload"], days_ago=1)
    ThemeFactory.create(
        organisation=organisation, label="inloggen portaal", key_terms=["portaal", "upload"]
    )
    event = EventFactory.create(organisation=organisation, title="Nieuw portaal live")
    alert = AlertFactory.create(theme=upload)

    response = analyst_client.get(theme_url(upload))

    page = response.content.decode()
    chart = response.context["chart"]
    assert len(chart["days"]) == 91
    assert [s["label"] for s in chart["series"]] == [Channel.PHONE.label]
    assert chart["events"] == [
        {
            "date": event.date.isoformat(),
            "title": "Nieuw portaal live",
            "kind": event.get_kind_display(),
        }
    ]
    assert (
        json.loads(page.split('id="theme-chart-data" type="application/json">')[1].split("<")[0])
        == chart
    )
    assert 'id="theme-chart-data"' in page
    assert 'data-leerlus-chart="theme-chart-data"' in page
    assert "<details" in page  # the numbers as a table
    assert "Nieuw portaal live" in page
    assert f'hx-get="{theme_url(upload, f"events/{event.pk}/changes")}"' in page
    assert "pasfoto" in page
    assert example.text in page
    assert recent[0].reference in page
    assert "inloggen portaal" in page
    assert f'href="/patterns/alerts/{alert.pk}"' in page


def test_a_merged_theme_leads_to_the_theme_it_was_merged_into(analyst_client, upload, waste):
    waste.merged_into = upload
    waste.save()

    response = analyst_client.get(theme_url(waste))

    assert response.status_code == 302
    assert response["Location"] == theme_url(upload)


def test_event_changes_are_a_fragment_for_htmx_and_a_link_without(
    analyst_client, organisation, upload
):
    event = EventFactory.create(
        organisation=organisation, date=timezone.localdate() - timedelta(days=14)
    )
    url = theme_url(upload, f"events/{event.pk}/changes")

    fragment = analyst_client.get(url, HTTP_HX_REQUEST="true")
    plain = analyst_client.get(url)

    assert fragment.status_code == 200
    assert "<h" not in fragment.content.decode()  # no heading: a lazy load must not take focus
    assert f"/patterns/events/{event.pk}" in fragment.content.decode()
    assert plain.status_code == 302
    assert plain["Location"] == f"/patterns/events/{event.pk}"


# ---- Quick entry ------------------------------------------------------------------------


def test_quick_entry_suggests_known_themes_while_typing(client_for, make_user, organisation):
    topic_signals(organisation)
    discover(organisation)
    client = client_for(make_user(Role.FRONT_OFFICE))

    page = client.get("/signals/quick").content.decode()
    found = client.get("/patterns/themes/suggestions/", {"text": "pasfoto upload mislukt"})
    short = client.get("/patterns/themes/suggestions/", {"text": "pa"})

    assert 'hx-trigger="keyup changed delay:300ms from:#id_text"' in page
    assert 'id="theme-suggestions" aria-live="polite"' in page
    titles = [theme.title for theme in found.context["suggestions"]]
    assert titles
    assert "pasfoto" in titles[0] or "upload" in titles[0]
    assert "<a " in found.content.decode()
    assert short.content.decode().strip() == ""


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_data_table_rows_read_as_the_template_wrote_them(language):
    rows = [(date(2026, 11, 23), [3, 1200], 1203), (date(2026, 11, 24), [0, 7], 7)]
    loop = Template(
        "{% for day, counts, total in rows %}"
        '<tr class="utrecht-table__row"><th class="utrecht-table__header-cell '
        'leerlus-table__cell--nowrap" scope="row">{{ day|date:"D j M Y" }}</th>'
        "{% for count in counts %}"
        '<td class="utrecht-table__cell leerlus-table__cell--numeric">{{ count }}</td>'
        "{% endfor %}"
        '<td class="utrecht-table__cell leerlus-table__cell--numeric">{{ total }}</td></tr>\n'
        "{% endfor %}"
    )
    tag = Template("{% load themes_charts %}{% series_table_rows rows %}")

    with translation.override(language):
        expected = loop.render(Context({"rows": rows})).strip()
        rendered = tag.render(Context({"rows": rows}))

    assert rendered == expected
    assert rendered.count("<tr") == 2
