# SPDX-License-Identifier: EUPL-1.2
"""Discovery with the real engine on a small corpus (see :mod:`.signals`), and asking for one."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Sum

from leerlus.engine.themes import ThemeModel
from leerlus.feedback.models import Feedback
from leerlus.organisations.models import AuditEntry
from leerlus.patterns.models import DailyCount, DiscoveryRun, Theme, ThemeAssignment, ThemeState
from leerlus.patterns.services import discovery
from leerlus.patterns.services.curation import discovery_request
from leerlus.patterns.tests.factories import ThemeFactory
from leerlus.patterns.tests.signals import discover, make_signals, theme_of

pytestmark = pytest.mark.django_db


def test_discovery_stores_themes_assignments_counts_and_the_run(organisation):
    make_signals(organisation)
    seen: list[int] = []

    run = discover(organisation, progress=lambda _message, percent: seen.append(percent))

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

    discover(discovered)

    after = dict(Theme.objects.filter(organisation=discovered).values_list("pk", "engine_id"))
    assert {pk: after[pk] for pk in before} == before
    assert theme_of("Het uploaden") == upload
    gone.refresh_from_db()
    assert gone.retired


def test_discovery_with_too_few_signals_finds_nothing_and_says_so(organisation):
    make_signals(organisation, per_topic=5)

    run = discover(organisation)

    assert run.status == DiscoveryRun.Status.DONE
    assert "too few" in run.progress
    assert not Theme.objects.filter(organisation=organisation).exists()


def test_a_failing_discovery_marks_its_run_failed(organisation, monkeypatch):
    make_signals(organisation)
    monkeypatch.setattr(
        discovery.engine_themes, "discover", lambda *a, **k: (_ for _ in ()).throw(MemoryError())
    )

    with pytest.raises(MemoryError):
        discover(organisation)

    run = DiscoveryRun.objects.get(organisation=organisation)
    assert run.status == DiscoveryRun.Status.FAILED
    assert "MemoryError" in run.error


def test_discovery_request_runs_the_job_once_committed(
    organisation, analyst, django_capture_on_commit_callbacks
):
    make_signals(organisation)

    with django_capture_on_commit_callbacks(execute=True):
        run = discovery_request(organisation=organisation, actor=analyst)

    run.refresh_from_db()
    assert run.status == DiscoveryRun.Status.DONE
    assert run.requested_by == analyst
    assert Theme.objects.filter(organisation=organisation).exists()
    assert AuditEntry.objects.filter(action="themes.discover", actor=analyst).exists()


def test_a_second_request_while_one_waits_returns_the_waiting_run(organisation, analyst):
    first = discovery_request(organisation=organisation, actor=analyst)
    second = discovery_request(organisation=organisation, actor=analyst)

    assert first == second


def test_discovery_request_for_another_organisation_is_refused(other_organisation, analyst):
    with pytest.raises(PermissionDenied):
        discovery_request(organisation=other_organisation, actor=analyst)
