# SPDX-License-Identifier: EUPL-1.2
"""The roles of DESIGN.md and what each may do.

A role grants capabilities; views, the API and exports ask for a capability, never for a role,
so a new capability is one line here.
"""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    FRONT_OFFICE = "front_office", _("Front office")
    ANALYST = "analyst", _("Analyst")
    TEAM_MEMBER = "team_member", _("Experiment team member")
    FACILITATOR = "facilitator", _("Facilitator")
    CIO = "cio", _("CIO / board")
    ADMINISTRATOR = "administrator", _("Administrator")


class Capability(StrEnum):
    VIEW_ORGANISATION = "view_organisation"
    LOG_CONTACT = "log_contact"
    VIEW_FEEDBACK = "view_feedback"
    # Signals marked confidential (Klantinteracties "vertrouwelijk"): their texts are shown,
    # listed and exported only to people with this capability; counts include them.
    VIEW_CONFIDENTIAL_FEEDBACK = "view_confidential_feedback"
    EXPORT_FEEDBACK = "export_feedback"
    IMPORT_FEEDBACK = "import_feedback"
    VIEW_CONTACT_DETAILS = "view_contact_details"
    VIEW_ORIGINAL_TEXT = "view_original_text"
    CURATE_THEMES = "curate_themes"
    RUN_EXPERIMENTS = "run_experiments"
    FACILITATE_SESSIONS = "facilitate_sessions"
    VIEW_DASHBOARD = "view_dashboard"
    MANAGE_PEOPLE = "manage_people"
    VIEW_AUDIT_LOG = "view_audit_log"


# What shows personal data or changes who may do what: used only after a second factor in this
# login (TOTP, or MFA at the identity provider) where LEERLUS_REQUIRE_SECOND_FACTOR is on
# (BIO2 5.17; docs/privacy.md, "Second factor"). ``User.can`` applies it, so every page, API
# call, export and guarded selector that asks for one of these does too.
SECOND_FACTOR_CAPABILITIES: frozenset[Capability] = frozenset(
    {
        Capability.VIEW_CONTACT_DETAILS,  # reporters' names, e-mail addresses, phone numbers
        Capability.VIEW_ORIGINAL_TEXT,  # the unredacted text
        Capability.VIEW_CONFIDENTIAL_FEEDBACK,
        Capability.EXPORT_FEEDBACK,  # every signal at once, in a file that leaves Leerlus
        Capability.IMPORT_FEEDBACK,  # raw rows, unredacted, and the download of rejected ones
        Capability.MANAGE_PEOPLE,  # staff's names and roles, and changing roles
        Capability.VIEW_AUDIT_LOG,  # who did what, from which address
    }
)

_EVERY_STAFF_MEMBER = {Capability.VIEW_ORGANISATION, Capability.LOG_CONTACT}

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.FRONT_OFFICE: frozenset(
        _EVERY_STAFF_MEMBER | {Capability.VIEW_FEEDBACK, Capability.VIEW_CONTACT_DETAILS}
    ),
    Role.ANALYST: frozenset(
        _EVERY_STAFF_MEMBER
        | {
            Capability.VIEW_FEEDBACK,
            Capability.EXPORT_FEEDBACK,
            Capability.IMPORT_FEEDBACK,
            Capability.CURATE_THEMES,
        }
    ),
    Role.TEAM_MEMBER: frozenset(
        _EVERY_STAFF_MEMBER | {Capability.VIEW_FEEDBACK, Capability.RUN_EXPERIMENTS}
    ),
    Role.FACILITATOR: frozenset(
        _EVERY_STAFF_MEMBER | {Capability.VIEW_FEEDBACK, Capability.FACILITATE_SESSIONS}
    ),
    Role.CIO: frozenset(
        _EVERY_STAFF_MEMBER
        | {Capability.VIEW_FEEDBACK, Capability.VIEW_DASHBOARD, Capability.VIEW_AUDIT_LOG}
    ),
    Role.ADMINISTRATOR: frozenset(
        _EVERY_STAFF_MEMBER
        | {
            Capability.VIEW_FEEDBACK,
            Capability.EXPORT_FEEDBACK,
            Capability.IMPORT_FEEDBACK,
            Capability.VIEW_CONTACT_DETAILS,
            Capability.VIEW_ORIGINAL_TEXT,
            Capability.VIEW_CONFIDENTIAL_FEEDBACK,
            Capability.MANAGE_PEOPLE,
            Capability.VIEW_AUDIT_LOG,
        }
    ),
}


def capabilities_of(roles: list[str]) -> frozenset[Capability]:
    granted: set[Capability] = set()
    for role in roles:
        granted |= ROLE_CAPABILITIES.get(role, frozenset())
    return frozenset(granted)
