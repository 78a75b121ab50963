# SPDX-License-Identifier: EUPL-1.2
"""The analyst's curation of a theme: each form posts to its own small view, which calls
one function of :mod:`leerlus.patterns.services.curation` and comes back to the theme page,
where an "Undo" button undoes that action. Curating needs CURATE_THEMES.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from leerlus.organisations.models import Organisation, User
from leerlus.organisations.permissions import capability_required, member_of
from leerlus.organisations.roles import Capability

from ..forms.curation import ExampleMoveForm, ThemeMergeForm, ThemeRenameForm, ThemeSplitForm
from ..models import CurationAction, Theme
from ..selectors.curation import curation_action_get, curation_names
from ..selectors.themes import theme_get
from ..services import curation
from .themes import CURATION_DONE, describe, render_theme


def _curated(request: HttpRequest, theme: Theme, do: Callable[[], CurationAction]) -> HttpResponse:
    """Run one curation step; back to the theme page with an "Undo" for it, or the error."""
    try:
        action = do()
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        request.session[CURATION_DONE] = action.pk
    # Back to the top of the page, where the "done" message with its Undo button is.
    return redirect("patterns:theme", pk=theme.pk)


def _curatable_theme(request: HttpRequest, pk: int) -> tuple[User, Organisation, Theme]:
    member = member_of(request)
    theme = theme_get(organisation=member.organisation, pk=pk)
    return member.person, member.organisation, theme


def _curate_with_form(
    request: HttpRequest,
    pk: int,
    key: str,
    make_form: Callable[[Organisation, Theme], Form],
    do: Callable[[Theme, User, dict[str, Any]], CurationAction],
) -> HttpResponse:
    """Validate the curation form ``key``; on errors the theme page again with its error
    summary (400), else the curation step."""
    user, organisation, theme = _curatable_theme(request, pk)
    form = make_form(organisation, theme)
    if not form.is_valid():
        return render_theme(request, theme, bound={key: form}, status=400)
    return _curated(request, theme, lambda: do(theme, user, form.cleaned_data))


@capability_required(Capability.CURATE_THEMES)
@require_POST
def theme_rename_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _curate_with_form(
        request,
        pk,
        "rename_form",
        lambda _organisation, _theme: ThemeRenameForm(request.POST),
        lambda theme, user, data: curation.theme_rename(theme=theme, name=data["name"], actor=user),
    )


@capability_required(Capability.CURATE_THEMES)
@require_POST
def theme_merge_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _curate_with_form(
        request,
        pk,
        "merge_form",
        lambda organisation, theme: ThemeMergeForm(
            request.POST, organisation=organisation, theme=theme
        ),
        lambda theme, user, data: curation.themes_merge(
            target=theme, others=list(data["others"]), actor=user
        ),
    )


@capability_required(Capability.CURATE_THEMES)
@require_POST
def theme_split_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _curate_with_form(
        request,
        pk,
        "split_form",
        lambda _organisation, _theme: ThemeSplitForm(request.POST),
        lambda theme, user, data: curation.theme_split(
            theme=theme, parts=data["parts"], actor=user
        ),
    )


_TOGGLES: dict[str, Callable[..., CurationAction]] = {
    "pin": curation.theme_pin,
    "unpin": curation.theme_unpin,
    "hide": curation.theme_hide,
    "show": curation.theme_show,
}


@capability_required(Capability.CURATE_THEMES)
@require_POST
def theme_toggle_view(request: HttpRequest, pk: int, operation: str) -> HttpResponse:
    """Pin, unpin, hide or show (``operation`` comes from the URL pattern, not the user)."""
    user, _organisation, theme = _curatable_theme(request, pk)
    toggle = _TOGGLES[operation]
    return _curated(request, theme, lambda: toggle(theme=theme, actor=user))


@capability_required(Capability.CURATE_THEMES)
@require_POST
def example_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, organisation, theme = _curatable_theme(request, pk)
    form = ExampleMoveForm(request.POST, organisation=organisation, viewer=user)
    if not form.is_valid():
        messages.error(request, _("Choose the theme to move the signal to."))
        return redirect("patterns:theme", pk=theme.pk)
    signal, target = form.cleaned_data["feedback"], form.cleaned_data["theme"]
    return _curated(
        request, theme, lambda: curation.example_move(feedback=signal, theme=target, actor=user)
    )


@capability_required(Capability.CURATE_THEMES)
@require_POST
def curation_undo_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = member_of(request)
    action = curation_action_get(organisation=member.organisation, pk=pk)
    try:
        curation.curation_undo(action=action, actor=member.person)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        names = curation_names(organisation=member.organisation, actions=[action])
        messages.success(request, _("Undone: %(action)s.") % {"action": describe(action, names)})
    return redirect("patterns:theme", pk=action.theme_id)
