# SPDX-License-Identifier: EUPL-1.2
"""What the patterns endpoints share: who may read and who may change, and a service's
refusal in the API's field names."""

from __future__ import annotations

from typing import Any, Final

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError
from rest_framework.views import APIView

from leerlus.organisations.permissions import has_capability
from leerlus.organisations.roles import Capability

CAMEL: Final = {"end_date": "endDate", "dismiss_reason": "reason", "assigned_to": "assignedTo"}


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
