# SPDX-License-Identifier: EUPL-1.2
"""Reads of the discovery runs, whose progress the themes overview shows."""

from __future__ import annotations

from django.http import Http404

from leerlus.organisations.models import Organisation

from ..models import DiscoveryRun


def discovery_latest(*, organisation: Organisation) -> DiscoveryRun | None:
    return DiscoveryRun.objects.filter(organisation=organisation).order_by("-created_at").first()


def discovery_get(*, organisation: Organisation, pk: int) -> DiscoveryRun:
    """The same 404 for a missing run and another organisation's."""
    run = DiscoveryRun.objects.filter(organisation=organisation, pk=pk).first()
    if run is None:
        raise Http404
    return run
