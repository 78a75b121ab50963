"""Discovery, assignment, daily counts, routing, suggestions and alerts, with the real engine
on a small corpus (see :mod:`.signals`)."""

from collections import Counter
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.utils import timezone

from leerlus.engine.themes import ThemeModel
from leerlus.feedback.models import Feedback
from leerlus.feedback.services import SignalInput, feedback_create
from leerlus.organisations.models import AuditEntry
from leerlus.patterns import services, tasks
from leerlus.patterns.models import (
    Alert,
    DailyCount,
    DiscoveryRun,
    Event,
    Theme,
    ThemeAssignment,
    ThemeDayCount,
    ThemeState,
)
from leerlus.patterns.tests.factories import ThemeFactory, daily_counts, signals_in, steady
from leerlus.patterns.tests.signals import (
    make_signals,
    theme_of,
    topic_texts,
)

pytestmark = pytest.mark.django_db
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _counts(organisation) -> Counter:
    return Counter(
        {
            (r.day, r.theme_id, r.channel, r.service_id): r.count
            for r in DailyCount.objects.filter(organisation=organisation)
            if r.count
        }
    )


def _theme_days(organisation) -> Counter:
    return Counter(
        {
            (r.day, r.theme_id): r.count
            for r in ThemeDayCount.objects.filter(organisation=organisation)
            if r.count
        }
    )


def _summed(counts: Counter) -> Counter:
    totals: Counter = Counter()
    for (day, theme_id, _channel, _service), n in counts.items():
        totals[(day, theme_id)] += n
    return totals


# --- discovery ----------------------------------------------------------------------------------


def test_discovery_stores_themes_assignments_counts_and_the_run(organisation):
    make_signals(organisation)
    seen: list[int] = []

    run = services.themes_discover(
        organisation=organisation, progress=lambda _message, percent: seen.append(percent)
    )

    run.refresh_from_db()
    assert (run.status, run.percent, run.items) == (DiscoveryRun.Status.DONE, 100, 120)
    assert run.themes == Theme.objects.filter(organisation=organisation).count() >= 3
    assert seen == sorted(seen)
    assert ThemeAssignment.objects.filter(organisation=organisation).count() == 120
    total = DailyCount.objects.filter(organisation=organisation).aggregate(n=Sum("count"))["n"]
    assert total == 120
    state = ThemeState.objects.get(organisation=organisation)
    assert state.assigned_up_to == Feedback.objects.order_by("-pk")[0].pk
    assert ThemeModel.from_json(state.model_json).themes
    upload, passport = theme_of("Het uploaden"), theme_of("Ik kan geen afspraak")
    assert upload != passport
    assert all(t.first_seen is not None for t in Theme.objects.filter(organisation=organisation))
    example = Feedback.objects.get(pk=passport.example_ids[0])
    assert "afspraak" in example.text or "paspoort" in example.text


def test_rediscovery_keeps_theme_identity_and_retires_what_is_gone(discovered):
    before = dict(Theme.objects.filter(organisation=discovered).values_list("pk", "engine_id"))
    upload = theme_of("Het uploaden")
    gone = ThemeFactory.create(organisation=discovered, engine_id=999)

    services.themes_discover(organisation=discovered)

    after = dict(Theme.objects.filter(organisation=discovered).values_list("pk", "engine_id"))
    assert {pk: after[pk] for pk in before} == before
    assert theme_of("Het uploaden") == upload
    gone.refresh_from_db()
    assert gone.retired


def test_discovery_with_too_few_signals_finds_nothing_and_says_so(organisation):
    make_signals(organisation, per_topic=5)

    run = services.themes_discover(organisation=organisation)

    assert run.status == DiscoveryRun.Status.DONE
    assert "too few" in run.progress
    assert not Theme.objects.filter(organisation=organisation).exists()


def test_a_failing_discovery_marks_its_run_failed(organisation, monkeypatch):
    make_signals(organisation)
    monkeypatch.setattr(
        services.engine_themes, "discover", lambda *a, **k: (_ for _ in ()).throw(MemoryError())
    )

    with pytest.raises(MemoryError):
        services.themes_discover(organisation=organisation)

    run = DiscoveryRun.objects.get(organisation=organisation)
    assert run.status == DiscoveryRun.Status.FAILED
    assert "MemoryError" in run.error


