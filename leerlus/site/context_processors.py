# SPDX-License-Identifier: EUPL-1.2
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from leerlus.organisations.models import User
from leerlus.organisations.roles import Capability

# (url name, label, capability needed): the navigation grows with each capability.
_NAVIGATION: list[tuple[str, Promise, Capability | None]] = [
    ("feedback:quick_entry", _("Log a contact"), Capability.LOG_CONTACT),
    ("feedback:list", _("Signals"), Capability.VIEW_FEEDBACK),
    ("patterns:themes", _("Themes"), Capability.VIEW_FEEDBACK),
    ("patterns:alerts", _("Alerts"), Capability.VIEW_FEEDBACK),
    ("patterns:events", _("Events"), Capability.VIEW_FEEDBACK),
    ("patterns:report", _("Pattern report"), Capability.VIEW_FEEDBACK),
    ("organisations:detail", _("Organisation"), Capability.VIEW_ORGANISATION),
    ("organisations:people", _("People and roles"), Capability.MANAGE_PEOPLE),
    ("organisations:audit", _("Audit log"), Capability.VIEW_AUDIT_LOG),
]


def leerlus(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {"current_organisation": None, "navigation": []}
    current = request.resolver_match.view_name if request.resolver_match else ""
    navigation = [
        {"url": reverse(name), "label": label, "current": name == current}
        for name, label, capability in _NAVIGATION
        # What the roles grant, second factor or not: the page itself asks for it on the way.
        if capability is None or user.holds(capability)
    ]
    return {"current_organisation": user.organisation, "navigation": navigation}
