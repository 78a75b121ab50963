"""Forms of the theme pages: the overview's filters and the analyst's curation."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from leerlus.core.forms import AccessibleFormMixin
from leerlus.core.widgets import CheckboxList
from leerlus.feedback.models import Channel, Feedback
from leerlus.organisations.models import Department, Organisation, Service

from . import selectors
from .models import Theme

PERIOD_CHOICES = [
    (7, _("Last 7 days")),
    (28, _("Last 4 weeks")),
    (91, _("Last 3 months")),
    (365, _("Last 12 months")),
]
SORT_CHOICES = [
    ("volume", _("Most signals")),
    ("change", _("Largest change")),
    ("name", _("Name")),
    ("newest", _("Newest theme")),
]
PARTS_CHOICES = [
    (0, _("Let Leerlus decide")),
    (2, _("2 themes")),
    (3, _("3 themes")),
    (4, _("4 themes")),
    (5, _("5 themes")),
]


class ThemeScopeForm(AccessibleFormMixin, forms.Form):
    """Which signals a theme page counts: the period, channel, service and department."""

    period = forms.TypedChoiceField(
        label=_("Period"), choices=PERIOD_CHOICES, coerce=int, required=False
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("All channels")), *Channel.choices], required=False
    )
    service = forms.ChoiceField(label=_("Service"), required=False)
    department = forms.ChoiceField(label=_("Department"), required=False)

    def __init__(
        self,
        *args: Any,
        organisation: Organisation,
        default_days: int = selectors.DEFAULT_PERIOD_DAYS,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.default_days = default_days
        self.fields["period"].initial = default_days
        self._choices(
            "service",
            _("All services"),
            Service.objects.filter(organisation=organisation).values_list("slug", "name"),
        )
        self._choices(
            "department",
            _("All departments"),
            Department.objects.filter(organisation=organisation).values_list("slug", "name"),
        )

    def _choices(self, name: str, everything: StrOrPromise, options: Any) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", everything), *options]

    def to_filter(self) -> selectors.ThemeFilter:
        """The chosen filters; the defaults where the form was not sent or is invalid."""
        if not self.is_bound or not self.is_valid():
            return selectors.ThemeFilter(days=self.default_days)
        data = self.cleaned_data
        return selectors.ThemeFilter(
            days=data.get("period") or self.default_days,
            channel=data.get("channel") or "",
            service=data.get("service") or "",
            department=data.get("department") or "",
            search=data.get("q") or "",
            include_hidden=bool(data.get("hidden")),
        )


class ThemeFilterForm(ThemeScopeForm):
    """The overview's filters, search and sort order."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Words in the theme's name or key terms."),
    )
    sort = forms.ChoiceField(label=_("Sort"), choices=SORT_CHOICES, required=False)
    hidden = forms.BooleanField(label=_("Also show hidden and retired themes"), required=False)

    field_order = ["q", "period", "channel", "service", "department", "sort", "hidden"]

    def sort_order(self) -> str:
        if self.is_bound and self.is_valid():
            return self.cleaned_data.get("sort") or "volume"
        return "volume"


class ThemeChoiceField(forms.ModelChoiceField[Theme]):
    def label_from_instance(self, obj: Theme) -> str:
        return obj.title


class ThemeMultipleChoiceField(forms.ModelMultipleChoiceField[Theme]):
    def label_from_instance(self, obj: Theme) -> str:
        return obj.title


def _curatable(organisation: Organisation, theme: Theme | None = None) -> Any:
    themes = Theme.objects.filter(
        organisation=organisation, merged_into__isnull=True, retired=False
    ).order_by("name", "label")
    return themes.exclude(pk=theme.pk) if theme is not None else themes


class ThemeRenameForm(AccessibleFormMixin, forms.Form):
    name = forms.CharField(
        label=_("New name"),
        max_length=200,
        help_text=_("Shown instead of the generated label; kept when the engine runs again."),
    )


class ThemeMergeForm(AccessibleFormMixin, forms.Form):
    others = ThemeMultipleChoiceField(
        label=_("Themes to merge into this one"),
        queryset=Theme.objects.none(),
        widget=CheckboxList,
    )

    def __init__(self, *args: Any, organisation: Organisation, theme: Theme, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["others"]
        assert isinstance(field, ThemeMultipleChoiceField)
        field.queryset = _curatable(organisation, theme)


class ThemeSplitForm(AccessibleFormMixin, forms.Form):
    parts = forms.TypedChoiceField(
        label=_("Split into"),
        choices=PARTS_CHOICES,
        coerce=int,
        initial=0,
        help_text=_("The engine divides the signals when it next finds themes."),
    )


class ExampleMoveForm(forms.Form):
    """Move one signal to another theme; the signal must be one of the organisation's."""

    feedback = forms.ModelChoiceField(queryset=Feedback.objects.none(), widget=forms.HiddenInput)
    theme = ThemeChoiceField(label=_("Move to"), queryset=Theme.objects.none())

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any):
        super().__init__(*args, **kwargs)
        signal = self.fields["feedback"]
        assert isinstance(signal, forms.ModelChoiceField)
        signal.queryset = Feedback.objects.filter(organisation=organisation)
        theme = self.fields["theme"]
        assert isinstance(theme, ThemeChoiceField)
        theme.queryset = _curatable(organisation)