def test_discovery_request_runs_the_job_once_committed(
    organisation, analyst, django_capture_on_commit_callbacks
):
    make_signals(organisation)

    with django_capture_on_commit_callbacks(execute=True):
        run = services.discovery_request(organisation=organisation, actor=analyst)

    run.refresh_from_db()
    assert run.status == DiscoveryRun.Status.DONE
    assert run.requested_by == analyst
    assert Theme.objects.filter(organisation=organisation).exists()
    assert AuditEntry.objects.filter(action="themes.discover", actor=analyst).exists()


def test_a_second_request_while_one_waits_returns_the_waiting_run(organisation, analyst):
    first = services.discovery_request(organisation=organisation, actor=analyst)
    second = services.discovery_request(organisation=organisation, actor=analyst)

    assert first == second


def test_discovery_request_for_another_organisation_is_refused(other_organisation, analyst):
    with pytest.raises(PermissionDenied):
        services.discovery_request(organisation=other_organisation, actor=analyst)


# --- assignment ---------------------------------------------------------------------------------


def test_new_signals_are_assigned_and_counted_once(discovered):
    upload = theme_of("Het uploaden")
    new = make_signals(discovered, per_topic=6, topics=("upload",), offset=3)

    assigned = services.themes_assign_new(organisation=discovered)
    again = services.themes_assign_new(organisation=discovered)

    assert (assigned, again) == (6, 0)
    themes = {a.theme for a in ThemeAssignment.objects.filter(feedback__in=new)}
    assert upload in themes
    total = DailyCount.objects.filter(organisation=discovered).aggregate(n=Sum("count"))["n"]
    assert total == 126
    state = ThemeState.objects.get(organisation=discovered)
    assert state.assigned_up_to == max(f.pk for f in new)


def test_incremental_counts_equal_a_full_recount(discovered):
    make_signals(discovered, per_topic=9, offset=7)
    services.themes_assign_new(organisation=discovered)
    incremental = _counts(discovered)

    services.daily_counts_rebuild(organisation=discovered)

    assert _counts(discovered) == incremental
    assert _theme_days(discovered) == _summed(incremental)


def test_a_signal_counts_on_its_amsterdam_day(discovered):
    # 23:30 UTC on a winter day is 00:30 the next day in Amsterdam.
    moment = datetime(2026, 1, 14, 23, 30, tzinfo=ZoneInfo("UTC"))
    feedback_create(
        organisation=discovered,
        item=SignalInput(text=topic_texts("afval")[0], channel="phone", received_at=moment),
    )

    services.themes_assign_new(organisation=discovered)

    row = DailyCount.objects.get(organisation=discovered, day__year=2026, day__month=1)
    assert row.day.day == 15
    services.daily_counts_rebuild(organisation=discovered)
    assert DailyCount.objects.get(organisation=discovered, day__month=1).day.day == 15


def test_a_straggler_committed_after_a_higher_id_is_still_assigned(discovered):
    first, second = make_signals(discovered, per_topic=2, topics=("afval",), offset=11)
    ThemeAssignment.objects.filter(feedback=second).delete()
    services.themes_assign_new(organisation=discovered)
    ThemeAssignment.objects.filter(feedback=first).delete()  # as if it became visible late

    assert services.themes_assign_new(organisation=discovered) == 1
    assert ThemeAssignment.objects.filter(feedback=first).exists()


def test_assignment_without_a_model_discovers_when_there_are_enough_signals(organisation):
    make_signals(organisation, per_topic=5)
    assert services.themes_assign_new(organisation=organisation) == 0

    make_signals(organisation, per_topic=20, offset=5)

    assert services.themes_assign_new(organisation=organisation) == 75
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


# --- routing ------------------------------------------------------------------------------------


def test_routing_is_trained_from_services_and_suggests_for_new_signals(discovered):
    assert services.routing_train(organisation=discovered)
    new = make_signals(discovered, per_topic=3, offset=21, with_service=False)

    services.themes_assign_new(organisation=discovered)

    suggested = {
        f.text[:15]: ThemeAssignment.objects.get(feedback=f).suggested_category for f in new
    }
    assert set(suggested.values()) <= {"portaal", "paspoort", "afval"}
    upload = ThemeAssignment.objects.get(feedback=new[0])
    assert upload.suggested_category == "portaal"
    assert upload.category_confidence is not None
    assert 0 < upload.category_confidence <= 1


