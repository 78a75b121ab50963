"""Forms of the alerts inbox, the events register and the monthly report."""

from datetime import date
from typing import Any

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from leerlus.core.forms import AccessibleFormMixin
from leerlus.feedback.models import Channel
from leerlus.organisations.models import Organisation, Service, User

from .models import Alert, Event, Theme
from .report import parse_month

ALL_STATUSES = "all"


class _NamedChoiceField(forms.ModelChoiceField[Any]):
    """Shows a theme by its title, a service by its name, a person by their full name."""

    def label_from_instance(self, obj: Any) -> str:
        if isinstance(obj, User):
            return obj.get_full_name() or obj.get_username()
        if isinstance(obj, Theme):
            return obj.title
        return str(obj)


class AlertFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[*Alert.Status.choices, (ALL_STATUSES, _("All statuses"))],
        required=False,
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *Alert.Kind.choices], required=False
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("All channels")), *Channel.choices], required=False
    )
    theme = _NamedChoiceField(
        label=_("Theme"), queryset=Theme.objects.none(), required=False, empty_label=_("All themes")
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        theme = self.fields["theme"]
        assert isinstance(theme, forms.ModelChoiceField)
        theme.queryset = Theme.objects.filter(
            organisation=organisation, alerts__isnull=False
        ).distinct()


class DismissAlertForm(AccessibleFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for dismissing"),
        help_text=_("Why is this not a pattern to act on? Colleagues see the reason."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for dismissing this alert.")},
    )


class AssignAlertForm(AccessibleFormMixin, forms.Form):
    assigned_to = _NamedChoiceField(
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


class EventFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *Event.Kind.choices], required=False
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class EventForm(AccessibleFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Event.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    date = forms.DateField(
        label=_("Date"),
        help_text=_("The day it happened or went live."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end_date = forms.DateField(
        label=_("End date"),
        help_text=_("For something that lasted, such as a campaign."),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    service = _NamedChoiceField(
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
