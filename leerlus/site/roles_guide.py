# SPDX-License-Identifier: EUPL-1.2
"""What each role does in the learning loop and where to go next (the role-aware home page)."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from leerlus.organisations.models import User
from leerlus.organisations.roles import Role


@dataclass(frozen=True)
class Link:
    label: Promise
    url_name: str

    @property
    def url(self) -> str:
        return reverse(self.url_name)


@dataclass(frozen=True)
class RoleGuide:
    role: Role
    summary: Promise
    links: tuple[Link, ...] = ()


_QUICK_ENTRY = Link(_("Log a phone or counter contact"), "feedback:quick_entry")
_SIGNALS = Link(_("Browse and search all signals"), "feedback:list")
_ORGANISATION = Link(_("See your organisation's departments and services"), "organisations:detail")
_SECURITY = Link(_("Switch on two-step login"), "accounts:security")

GUIDES: dict[str, RoleGuide] = {
    guide.role: guide
    for guide in [
        RoleGuide(
            Role.FRONT_OFFICE,
            _(
                "You log phone and counter contacts in a few seconds, so every signal lands "
                "in one place and counts towards the patterns."
            ),
            (_QUICK_ENTRY, _SIGNALS),
        ),
        RoleGuide(
            Role.ANALYST,
            _(
                "You curate the themes the engine finds, read trends and alerts across "
                "channels, and prepare the monthly pattern report."
            ),
            (
                _SIGNALS,
                Link(_("Import signals from a spreadsheet or mailbox"), "imports:start"),
                Link(_("Read the API documentation"), "api:docs"),
            ),
        ),
        RoleGuide(
            Role.TEAM_MEMBER,
            _(
                "You propose and run small experiments on real problems, with a hypothesis, "
                "a timebox and a learning log."
            ),
            (_SIGNALS, _ORGANISATION),
        ),
        RoleGuide(
            Role.FACILITATOR,
            _(
                "You schedule and run retrospectives, citizen conversations and governance "
                "checks, and bring their outcome back into the loop."
            ),
            (_SIGNALS, _ORGANISATION),
        ),
        RoleGuide(
            Role.CIO,
            _(
                "You watch the balance of people, process and technology, the experiment "
                "budget and the learning pace, and check whether governance still fits."
            ),
            (_SIGNALS, Link(_("Review the audit log"), "organisations:audit")),
        ),
        RoleGuide(
            Role.ADMINISTRATOR,
            _(
                "You manage departments, people, roles and retention, and review who has "
                "access to what."
            ),
            (
                Link(_("Review people and roles"), "organisations:people"),
                Link(_("Review the audit log"), "organisations:audit"),
                Link(_("Open the administration"), "admin:index"),
            ),
        ),
    ]
}


def next_steps_for(user: User) -> list[RoleGuide]:
    return [GUIDES[role] for role in user.role_names if role in GUIDES]
