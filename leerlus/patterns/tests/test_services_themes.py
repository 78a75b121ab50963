# SPDX-License-Identifier: EUPL-1.2
"""Assignment of new signals and suggestions while typing, with the real engine on a small
corpus (see :mod:`.signals`)."""

import pytest
from django.db.models import Sum
from django.utils import timezone

from leerlus.engine.themes import ThemeModel
from leerlus.feedback.models import Feedback
from leerlus.feedback.services import SignalInput, feedback_create
from leerlus.patterns import tasks
from leerlus.patterns.models import DailyCount, Theme, ThemeAssignment, ThemeState
from leerlus.patterns.services import state
from leerlus.patterns.services.state import model_cache
from leerlus.patterns.services.themes import theme_suggestions, themes_assign_new
from leerlus.patterns.tests.factories import ThemeFactory
from leerlus.patterns.tests.signals import discover, make_signals, theme_of, topic_texts

pytestmark = pytest.mark.django_db


def test_new_signals_are_assigned_and_counted_once(discovered):
    upload = theme_of("Het uploaden")
    new = make_signals(discovered, per_topic=6, topics=("upload",), offset=3)

    assigned = themes_assign_new(organisation=discovered)
    again = themes_assign_new(organisation=discovered)

    assert (assigned, again) == (6, 0)
    themes = {a.theme for a in ThemeAssignment.objects.filter(feedback__in=new)}
    assert upload in themes
    total = DailyCount.objects.filter(organisation=discovered).aggregate(n=Sum("count"))["n"]
    assert total == 126
    state = ThemeState.objects.get(organisation=discovered)
    assert state.assigned_up_to == max(f.pk for f in new)


def test_a_straggler_committed_after_a_higher_id_is_still_assigned(discovered):
    first, second = make_signals(discovered, per_topic=2, topics=("afval",), offset=11)
    ThemeAssignment.objects.filter(feedback=second).delete()
    themes_assign_new(organisation=discovered)
    ThemeAssignment.objects.filter(feedback=first).delete()  # as if it became visible late

    assert themes_assign_new(organisation=discovered) == 1
    assert ThemeAssignment.objects.filter(feedback=first).exists()


def test_assignment_without_a_model_discovers_when_there_are_enough_signals(organisation):
    make_signals(organisation, per_topic=5)
    assert themes_assign_new(organisation=organisation) == 0

    make_signals(organisation, per_topic=20, offset=5)

    assert themes_assign_new(organisation=organisation) == 75
    assert ThemeAssignment.objects.filter(organisation=organisation).count() == 75


def test_intake_queues_assignment_after_commit(discovered, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        feedback = feedback_create(
            organisation=discovered,
            item=SignalInput(
                text=topic_texts("upload")[1], channel="web_form", received_at=timezone.now()
            ),
        )

    assert ThemeAssignment.objects.get(feedback=feedback).theme is not None


def test_intake_goes_on_when_the_broker_is_down(
    discovered, django_capture_on_commit_callbacks, monkeypatch
):
    tried, logged = [], []

    class BrokerDown:
        name = "assign_new_feedback"

        def apply_async(self, *args, **kwargs):
            tried.append(args)
            raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(tasks, "assign_new_feedback", BrokerDown())
    monkeypatch.setattr(tasks.logger, "exception", lambda *args: logged.append(args))

    with django_capture_on_commit_callbacks(execute=True):
        feedback = feedback_create(
            organisation=discovered,
            item=SignalInput(
                text="Een nieuwe melding", channel="phone", received_at=timezone.now()
            ),
        )

    assert Feedback.objects.filter(pk=feedback.pk).exists()
    assert tried
    assert logged[0][0].startswith("could not queue")


# --- suggestions --------------------------------------------------------------------------------


def test_suggestions_name_the_matching_theme_first(discovered):
    passport = theme_of("Ik kan geen afspraak")

    found = theme_suggestions(organisation=discovered, text="geen afspraak voor paspoort")

    assert found[0][0] == passport
    assert 0 < found[0][1] <= 1
    assert theme_suggestions(organisation=discovered, text="   ") == []


def test_suggestions_leave_out_hidden_themes_and_follow_merges(discovered):
    passport = theme_of("Ik kan geen afspraak")
    target = ThemeFactory.create(organisation=discovered, engine_id=500)
    Theme.objects.filter(pk=passport.pk).update(merged_into=target)

    found = [t for t, _ in theme_suggestions(organisation=discovered, text="paspoort")]
    assert found[0] == target

    Theme.objects.filter(pk=target.pk).update(hidden=True)
    found = [t for t, _ in theme_suggestions(organisation=discovered, text="paspoort")]
    assert target not in found


def test_suggestions_parse_the_model_once_per_discovery(discovered, monkeypatch):
    model_cache.clear()
    parsed = []
    original = ThemeModel.from_json

    def counting(text):
        parsed.append(1)
        return original(text)

    monkeypatch.setattr(state.engine_themes.ThemeModel, "from_json", counting)
    for text in ("pas", "paspoort", "paspoort afspraak"):
        theme_suggestions(organisation=discovered, text=text)
    assert len(parsed) == 1

    discover(discovered)  # a new model: parsed again
    theme_suggestions(organisation=discovered, text="paspoort")
    assert len(parsed) == 3  # once by the discovery (the previous model), once here


def test_suggestions_without_themes_are_empty(organisation):
    assert theme_suggestions(organisation=organisation, text="paspoort") == []