def test_routing_needs_two_services(organisation):
    make_signals(organisation, topics=("afval",))

    assert not services.routing_train(organisation=organisation)
    assert ThemeState.objects.get(organisation=organisation).routing_trained_at is None


# --- suggestions --------------------------------------------------------------------------------


def test_suggestions_name_the_matching_theme_first(discovered):
    passport = theme_of("Ik kan geen afspraak")

    found = services.theme_suggestions(organisation=discovered, text="geen afspraak voor paspoort")

    assert found[0][0] == passport
    assert 0 < found[0][1] <= 1
    assert services.theme_suggestions(organisation=discovered, text="   ") == []


def test_suggestions_leave_out_hidden_themes_and_follow_merges(discovered):
    passport = theme_of("Ik kan geen afspraak")
    target = ThemeFactory.create(organisation=discovered, engine_id=500)
    Theme.objects.filter(pk=passport.pk).update(merged_into=target)

    found = [t for t, _ in services.theme_suggestions(organisation=discovered, text="paspoort")]
    assert found[0] == target

    Theme.objects.filter(pk=target.pk).update(hidden=True)
    found = [t for t, _ in services.theme_suggestions(organisation=discovered, text="paspoort")]
    assert target not in found


def test_suggestions_parse_the_model_once_per_discovery(discovered, monkeypatch):
    services.model_cache.clear()
    parsed = []
    original = ThemeModel.from_json

    def counting(text):
        parsed.append(1)
        return original(text)

    monkeypatch.setattr(services.engine_themes.ThemeModel, "from_json", counting)
    for text in ("pas", "paspoort", "paspoort afspraak"):
        services.theme_suggestions(organisation=discovered, text=text)
    assert len(parsed) == 1

    services.themes_discover(organisation=discovered)  # a new model: parsed again
    services.theme_suggestions(organisation=discovered, text="paspoort")
    assert len(parsed) == 3  # once by the discovery (the previous model), once here


def test_suggestions_without_themes_are_empty(organisation):
    assert services.theme_suggestions(organisation=organisation, text="paspoort") == []


# --- alerts -------------------------------------------------------------------------------------


@pytest.fixture
def spiking(organisation):
    """Sixty quiet days of two themes on two channels; one spikes on the phone this week."""
    quiet = ThemeFactory.create(organisation=organisation, label="rustig")
    loud = ThemeFactory.create(organisation=organisation, label="upload")
    for theme in (quiet, loud):
        daily_counts(theme, steady(95, 4), channel="counter")
    daily_counts(quiet, steady(95, 4), channel="phone")
    daily_counts(loud, {**steady(90, 4, start=5), **steady(5, 20)}, channel="phone")
    examples = signals_in(loud, topic_texts("upload")[:3], channel="phone", days_ago=2)
    return quiet, loud, examples


def test_a_spike_is_raised_on_its_channel_with_examples(organisation, spiking):
    quiet, loud, examples = spiking

    new = services.alerts_detect(organisation=organisation)

    alerts = Alert.objects.filter(organisation=organisation)
    assert new == alerts.count() > 0
    assert not alerts.filter(theme=quiet).exists()
    phone = alerts.get(theme=loud, kind=Alert.Kind.SPIKE, channel="phone")
    assert phone.observed > 3 * phone.expected
    assert set(phone.example_ids) == {f.pk for f in examples}
    assert not alerts.filter(channel="counter").exists()


def test_a_rerun_keeps_how_an_alert_was_handled(organisation, spiking, analyst):
    services.alerts_detect(organisation=organisation)
    alert = Alert.objects.filter(organisation=organisation)[0]
    Alert.objects.filter(pk=alert.pk).update(status=Alert.Status.DISMISSED, dismiss_reason="ok")

    assert services.alerts_detect(organisation=organisation) == 0

    alert.refresh_from_db()
    assert (alert.status, alert.dismiss_reason) == (Alert.Status.DISMISSED, "ok")


def test_hidden_themes_raise_no_alerts(organisation, spiking):
    _, loud, _ = spiking
    Theme.objects.filter(pk=loud.pk).update(hidden=True)

    assert services.alerts_detect(organisation=organisation) == 0


