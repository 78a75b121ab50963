# SPDX-License-Identifier: EUPL-1.2
"""The monthly report's choice of month."""

from datetime import date
from typing import Any

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from ..selectors.report import parse_month


class ReportMonthForm(forms.Form):
    month = forms.ChoiceField(label=_("Month"))

    def __init__(self, *args: Any, months: list[date], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        month = self.fields["month"]
        assert isinstance(month, forms.ChoiceField)
        month.choices = [
            (m.strftime("%Y-%m"), formats.date_format(m, "YEAR_MONTH_FORMAT")) for m in months
        ]
        month.error_messages["invalid_choice"] = _(
            "Choose a month from the list (there is no data for that month)."
        )

    def clean_month(self) -> date:
        value = parse_month(self.cleaned_data["month"])
        if value is None:
            raise forms.ValidationError(_("Give the month as year and month, e.g. 2026-03."))
        return value
