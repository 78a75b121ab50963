"""The demo organisation "Gemeente Voorbeeldstad": loaded only where LEERLUS_DEMO is on."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from leerlus.organisations import services as organisations
from leerlus.organisations.models import Organisation, User
from leerlus.organisations.roles import Role

from .feedback_generator import DEPARTMENTS, SERVICES

DEMO_SLUG = "voorbeeldstad"
DEMO_NAME = "Gemeente Voorbeeldstad"
# Printed by `make run` and in the README; these accounts exist only in demo installations.
DEMO_PASSWORD = "voorbeeldstad-demo"  # noqa: S105


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


@transaction.atomic
def demo_load() -> DemoResult:
    """Creates the demo organisation once; a second call changes nothing."""
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
    return DemoResult(organisation, created=True)


def demo_accounts_text() -> str:
    lines = [f"  {a.username:<12} {a.role.label}" for a in DEMO_ACCOUNTS]
    return "\n".join([*lines, f"  password for all: {DEMO_PASSWORD}"])


def demo_users() -> list[User]:
    return list(User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS]))
