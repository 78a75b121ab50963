# SPDX-License-Identifier: EUPL-1.2
"""What the patterns endpoints share: who may read and who may change, the query filters
checked as the pages check them, and a service's refusal in the API's field names."""

from __future__ import annotations

from typing import Any, Final

import django_filters  # type: ignore[import-untyped]  # django-filter ships no stubs
from django.core.exceptions import ValidationError as DjangoValidationError
from django_filters.utils import translate_validation  # type: ignore[import-untyped]  # no stubs
from rest_framework.exceptions import ValidationError
from rest_framework.views import APIView

from leerlus.organisations.permissions import has_capability
from leerlus.organisations.roles import Capability

CAMEL: Final = {"end_date": "endDate", "dismiss_reason": "reason", "assigned_to": "assignedTo"}


def filters_checked(filterset: django_filters.FilterSet) -> None:
    """Every invalid query parameter at once, as a 400 problem naming each one."""
    if not filterset.is_valid():
        raise translate_validation(filterset.errors)


def service_errors(error: DjangoValidationError) -> ValidationError:
    """A service's validation error, with its field names as the API spells them."""
    if hasattr(error, "error_dict"):
        return ValidationError(
            {
                CAMEL.get(name, name): [str(m) for m in messages]
                for name, messages in error.message_dict.items()
            }
        )
    return ValidationError({"nonFieldErrors": error.messages})


# Reading needs ``view_feedback``; any change needs ``curate_themes``. (A comment, not a
# docstring: the schema would show a base class's docstring on every operation.)
class ViewOrCurate(APIView):
    def get_permissions(self) -> Any:
        if self.request.method in ("GET", "HEAD", "OPTIONS"):
            return [has_capability(Capability.VIEW_FEEDBACK)()]
        return [has_capability(Capability.CURATE_THEMES)()]
