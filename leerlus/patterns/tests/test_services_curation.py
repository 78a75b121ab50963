# SPDX-License-Identifier: EUPL-1.2
"""Curation: every action at once in the database, honoured by the engine on a re-run, and
undone, each kind; only within the own organisation and with the capability."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum

from leerlus.engine.themes import Theme as EngineTheme
from leerlus.engine.themes import ThemeModel
from leerlus.organisations.models import AuditEntry
from leerlus.organisations.roles import Role
from leerlus.patterns.models import (
    CurationAction,
    DailyCount,
    Theme,
    ThemeAssignment,
    ThemeDayCount,
    ThemeState,
)
from leerlus.patterns.selectors.curation import engine_curation
from leerlus.patterns.services import curation
from leerlus.patterns.tests.factories import ThemeFactory
from leerlus.patterns.tests.signals import discover, theme_of

pytestmark = pytest.mark.django_db


def _model(organisation) -> ThemeModel:
    return ThemeModel.from_json(ThemeState.objects.get(organisation=organisation).model_json)


def _stored(organisation, theme: Theme) -> EngineTheme:
    """The theme as the stored engine model has it."""
    found = _model(organisation).theme(theme.engine_id)
    assert found is not None
    return found


def _rediscover(organisation) -> None:
    discover(organisation)


def _size(theme: Theme) -> int:
    return ThemeAssignment.objects.filter(theme=theme).count()


def _counted(theme: Theme | None) -> int:
    """The theme's signals in the daily counts, which its per-day totals must agree with."""
    counted = DailyCount.objects.filter(theme=theme).aggregate(n=Sum("count"))["n"] or 0
    totals = ThemeDayCount.objects.filter(theme=theme).aggregate(n=Sum("count"))["n"] or 0
    assert totals == counted
    return counted


# --- rename, pin, hide --------------------------------------------------------------------------


def test_rename_sticks_across_rediscovery_and_undo_takes_it_back(discovered, analyst):
    passport = theme_of("Ik kan geen afspraak")

    action = curation.theme_rename(theme=passport, name="  Paspoort  afspraken ", actor=analyst)

    passport.refresh_from_db()
    assert passport.title == "Paspoort afspraken"
    assert engine_curation(organisation=discovered).names == {
        passport.engine_id: "Paspoort afspraken"
    }
    assert AuditEntry.objects.filter(action="theme.rename", object_id=str(passport.pk)).exists()
    _rediscover(discovered)
    passport.refresh_from_db()
    assert passport.name == "Paspoort afspraken"
    assert _stored(discovered, passport).name == "Paspoort afspraken"

    curation.curation_undo(action=action, actor=analyst)

    passport.refresh_from_db()
    assert passport.title == passport.label
    _rediscover(discovered)
    passport.refresh_from_db()
    assert passport.name == ""
    assert _stored(discovered, passport).name == ""
    assert AuditEntry.objects.filter(action="theme.curation_undo").exists()


def test_undoing_an_earlier_rename_keeps_the_later_one(discovered, analyst):
    theme = theme_of("Ik kan geen afspraak")
    first = curation.theme_rename(theme=theme, name="Eerste", actor=analyst)
    curation.theme_rename(theme=theme, name="Tweede", actor=analyst)

    curation.curation_undo(action=first, actor=analyst)

    theme.refresh_from_db()
    assert theme.name == "Tweede"


def test_pin_keeps_the_label_on_rediscovery_and_unpin_and_undo_work(discovered, analyst):
    theme = theme_of("De container")
    pin = curation.theme_pin(theme=theme, actor=analyst)
    theme.refresh_from_db()
    assert theme.pinned
    Theme.objects.filter(pk=theme.pk).update(label="vast label")
    model = _model(discovered)
    stored = model.theme(theme.engine_id)
    assert stored is not None
    stored.label = "vast label"
    ThemeState.objects.filter(organisation=discovered).update(model_json=model.to_json())

    _rediscover(discovered)

    stored = _stored(discovered, theme)
    assert (stored.pinned, stored.label) == (True, "vast label")
    unpin = curation.theme_unpin(theme=theme, actor=analyst)
    theme.refresh_from_db()
    assert not theme.pinned
    curation.curation_undo(action=unpin, actor=analyst)
    theme.refresh_from_db()
    assert theme.pinned
    curation.curation_undo(action=pin, actor=analyst)
    theme.refresh_from_db()
    assert not theme.pinned
    _rediscover(discovered)
    assert not _stored(discovered, theme).pinned


