# SPDX-License-Identifier: EUPL-1.2
"""The form that records or changes an event."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from leerlus.core.filters import IsoDateField
from leerlus.core.forms import AccessibleFormMixin
from leerlus.organisations.models import Organisation, Service

from ..models import Event


class EventForm(AccessibleFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Event.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    date = IsoDateField(label=_("Date"), help_text=_("The day it happened or went live."))
    end_date = IsoDateField(
        label=_("End date"),
        help_text=_("For something that lasted, such as a campaign."),
        required=False,
    )
    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=_("Not specific"),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        service = self.fields["service"]
        assert isinstance(service, forms.ModelChoiceField)
        service.queryset = Service.objects.filter(organisation=organisation)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the date."))
        return data

    @staticmethod
    def initial_of(event: Event) -> dict[str, Any]:
        return {
            "kind": event.kind,
            "title": event.title,
            "date": event.date,
            "end_date": event.end_date,
            "service": event.service_id,
            "description": event.description,
        }
