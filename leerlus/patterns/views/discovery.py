# SPDX-License-Identifier: EUPL-1.2
"""Finding themes again on request, and its progress on the themes overview."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from leerlus.organisations.permissions import capability_required, member_of
from leerlus.organisations.roles import Capability

from ..models import DiscoveryRun
from ..selectors.discovery import discovery_get
from ..services.curation import discovery_request


def discovery_context(run: DiscoveryRun | None) -> dict[str, Any]:
    """What the progress fragment needs: the run, and whether it still runs."""
    running = run is not None and run.status in (
        DiscoveryRun.Status.QUEUED,
        DiscoveryRun.Status.RUNNING,
    )
    return {"run": run, "running": running}


@capability_required(Capability.CURATE_THEMES)
@require_POST
def discovery_start_view(request: HttpRequest) -> HttpResponse:
    member = member_of(request)
    discovery_request(organisation=member.organisation, actor=member.person)
    return redirect("patterns:themes")


@capability_required(Capability.VIEW_FEEDBACK)
@require_GET
def discovery_progress_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment the overview polls while themes are being found."""
    member = member_of(request)
    run = discovery_get(organisation=member.organisation, pk=pk)
    if not request.headers.get("HX-Request"):
        return redirect("patterns:themes")
    context = discovery_context(run) | {
        "polled": True,
        "can_curate": member.person.can(Capability.CURATE_THEMES),
    }
    return render(request, "patterns/partials/themes_discovery.html", context)
