# SPDX-License-Identifier: EUPL-1.2
"""The curation of a theme through its page: each form, its errors and its undo."""

import pytest

from leerlus.organisations.roles import Role
from leerlus.patterns.models import CurationAction, DiscoveryRun, ThemeAssignment

from .factories import EventFactory, FeedbackFactory, signals_in
from .theme_pages import theme_url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("action", ["rename", "merge", "split", "pin", "hide", "move"])
def test_curation_needs_curate_themes(client_for, make_user, upload, waste, action):
    client = client_for(make_user(Role.FRONT_OFFICE, Role.CIO))

    response = client.post(theme_url(upload, action), {"name": "X", "others": [waste.pk]})

    assert response.status_code == 403
    assert not CurationAction.objects.exists()


def test_curation_forms_are_shown_to_curators_only(client_for, make_user, upload):
    analyst_page = client_for(make_user(Role.ANALYST)).get(theme_url(upload)).content.decode()
    viewer_page = client_for(make_user(Role.FRONT_OFFICE)).get(theme_url(upload)).content.decode()

    assert 'id="curation"' in analyst_page
    assert 'id="curation"' not in viewer_page
    assert "Curation history" in viewer_page or "Curatiegeschiedenis" in viewer_page


def test_another_organisations_theme_is_404_everywhere(analyst_client, upload, foreign):
    action = CurationAction.objects.create(
        organisation=foreign.organisation, kind="pin", theme=foreign
    )
    run = DiscoveryRun.objects.create(organisation=foreign.organisation)
    event = EventFactory.create(organisation=foreign.organisation)

    assert analyst_client.get(theme_url(foreign)).status_code == 404
    for operation in ("rename", "merge", "split", "pin", "unpin", "hide", "show", "move"):
        response = analyst_client.post(theme_url(foreign, operation), {"name": "Van mij"})
        assert response.status_code == 404, operation
    assert analyst_client.post(f"/patterns/themes/curation/{action.pk}/undo/").status_code == 404
    progress = analyst_client.get(f"/patterns/themes/discovery/{run.pk}/", HTTP_HX_REQUEST="true")
    assert progress.status_code == 404
    changes = theme_url(upload, f"events/{event.pk}/changes")
    assert analyst_client.get(changes, HTTP_HX_REQUEST="true").status_code == 404
    foreign.refresh_from_db()
    assert foreign.name == ""


def test_merging_with_another_organisations_theme_is_refused(analyst_client, upload, foreign):
    response = analyst_client.post(theme_url(upload, "merge"), {"others": [foreign.pk]})

    assert response.status_code == 400
    assert "leerlus-error-summary" in response.content.decode()
    foreign.refresh_from_db()
    assert foreign.merged_into is None


def test_rename_then_undo(analyst_client, upload):
    response = analyst_client.post(theme_url(upload, "rename"), {"name": "Upload mislukt"})

    assert response.status_code == 302
    upload.refresh_from_db()
    assert upload.name == "Upload mislukt"
    page = analyst_client.get(response["Location"]).content.decode()
    action = CurationAction.objects.get(kind="rename")
    assert f'action="/patterns/themes/curation/{action.pk}/undo/"' in page
    assert "leerlus-curation-done" in page
    assert "leerlus-curation-done" not in analyst_client.get(theme_url(upload)).content.decode()

    undone = analyst_client.post(f"/patterns/themes/curation/{action.pk}/undo/", follow=True)

    upload.refresh_from_db()
    action.refresh_from_db()
    assert upload.name == ""
    assert "“Upload mislukt”" in next(str(m) for m in undone.context["messages"])
    assert action.undone_at is not None


def test_rename_with_an_empty_name_shows_an_error_summary(analyst_client, upload):
    response = analyst_client.post(theme_url(upload, "rename"), {"name": ""})

    assert response.status_code == 400
    page = response.content.decode()
    assert "leerlus-error-summary" in page
    assert 'href="#id_name"' in page
    assert not CurationAction.objects.exists()


def test_merge_counts_the_themes_together_and_undo_separates_them(analyst_client, upload, waste):
    response = analyst_client.post(theme_url(upload, "merge"), {"others": [waste.pk]})

    assert response.status_code == 302
    waste.refresh_from_db()
    assert waste.merged_into == upload
    overview = analyst_client.get("/patterns/themes/")
    rows = {row.theme.pk: row for row in overview.context["page"].object_list}
    assert set(rows) == {upload.pk}
    assert rows[upload.pk].volume == 84 + 3
    history = analyst_client.get(theme_url(upload)).content.decode()
    assert "container geleegd" in history

    action = CurationAction.objects.get(kind="merge")
    analyst_client.post(f"/patterns/themes/curation/{action.pk}/undo/")

    waste.refresh_from_db()
    assert waste.merged_into is None
    overview = analyst_client.get("/patterns/themes/")
    assert len(overview.context["page"].object_list) == 2


def test_merge_without_a_choice_is_refused_with_an_error(analyst_client, upload, waste):
    response = analyst_client.post(theme_url(upload, "merge"), {})

    assert response.status_code == 400
    assert 'href="#id_others_0"' in response.content.decode()


def test_split_is_recorded_and_queues_a_discovery(analyst_client, organisation, upload):
    response = analyst_client.post(theme_url(upload, "split"), {"parts": "3"})

    assert response.status_code == 302
    action = CurationAction.objects.get(kind="split")
    assert action.payload["parts"] == 3
    assert DiscoveryRun.objects.filter(organisation=organisation).exists()


@pytest.mark.parametrize(
    ("operation", "field", "value"),
    [("pin", "pinned", True), ("hide", "hidden", True)],
)
def test_pin_and_hide_and_their_opposites(analyst_client, upload, operation, field, value):
    opposite = {"pin": "unpin", "hide": "show"}[operation]

    analyst_client.post(theme_url(upload, operation))
    upload.refresh_from_db()
    assert getattr(upload, field) is value

    analyst_client.post(theme_url(upload, opposite))
    upload.refresh_from_db()
    assert getattr(upload, field) is not value


def test_moving_an_example_to_another_theme(analyst_client, upload, waste):
    signal = signals_in(upload, ["Container is niet geleegd"])[0]

    response = analyst_client.post(
        theme_url(upload, "move"), {"feedback": signal.pk, "theme": waste.pk}
    )

    assert response.status_code == 302
    assignment = ThemeAssignment.objects.get(feedback=signal)
    assert assignment.theme == waste
    assert assignment.moved_by_hand


def test_another_organisations_signal_cannot_be_moved(
    analyst_client, upload, waste, other_organisation
):
    signal = FeedbackFactory.create(organisation=other_organisation)

    response = analyst_client.post(
        theme_url(upload, "move"), {"feedback": signal.pk, "theme": waste.pk}
    )

    assert response.status_code == 302
    assert not ThemeAssignment.objects.filter(feedback=signal).exists()
    assert not CurationAction.objects.exists()


def test_undoing_twice_says_it_was_undone_already(analyst_client, upload):
    analyst_client.post(theme_url(upload, "pin"))
    action = CurationAction.objects.get()
    analyst_client.post(f"/patterns/themes/curation/{action.pk}/undo/", follow=True)

    response = analyst_client.post(f"/patterns/themes/curation/{action.pk}/undo/", follow=True)

    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1
    assert "undone already" in messages[0]
