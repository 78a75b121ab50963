"""The demo organisation "Gemeente Voorbeeldstad": loaded only where LEERLUS_DEMO is on."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from leerlus.feedback.services import SignalInput, feedback_ingest
from leerlus.organisations import services as organisations
from leerlus.organisations.models import Department, Organisation, Service, User
from leerlus.organisations.roles import Role

from .feedback_generator import DEPARTMENTS, SERVICES, DemoSignal, generate_feedback

DEMO_SLUG = "voorbeeldstad"
DEMO_NAME = "Gemeente Voorbeeldstad"
# Printed by `make run` and in the README; these accounts exist only in demo installations.
DEMO_PASSWORD = "voorbeeldstad-demo"  # noqa: S105
DEMO_DAYS = 730
DEMO_SOURCE = "demo"


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


def _demo_signals(organisation: Organisation, start: date, days: int) -> Iterator[SignalInput]:
    services = {s.slug: s for s in Service.objects.filter(organisation=organisation)}
    departments = {d.slug: d for d in Department.objects.filter(organisation=organisation)}
    now = timezone.now()
    signal: DemoSignal
    for signal in generate_feedback(start=start, days=days + 7):
        if signal.received_at > now:
            return
        yield SignalInput(
            text=signal.text,
            channel=signal.channel,
            received_at=signal.received_at,
            service=services.get(signal.service),
            department=departments.get(signal.department),
            reporter_kind=signal.reporter_kind,
            rating=signal.rating,
            external_id=signal.external_id,
            source=DEMO_SOURCE,
        )


@transaction.atomic
def demo_load(*, days: int = DEMO_DAYS) -> DemoResult:
    """Creates the demo organisation once; a second call changes nothing.

    ``days`` of signal history end today (tests use a few weeks instead of two years).
    """
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
    ingested = feedback_ingest(
        organisation=organisation,
        items=_demo_signals(organisation, demo_start(timezone.localdate(), days), days),
    )
    return DemoResult(organisation, created=True, signals=ingested.imported)


def demo_accounts_text() -> str:
    lines = [f"  {a.username:<12} {a.role.label}" for a in DEMO_ACCOUNTS]
    return "\n".join([*lines, f"  password for all: {DEMO_PASSWORD}"])


def demo_users() -> list[User]:
    return list(User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS]))
