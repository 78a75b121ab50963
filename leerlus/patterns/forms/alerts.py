# SPDX-License-Identifier: EUPL-1.2
"""Forms of an alert: dismiss it with a reason, assign it to a colleague."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from leerlus.core.forms import AccessibleFormMixin
from leerlus.organisations.models import Organisation, User


class PersonChoiceField(forms.ModelChoiceField[User]):
    """A person by their full name."""

    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.get_username()


class DismissAlertForm(AccessibleFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for dismissing"),
        help_text=_("Why is this not a pattern to act on? Colleagues see the reason."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for dismissing this alert.")},
    )


class AssignAlertForm(AccessibleFormMixin, forms.Form):
    assigned_to = PersonChoiceField(
        label=_("Assign to"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody"),
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = self.fields["assigned_to"]
        assert isinstance(people, forms.ModelChoiceField)
        people.queryset = User.objects.filter(organisation=organisation, is_active=True).order_by(
            "first_name", "last_name", "username"
        )
