"""Themes overview, theme detail and the analyst's curation of themes.

Reading needs VIEW_FEEDBACK, curating CURATE_THEMES; every theme is looked up within the
user's own organisation (another organisation's theme is a 404). Each curation form posts to
its own small view, which calls one function of :mod:`leerlus.patterns.curation` and comes
back to the theme page, where an "Undo" button undoes that action.
"""

import math
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from leerlus.feedback.models import Channel
from leerlus.organisations.models import Organisation, User
from leerlus.organisations.permissions import capability_required, staff_user
from leerlus.organisations.roles import Capability

from . import curation, selectors, services
from .forms import (
    ExampleMoveForm,
    ThemeFilterForm,
    ThemeMergeForm,
    ThemeRenameForm,
    ThemeScopeForm,
    ThemeSplitForm,
)
from .models import CurationAction, DiscoveryRun, Theme

THEMES_PER_PAGE = 25
DETAIL_PERIOD_DAYS = 91
SUGGESTION_MIN_LENGTH = 3
EVENT_CHANGES_SHOWN = 6
_DONE = "leerlus_theme_curation_done"


def _member(request: HttpRequest) -> tuple[User, Organisation]:
    user = staff_user(request)
    assert user.organisation is not None
    return user, user.organisation


# ---- Overview and discovery -------------------------------------------------------------


def _discovery_context(run: DiscoveryRun | None) -> dict[str, Any]:
    running = run is not None and run.status in (
        DiscoveryRun.Status.QUEUED,
        DiscoveryRun.Status.RUNNING,
    )
    return {"run": run, "running": running}


@capability_required(Capability.VIEW_FEEDBACK)
@require_GET
def themes_view(request: HttpRequest) -> HttpResponse:
    user, organisation = _member(request)
    form = ThemeFilterForm(request.GET or None, organisation=organisation)
    overview = selectors.themes_overview(
        organisation=organisation, filters=form.to_filter(), sort=form.sort_order()
    )
    page = Paginator(overview.rows, THEMES_PER_PAGE).get_page(request.GET.get("page"))
    selectors.themes_overview_details(
        organisation=organisation, overview=overview, rows=list(page.object_list)
    )
    return render(
        request,
        "patterns/themes_overview.html",
        {
            "form": form,
            "overview": overview,
            "page": page,
            "any_themes": bool(overview.rows) or selectors.themes_exist(organisation=organisation),
            "can_curate": user.can(Capability.CURATE_THEMES),
            **_discovery_context(selectors.discovery_latest(organisation=organisation)),
        },
    )


@capability_required(Capability.CURATE_THEMES)
@require_POST
def discovery_start_view(request: HttpRequest) -> HttpResponse:
    user, organisation = _member(request)
    services.discovery_request(organisation=organisation, actor=user)
    return redirect("patterns:themes")