def test_hide_and_show_and_their_undo(discovered, analyst):
    theme = theme_of("De container")

    hide = curation.theme_hide(theme=theme, actor=analyst)
    theme.refresh_from_db()
    assert theme.hidden
    _rediscover(discovered)
    theme.refresh_from_db()
    assert theme.hidden
    assert _stored(discovered, theme).hidden

    show = curation.theme_show(theme=theme, actor=analyst)
    theme.refresh_from_db()
    assert not theme.hidden
    curation.curation_undo(action=show, actor=analyst)
    theme.refresh_from_db()
    assert theme.hidden
    curation.curation_undo(action=hide, actor=analyst)
    theme.refresh_from_db()
    assert not theme.hidden
    _rediscover(discovered)
    assert not _stored(discovered, theme).hidden


# --- merge --------------------------------------------------------------------------------------


@pytest.fixture
def two_upload_themes(discovered):
    target, other = theme_of("Het uploaden"), theme_of("Ik krijg een foutmelding")
    assert target != other
    return target, other


def test_merge_counts_together_at_once_and_undo_before_a_rerun(two_upload_themes, analyst):
    target, other = two_upload_themes

    action = curation.themes_merge(target=target, others=[other], actor=analyst)

    other.refresh_from_db()
    assert other.merged_into == target
    assert action.kind == CurationAction.Kind.MERGE
    curation.curation_undo(action=action, actor=analyst)
    other.refresh_from_db()
    assert other.merged_into is None


def test_merge_is_honoured_by_the_engine_and_undone_after_a_rerun(
    discovered, two_upload_themes, analyst, django_capture_on_commit_callbacks
):
    target, other = two_upload_themes
    both = _size(target) + _size(other)
    action = curation.themes_merge(target=target, others=[other], actor=analyst)

    _rediscover(discovered)

    other.refresh_from_db()
    assert other.retired
    assert other.merged_into == target
    assert _size(target) == both
    assert _counted(target) == both
    assert _model(discovered).theme(other.engine_id) is None

    with django_capture_on_commit_callbacks(execute=True):
        curation.curation_undo(action=action, actor=analyst)

    other.refresh_from_db()
    assert other.merged_into is None
    assert not other.retired  # the queued re-discovery found it again, under its own id
    assert _size(other) > 0
    assert _size(target) + _size(other) == both


def test_merge_refuses_nonsense(two_upload_themes, analyst):
    target, other = two_upload_themes
    with pytest.raises(ValidationError):
        curation.themes_merge(target=target, others=[target], actor=analyst)
    curation.themes_merge(target=target, others=[other], actor=analyst)
    with pytest.raises(ValidationError):
        curation.themes_merge(target=other, others=[target], actor=analyst)


def test_a_theme_merged_earlier_follows_its_target_and_comes_back_on_undo(discovered, analyst):
    first, second, third = (
        theme_of("Het uploaden"),
        theme_of("Ik krijg een foutmelding"),
        theme_of("Ik kan geen afspraak"),
    )
    curation.themes_merge(target=second, others=[third], actor=analyst)
    outer = curation.themes_merge(target=first, others=[second], actor=analyst)
    third.refresh_from_db()
    assert third.merged_into == first

    curation.curation_undo(action=outer, actor=analyst)

    third.refresh_from_db()
    second.refresh_from_db()
    assert (second.merged_into, third.merged_into) == (None, second)


# --- split --------------------------------------------------------------------------------------


def test_split_takes_effect_at_the_queued_discovery_and_undo_joins_it_again(
    discovered, analyst, django_capture_on_commit_callbacks
):
    theme = theme_of("Ik kan geen afspraak")
    size = _size(theme)

    with django_capture_on_commit_callbacks(execute=True):
        action = curation.theme_split(theme=theme, parts=2, actor=analyst)

    action.refresh_from_db()
    parts = action.payload["result"]
    assert len(parts) == 2
    part_themes = list(Theme.objects.filter(organisation=discovered, engine_id__in=parts))
    assert sum(_size(t) for t in part_themes) == size
    theme.refresh_from_db()
    assert theme.retired

    with django_capture_on_commit_callbacks(execute=True):
        curation.curation_undo(action=action, actor=analyst)

    theme.refresh_from_db()
    assert not theme.retired
    assert _size(theme) == size
    assert all(t.merged_into_id == theme.pk for t in Theme.objects.filter(engine_id__in=parts))
    assert engine_curation(organisation=discovered).splits == {}


