# SPDX-License-Identifier: EUPL-1.2
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from leerlus.core.forms import AccessibleFormMixin


class LoginForm(AccessibleFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "That username and password do not match. Both fields are case-sensitive."
        ),
        "inactive": _("This account has been switched off. Ask your administrator."),
    }


class TokenForm(AccessibleFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"}
        ),
    )

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError(_("The code has six digits and nothing else."))
        return code
