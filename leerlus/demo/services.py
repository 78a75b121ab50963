# SPDX-License-Identifier: EUPL-1.2
"""The demo organisation "Gemeente Voorbeeldstad": loaded only where LEERLUS_DEMO is on."""

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from leerlus.feedback.services import SignalInput, feedback_ingest
from leerlus.organisations import services as organisations
from leerlus.organisations.models import Department, Organisation, Service, User
from leerlus.organisations.roles import Role
from leerlus.patterns.selectors.curation import engine_curation
from leerlus.patterns.services.alerts import alerts_detect
from leerlus.patterns.services.discovery import themes_discover
from leerlus.patterns.services.events import event_create
from leerlus.patterns.services.routing import routing_train
from leerlus.patterns.services.themes import themes_assign_new

from .feedback_generator import DEPARTMENTS, SERVICES, DemoSignal, demo_events, generate_feedback

DEMO_SLUG = "voorbeeldstad"
DEMO_NAME = "Gemeente Voorbeeldstad"
# Printed by `make run` and in the README; these accounts exist only in demo installations.
DEMO_PASSWORD = "voorbeeldstad-demo"  # noqa: S105
DEMO_DAYS = 730
# Signals a day over all channels (before the built-in events): a mid-sized municipality's
# contacts that carry feedback. Enough for the engine to show the built-in patterns per theme
# and channel, not only per theme; the demo's volume is what the pattern screens must handle.
DEMO_SIGNALS_PER_DAY = 60.0
DEMO_SOURCE = "demo"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    first_name: str
    last_name: str
    department: str


DEMO_ACCOUNTS = [
    DemoAccount("kcc", Role.FRONT_OFFICE, "Karin", "de Boer", "kcc"),
    DemoAccount("analist", Role.ANALYST, "Ahmed", "Yilmaz", "informatievoorziening"),
    DemoAccount("teamlid", Role.TEAM_MEMBER, "Tessa", "Jansen", "publiekszaken"),
    DemoAccount("facilitator", Role.FACILITATOR, "Floor", "Visser", "sociaal-domein"),
    DemoAccount("cio", Role.CIO, "Carlos", "Mulder", "informatievoorziening"),
    DemoAccount("beheerder", Role.ADMINISTRATOR, "Bram", "Smit", "informatievoorziening"),
]


@dataclass(frozen=True)
class DemoResult:
    organisation: Organisation
    created: bool
    signals: int = 0


def demo_start(today: date, days: int = DEMO_DAYS) -> date:
    """History ending today, starting on a Monday (weekday patterns line up)."""
    start = today - timedelta(days=days - 1)
    return start - timedelta(days=start.weekday())


def _demo_signals(
    organisation: Organisation, start: date, days: int, until: datetime
) -> Iterator[SignalInput]:
    services = {s.slug: s for s in Service.objects.filter(organisation=organisation)}
    departments = {d.slug: d for d in Department.objects.filter(organisation=organisation)}
    signal: DemoSignal
    for signal in generate_feedback(start=start, days=days + 7, mean_per_day=DEMO_SIGNALS_PER_DAY):
        if signal.received_at > until:
            return
        yield SignalInput(
            text=signal.text,
            channel=signal.channel,
            received_at=signal.received_at,
            service=services.get(signal.service),
            department=departments.get(signal.department),
            reporter_kind=signal.reporter_kind,
            rating=signal.rating,
            confidential=_is_confidential(signal),
            external_id=signal.external_id,
            source=DEMO_SOURCE,
        )


def _is_confidential(signal: DemoSignal) -> bool:
    """About one phone or counter contact in 40 is marked confidential, as a KCC does with
    contacts about someone's personal circumstances: only administrators read their texts."""
    personal_channel = signal.channel in ("phone", "counter")
    return personal_channel and zlib.crc32(signal.external_id.encode()) % 40 == 0


def demo_load(
    *, days: int = DEMO_DAYS, analyse: bool = True, today: date | None = None
) -> DemoResult:
    """Creates the demo organisation once; a second call changes nothing.

    ``days`` of signal history end ``today`` (default: the real today; tests use a few
    weeks instead of two years, and a fixed day where the result must not depend on the
    calendar). With ``analyse`` the themes, routing and alerts are computed at once (not
    left to the worker), so the first page after ``make run`` already shows them.
    """
    today = today or timezone.localdate()
    if today > timezone.localdate():
        raise ValueError("the demo history cannot end in the future")
    result = _demo_create(days=days, today=today)
    if result.created and analyse:
        demo_analyse(organisation=result.organisation, today=today)
    return result


def demo_analyse(*, organisation: Organisation, today: date | None = None) -> None:
    """Themes, routing, assignment and alerts of the demo, synchronously. The engine runs
    outside the creating transaction, so SQLite is not locked for its duration."""
    themes_discover(organisation=organisation, curation=engine_curation(organisation=organisation))
    routing_train(organisation=organisation)
    themes_assign_new(organisation=organisation)
    alerts_detect(organisation=organisation, today=today)


@transaction.atomic
def _demo_create(*, days: int, today: date) -> DemoResult:
    if not settings.LEERLUS_DEMO:
        raise ImproperlyConfigured(
            "The demo organisation can only be loaded where LEERLUS_DEMO is on, "
            "never in production."
        )
    existing = Organisation.objects.filter(slug=DEMO_SLUG).first()
    if existing is not None:
        return DemoResult(existing, created=False)
    organisation = organisations.organisation_create(name=DEMO_NAME, slug=DEMO_SLUG)
    departments = {
        slug: organisations.department_create(organisation=organisation, name=name, slug=slug)
        for slug, name in DEPARTMENTS
    }
    for slug, name, department in SERVICES:
        organisations.service_create(
            organisation=organisation, name=name, slug=slug, department=departments[department]
        )
    for account in DEMO_ACCOUNTS:
        organisations.person_create(
            organisation=organisation,
            username=account.username,
            password=DEMO_PASSWORD,
            first_name=account.first_name,
            last_name=account.last_name,
            email=f"{account.username}@voorbeeldstad.example",
            department=departments[account.department],
            roles=[account.role],
        )
    start = demo_start(today, days)
    end_of_today = datetime.combine(today + timedelta(days=1), time(), tzinfo=AMSTERDAM)
    until = min(timezone.now(), end_of_today - timedelta(microseconds=1))
    ingested = feedback_ingest(
        organisation=organisation, items=_demo_signals(organisation, start, days, until)
    )
    _demo_events_create(organisation, start, days, today)
    return DemoResult(organisation, created=True, signals=ingested.imported)


def _demo_events_create(organisation: Organisation, start: date, days: int, today: date) -> None:
    """The releases, campaigns and pilots the generator built into the signals, in the
    events register (Dutch titles: the demo is a Dutch municipality)."""
    for event in demo_events(start, days=days + 7):
        if event.occurred_on <= today:
            event_create(
                organisation=organisation,
                actor=None,
                kind=event.kind,
                title=event.title_nl,
                date=event.occurred_on,
                description=event.description_nl,
            )


def demo_accounts_text() -> str:
    lines = [f"  {a.username:<12} {a.role.label}" for a in DEMO_ACCOUNTS]
    return "\n".join([*lines, f"  password for all: {DEMO_PASSWORD}"])


def demo_users() -> list[User]:
    return list(User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS]))