@capability_required(Capability.VIEW_FEEDBACK)
@require_GET
def discovery_progress_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment the overview polls while themes are being found."""
    user, organisation = _member(request)
    run = selectors.discovery_get(organisation=organisation, pk=pk)
    if not request.headers.get("HX-Request"):
        return redirect("patterns:themes")
    context = _discovery_context(run) | {
        "polled": True,
        "can_curate": user.can(Capability.CURATE_THEMES),
    }
    return render(request, "patterns/partials/themes_discovery.html", context)


@capability_required(Capability.LOG_CONTACT)
@require_GET
def theme_suggestions_view(request: HttpRequest) -> HttpResponse:
    """Known themes matching what a front-office member is typing (quick entry)."""
    user, organisation = _member(request)
    text = request.GET.get("text", "").strip()
    suggestions: list[tuple[Theme, float]] = []
    if len(text) >= SUGGESTION_MIN_LENGTH:
        suggestions = services.theme_suggestions(organisation=organisation, text=text[:2000])
    return render(
        request,
        "patterns/partials/themes_suggestions.html",
        {
            "suggestions": [theme for theme, _score in suggestions],
            "asked": len(text) >= SUGGESTION_MIN_LENGTH,
            "can_view": user.can(Capability.VIEW_FEEDBACK),
        },
    )


# ---- Theme detail -----------------------------------------------------------------------


def _chart_data(detail: selectors.ThemeDetail) -> dict[str, Any]:
    """What leerlus-charts.js draws: one line per channel, events as vertical markers."""
    return {
        "days": [day.isoformat() for day in detail.days],
        "series": [{"label": c.label, "values": c.values} for c in detail.channels],
        "events": [
            {"date": e.date.isoformat(), "title": e.title, "kind": e.get_kind_display()}
            for e in detail.events
        ],
    }


def _curation_forms(organisation: Organisation, theme: Theme) -> dict[str, Form]:
    return {
        "rename_form": ThemeRenameForm(initial={"name": theme.title}),
        "merge_form": ThemeMergeForm(organisation=organisation, theme=theme),
        "split_form": ThemeSplitForm(),
    }


def describe(action: CurationAction, names: selectors.CurationNames) -> str:
    """One line for the curation history and the "done" message."""
    payload = action.payload or {}
    kind = CurationAction.Kind
    if action.kind == kind.RENAME:
        if payload.get("name"):
            return _("Renamed to “%(name)s”") % {"name": payload["name"]}
        return _("Name removed: the generated label is shown again")
    if action.kind == kind.MERGE:
        others = [names.themes.get(int(pk), "?") for pk in payload.get("others", [])]
        themes = ", ".join(f"“{title}”" for title in others)
        return _("Merged %(themes)s into this theme") % {"themes": themes}
    if action.kind == kind.SPLIT:
        if not payload.get("parts"):
            return _("Split; the engine chooses the number of parts")
        return _("Split into %(parts)s themes") % {"parts": payload["parts"]}
    if action.kind == kind.MOVE:
        unassigned = _("no theme")
        source, target = payload.get("from"), payload.get("to")
        return _("Moved signal %(signal)s from “%(source)s” to “%(target)s”") % {
            "signal": names.signals.get(int(payload.get("feedback", 0)), "?"),
            "source": names.themes.get(int(source), "?") if source else unassigned,
            "target": names.themes.get(int(target), "?") if target else unassigned,
        }
    simple: dict[str, str] = {
        kind.PIN: _("Pinned"),
        kind.UNPIN: _("Unpinned"),
        kind.HIDE: _("Hidden from the overview"),
        kind.SHOW: _("Shown in the overview again"),
    }
    return str(simple.get(action.kind, action.get_kind_display()))


def _done_action(request: HttpRequest, organisation: Organisation) -> CurationAction | None:
    """The action just taken on this page, offered for undo once."""
    pk = request.session.pop(_DONE, None)
    if pk is None:
        return None
    action = CurationAction.objects.filter(organisation=organisation, pk=pk).first()
    return action if action is not None and action.undone_at is None else None


def _render_theme(
    request: HttpRequest,
    theme: Theme,
    *,
    bound: dict[str, Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    user, organisation = _member(request)
    scope = ThemeScopeForm(
        request.GET or None, organisation=organisation, default_days=DETAIL_PERIOD_DAYS
    )
    detail = selectors.theme_detail(
        organisation=organisation, theme=theme, filters=scope.to_filter()
    )
    can_curate = user.can(Capability.CURATE_THEMES)
    history = list(selectors.curation_history(organisation=organisation, theme=theme))
    done = _done_action(request, organisation)
    names = selectors.curation_names(
        organisation=organisation, actions=[*history, *([done] if done else [])]
    )
    context: dict[str, Any] = {
        "theme": theme,
        "detail": detail,
        "scope": scope,
        "chart": _chart_data(detail),
        "can_curate": can_curate,
        "history": [(action, describe(action, names)) for action in history],
        "done": (done, describe(done, names)) if done else None,
    }
    if can_curate:
        context |= _curation_forms(organisation, theme) | (bound or {})
        context["bound_forms"] = list((bound or {}).values())
        # The same choices in every example's form: rendered once, not once per example.
        context["move_options"] = format_html_join(
            "",
            '<option value="{}">{}</option>',
            (
                (target.pk, target.title)
                for target in selectors.theme_choices(organisation=organisation, exclude=theme)
            ),
        )
    return render(request, "patterns/themes_detail.html", context, status=status)


@capability_required(Capability.VIEW_FEEDBACK)
@require_GET
def theme_view(request: HttpRequest, pk: int) -> HttpResponse:
    _user, organisation = _member(request)
    theme = selectors.theme_get(organisation=organisation, pk=pk)
    root = selectors.theme_root(theme=theme)
    if root.pk != theme.pk:
        messages.info(
            request,
            _("“%(merged)s” was merged into this theme.") % {"merged": theme.title},
        )
        return redirect("patterns:theme", pk=root.pk)
    return _render_theme(request, theme)


@capability_required(Capability.VIEW_FEEDBACK)
@require_GET
def theme_event_changes_view(request: HttpRequest, pk: int, event_pk: int) -> HttpResponse:
    """What changed significantly around one event, this theme first (a lazy fragment: the
    comparison runs over every series, so the theme page does not wait for it)."""
    _user, organisation = _member(request)
    theme = selectors.theme_get(organisation=organisation, pk=pk)
    event = selectors.event_get(organisation=organisation, pk=event_pk)
    if not request.headers.get("HX-Request"):
        return redirect("patterns:event", pk=event.pk)
    changes = [c for c in services.event_changes(event=event) if c.significant]
    changes.sort(
        key=lambda c: (
            c.theme is None or c.theme.pk != theme.pk,
            -abs(math.log(max(c.ratio, 1e-6))),
        )
    )
    channels = dict(Channel.choices)
    return render(
        request,
        "patterns/partials/themes_event_changes.html",
        {
            "theme": theme,
            "event": event,
            "changes": [
                (change, channels.get(change.channel, change.channel) if change.channel else "")
                for change in changes[:EVENT_CHANGES_SHOWN]
            ],
        },
    )


# ---- Curation ---------------------------------------------------------------------------


def _curated(request: HttpRequest, theme: Theme, do: Callable[[], CurationAction]) -> HttpResponse:
    """Run one curation step; back to the theme page with an "Undo" for it, or the error."""
    try:
        action = do()
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        request.session[_DONE] = action.pk
    # Back to the top of the page, where the "done" message with its Undo button is.
    return redirect("patterns:theme", pk=theme.pk)


def _curatable_theme(request: HttpRequest, pk: int) -> tuple[User, Organisation, Theme]:
    user, organisation = _member(request)
    return user, organisation, selectors.theme_get(organisation=organisation, pk=pk)


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
        return _render_theme(request, theme, bound={key: form}, status=400)
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
    form = ExampleMoveForm(request.POST, organisation=organisation)
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
    user, organisation = _member(request)
    action = selectors.curation_action_get(organisation=organisation, pk=pk)
    try:
        curation.curation_undo(action=action, actor=user)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        names = selectors.curation_names(organisation=organisation, actions=[action])
        messages.success(request, _("Undone: %(action)s.") % {"action": describe(action, names)})
    return redirect("patterns:theme", pk=action.theme_id)