def test_undo_of_a_split_that_has_not_run_yet_just_cancels_it(discovered, analyst):
    theme = theme_of("Ik kan geen afspraak")
    action = curation.theme_split(theme=theme, parts=0, actor=analyst)
    assert engine_curation(organisation=discovered).splits == {theme.engine_id: 0}

    curation.curation_undo(action=action, actor=analyst)

    assert engine_curation(organisation=discovered).splits == {}
    assert engine_curation(organisation=discovered).merges == []


def test_split_checks_the_number_of_parts(discovered, analyst):
    with pytest.raises(ValidationError):
        curation.theme_split(theme=theme_of("De container"), parts=1, actor=analyst)


# --- moving an example --------------------------------------------------------------------------


def test_moved_example_stays_on_rediscovery_and_undo_moves_it_back(discovered, analyst):
    assignment = ThemeAssignment.objects.filter(feedback__text__startswith="Ik kan geen afspraak")[
        0
    ]
    source, feedback = assignment.theme, assignment.feedback
    target = theme_of("De container")
    counted = (_counted(source), _counted(target))

    action = curation.example_move(feedback=feedback, theme=target, actor=analyst)

    assignment.refresh_from_db()
    assert (assignment.theme, assignment.moved_by_hand) == (target, True)
    assert (_counted(source), _counted(target)) == (counted[0] - 1, counted[1] + 1)
    _rediscover(discovered)
    assignment.refresh_from_db()
    assert assignment.theme == target

    curation.curation_undo(action=action, actor=analyst)

    assignment.refresh_from_db()
    assert (assignment.theme, assignment.moved_by_hand) == (source, False)
    assert (_counted(source), _counted(target)) == counted


def test_an_example_can_be_moved_out_of_every_theme(discovered, analyst):
    assignment = ThemeAssignment.objects.filter(theme__isnull=False)[0]

    curation.example_move(feedback=assignment.feedback, theme=None, actor=analyst)

    assignment.refresh_from_db()
    assert assignment.theme is None
    assert engine_curation(organisation=discovered).moves == {str(assignment.feedback_id): -1}
    _rediscover(discovered)
    assignment.refresh_from_db()
    assert assignment.theme is None


# --- undo and guards ----------------------------------------------------------------------------


def test_undo_twice_is_refused(discovered, analyst):
    action = curation.theme_pin(theme=theme_of("De container"), actor=analyst)
    curation.curation_undo(action=action, actor=analyst)

    with pytest.raises(ValidationError):
        curation.curation_undo(action=action, actor=analyst)


def test_themes_of_another_organisation_are_refused(
    discovered, analyst, other_organisation, make_user
):
    own = theme_of("De container")
    foreign = ThemeFactory.create(organisation=other_organisation)
    stranger = make_user(Role.ANALYST, org=other_organisation, username="vreemd")
    action = curation.theme_pin(theme=own, actor=analyst)
    feedback = ThemeAssignment.objects.filter(theme=own)[0].feedback

    calls = [
        lambda: curation.theme_rename(theme=foreign, name="x", actor=analyst),
        lambda: curation.theme_pin(theme=foreign, actor=analyst),
        lambda: curation.theme_hide(theme=foreign, actor=analyst),
        lambda: curation.themes_merge(target=own, others=[foreign], actor=analyst),
        lambda: curation.theme_split(theme=foreign, parts=2, actor=analyst),
        lambda: curation.example_move(feedback=feedback, theme=foreign, actor=analyst),
        lambda: curation.example_move(feedback=feedback, theme=None, actor=stranger),
        lambda: curation.curation_undo(action=action, actor=stranger),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert not CurationAction.objects.filter(organisation=other_organisation).exists()


def test_curating_needs_the_capability(discovered, make_user):
    front_office = make_user(Role.FRONT_OFFICE, username="balie")

    with pytest.raises(PermissionDenied):
        curation.theme_rename(theme=theme_of("De container"), name="x", actor=front_office)


def test_a_confidential_signal_is_moved_only_by_who_may_see_it(discovered, make_user, analyst):
    assignment = ThemeAssignment.objects.filter(organisation=discovered).first()
    assert assignment is not None
    feedback = assignment.feedback
    feedback.confidential = True
    feedback.save(update_fields=["confidential"])
    target = theme_of("De container")
    trusted = make_user(Role.ANALYST, Role.ADMINISTRATOR, username="vertrouwd")

    with pytest.raises(PermissionDenied):
        curation.example_move(feedback=feedback, theme=target, actor=analyst)
    curation.example_move(feedback=feedback, theme=target, actor=trusted)

    assert ThemeAssignment.objects.get(feedback=feedback).theme == target