def test_a_theme_merged_into_another_is_watched_as_part_of_it(organisation, spiking):
    quiet, loud, _ = spiking
    Theme.objects.filter(pk=loud.pk).update(merged_into=quiet)

    services.alerts_detect(organisation=organisation)

    assert Alert.objects.filter(theme=quiet, channel="phone").exists()
    assert not Alert.objects.filter(theme=loud).exists()


def test_a_new_theme_is_an_alert(organisation):
    steady_theme = ThemeFactory.create(organisation=organisation)
    newcomer = ThemeFactory.create(organisation=organisation)
    daily_counts(steady_theme, steady(100, 5))
    daily_counts(newcomer, steady(10, 3))

    services.alerts_detect(organisation=organisation)

    assert Alert.objects.filter(theme=newcomer, kind=Alert.Kind.NEW_THEME).exists()


# --- events -------------------------------------------------------------------------------------


def test_events_are_created_changed_and_deleted_with_an_audit_trail(organisation, analyst):
    today = timezone.localdate()
    event = services.event_create(
        organisation=organisation,
        actor=analyst,
        kind=Event.Kind.RELEASE,
        title="Nieuw portaal",
        date=today,
    )
    services.event_update(event=event, actor=analyst, title="Portaal 2.0", end_date=today)
    assert Event.objects.get(pk=event.pk).title == "Portaal 2.0"

    pk = event.pk
    services.event_delete(event=event, actor=analyst)

    assert not Event.objects.filter(pk=pk).exists()
    actions = list(
        AuditEntry.objects.filter(object_id=str(pk), object_type="patterns.event")
        .order_by("id")
        .values_list("action", "details")
    )
    assert [a for a, _ in actions] == ["event.create", "event.update", "event.delete"]
    assert actions[1][1] == {"fields": ["end_date", "title"]}


def test_event_input_is_checked(organisation, analyst, other_organisation):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        services.event_create(
            organisation=organisation,
            actor=analyst,
            kind="release",
            title="x",
            date=today,
            end_date=today - timedelta(days=1),
        )
    assert "end_date" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.event_create(
            organisation=organisation, actor=analyst, kind="party", title="x", date=today
        )
    assert "kind" in error.value.message_dict
    event = services.event_create(
        organisation=organisation, actor=analyst, kind="release", title="x", date=today
    )
    with pytest.raises(ValidationError):
        services.event_update(event=event, actor=analyst, organisation=other_organisation)
    with pytest.raises(PermissionDenied):
        services.event_create(
            organisation=other_organisation, actor=analyst, kind="release", title="x", date=today
        )


def test_event_changes_list_the_theme_and_channel_that_moved(organisation, analyst):
    quiet = ThemeFactory.create(organisation=organisation, label="rustig")
    loud = ThemeFactory.create(organisation=organisation, label="upload")
    for theme in (quiet, loud):
        daily_counts(theme, steady(100, 5), channel="counter")
    daily_counts(quiet, steady(100, 5), channel="web_form")
    daily_counts(loud, {**steady(80, 5, start=20), **steady(20, 25)}, channel="web_form")
    event = services.event_create(
        organisation=organisation,
        actor=analyst,
        kind="release",
        title="Portaal",
        date=timezone.localdate() - timedelta(days=19),
    )

    changes = services.event_changes(event=event)

    first = changes[0]
    assert (first.theme, first.direction, first.significant) == (loud, "up", True)
    assert first.channel in (None, "web_form")
    web = next(c for c in changes if c.theme == loud and c.channel == "web_form")
    assert web.ratio > 3
    assert web.low > 1
    counter = next(c for c in changes if c.theme == loud and c.channel == "counter")
    assert not counter.significant
    assert (first.before_days, first.after_days) == (56, 19)  # today is not complete


def test_event_changes_need_data_on_both_sides(organisation, analyst):
    theme = ThemeFactory.create(organisation=organisation)
    daily_counts(theme, steady(30, 5))
    event = services.event_create(
        organisation=organisation,
        actor=analyst,
        kind="release",
        title="Vandaag",
        date=timezone.localdate(),
    )

    assert services.event_changes(event=event) == []


def test_day_bounds_are_amsterdam_midnights():
    day = timezone.localdate()
    start, end = services._day_bounds(day, day)
    assert start == datetime.combine(day, time(), tzinfo=AMSTERDAM)
    assert end - start in (timedelta(hours=23), timedelta(hours=24), timedelta(hours=25))
