# SPDX-License-Identifier: EUPL-1.2
"""Forms of the analyst's curation of a theme: rename, merge, split, move an example."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from leerlus.core.forms import AccessibleFormMixin
from leerlus.core.widgets import CheckboxList
from leerlus.feedback.models import Feedback
from leerlus.feedback.selectors import feedback_of
from leerlus.organisations.models import Organisation, User

from ..models import Theme

PARTS_CHOICES = [
    (0, _("Let Leerlus decide")),
    (2, _("2 themes")),
    (3, _("3 themes")),
    (4, _("4 themes")),
    (5, _("5 themes")),
]


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
    """Move one signal to another theme; the signal must be one the person may see."""

    feedback = forms.ModelChoiceField(queryset=Feedback.objects.none(), widget=forms.HiddenInput)
    theme = ThemeChoiceField(label=_("Move to"), queryset=Theme.objects.none())

    def __init__(self, *args: Any, organisation: Organisation, viewer: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        signal = self.fields["feedback"]
        assert isinstance(signal, forms.ModelChoiceField)
        signal.queryset = feedback_of(organisation=organisation, viewer=viewer)
        theme = self.fields["theme"]
        assert isinstance(theme, ThemeChoiceField)
        theme.queryset = _curatable(organisation)
