# SPDX-License-Identifier: EUPL-1.2
"""Themes overview, theme page, quick-entry suggestions and what changed around an event.

Reading needs VIEW_FEEDBACK; every theme is looked up within the person's own organisation
(another organisation's theme is a 404), and the signals shown are those the person may see.
The theme page also carries the curation forms (:mod:`.curation` posts them).
"""

import math
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from leerlus.feedback.models import Channel
from leerlus.organisations.models import Organisation
from leerlus.organisations.permissions import capability_required, member_of
from leerlus.organisations.roles import Capability

from ..filters.themes import ThemeFilterSet, ThemeScopeFilterSet
from ..forms.curation import ThemeMergeForm, ThemeRenameForm, ThemeSplitForm
from ..models import CurationAction, Theme
from ..selectors.curation import (
    CurationNames,
    curation_done_get,
    curation_history,
    curation_names,
)
from ..selectors.discovery import discovery_latest
from ..selectors.events import event_changes, event_get
from ..selectors.themes import (
    ThemeDetail,
    theme_choices,
    theme_detail,
    theme_get,
    theme_root,
    themes_exist,
    themes_overview,
    themes_overview_details,
)
from ..services.themes import theme_suggestions
from .discovery import discovery_context

THEMES_PER_PAGE = 25
DETAIL_PERIOD_DAYS = 91
SUGGESTION_MIN_LENGTH = 3
EVENT_CHANGES_SHOWN = 6
CURATION_DONE = "leerlus_theme_curation_done"


# ---- Overview ---------------------------------------------------------------------------


@capability_required(Capability.VIEW_FEEDBACK)
@require_GET
def themes_view(request: HttpRequest) -> HttpResponse:
    member = member_of(request)
    organisation = member.organisation
    filters = ThemeFilterSet(request.GET or None, organisation=organisation)
    overview = themes_overview(
        organisation=organisation, filters=filters.theme_filter(), sort=filters.sort_order()
    )
    page = Paginator(overview.rows, THEMES_PER_PAGE).get_page(request.GET.get("page"))
    themes_overview_details(
        organisation=organisation, overview=overview, rows=list(page.object_list)
    )
    return render(
        request,
        "patterns/themes_overview.html",
        {
            "form": filters.form,
            "overview": overview,
            "page": page,
            "any_themes": bool(overview.rows) or themes_exist(organisation=organisation),
            "can_curate": member.person.can(Capability.CURATE_THEMES),
            **discovery_context(discovery_latest(organisation=organisation)),
        },
    )


@capability_required(Capability.LOG_CONTACT)
@require_GET
def theme_suggestions_view(request: HttpRequest) -> HttpResponse:
    """Known themes matching what a front-office member is typing (quick entry): their
    names only, never another signal's text."""
    member = member_of(request)
    text = request.GET.get("text", "").strip()
    suggestions: list[tuple[Theme, float]] = []
    if len(text) >= SUGGESTION_MIN_LENGTH:
        suggestions = theme_suggestions(organisation=member.organisation, text=text[:2000])
    return render(
        request,
        "patterns/partials/themes_suggestions.html",
        {
            "suggestions": [theme for theme, _score in suggestions],
            "asked": len(text) >= SUGGESTION_MIN_LENGTH,
            "can_view": member.person.can(Capability.VIEW_FEEDBACK),
        },
    )


# ---- Theme page -------------------------------------------------------------------------


def _chart_data(detail: ThemeDetail) -> dict[str, Any]:
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


def describe(action: CurationAction, names: CurationNames) -> str:
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
    pk = request.session.pop(CURATION_DONE, None)
    if pk is None:
        return None
    return curation_done_get(organisation=organisation, pk=pk)


def render_theme(
    request: HttpRequest,
    theme: Theme,
    *,
    bound: dict[str, Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The theme page; ``bound``: curation forms with errors, shown instead of empty ones."""
    member = member_of(request)
    organisation = member.organisation
    scope = ThemeScopeFilterSet(
        request.GET or None, organisation=organisation, default_days=DETAIL_PERIOD_DAYS
    )
    detail = theme_detail(
        organisation=organisation,
        viewer=member.person,
        theme=theme,
        filters=scope.theme_filter(),
    )
    can_curate = member.person.can(Capability.CURATE_THEMES)
    history = list(curation_history(organisation=organisation, theme=theme))
    done = _done_action(request, organisation)
    names = curation_names(organisation=organisation, actions=[*history, *([done] if done else [])])
    context: dict[str, Any] = {
        "theme": theme,
        "detail": detail,
        "scope": scope.form,
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
                for target in theme_choices(organisation=organisation, exclude=theme)
            ),
        )
    return render(request, "patterns/themes_detail.html", context, status=status)


@capability_required(Capability.VIEW_FEEDBACK)
@require_GET
def theme_view(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = member_of(request).organisation
    theme = theme_get(organisation=organisation, pk=pk)
    root = theme_root(organisation=organisation, theme=theme)
    if root.pk != theme.pk:
        messages.info(
            request,
            _("“%(merged)s” was merged into this theme.") % {"merged": theme.title},
        )
        return redirect("patterns:theme", pk=root.pk)
    return render_theme(request, theme)


@capability_required(Capability.VIEW_FEEDBACK)
@require_GET
def theme_event_changes_view(request: HttpRequest, pk: int, event_pk: int) -> HttpResponse:
    """What changed significantly around one event, this theme first (a lazy fragment: the
    comparison runs over every series, so the theme page does not wait for it)."""
    organisation = member_of(request).organisation
    theme = theme_get(organisation=organisation, pk=pk)
    event = event_get(organisation=organisation, pk=event_pk)
    if not request.headers.get("HX-Request"):
        return redirect("patterns:event", pk=event.pk)
    changes = [c for c in event_changes(organisation=organisation, event=event) if c.significant]
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
