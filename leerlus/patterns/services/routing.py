# SPDX-License-Identifier: EUPL-1.2
"""Routing: learning which service a signal is for, and suggesting it for new signals."""

from __future__ import annotations

import base64
import logging
from collections import Counter
from collections.abc import Sequence
from typing import Final

from django.utils import timezone

from leerlus.engine import routing as engine_routing
from leerlus.feedback.models import Feedback
from leerlus.organisations.models import Organisation

from ..models import ThemeState
from ..selectors.counts import local_day
from .state import routing_model

logger = logging.getLogger(__name__)

# Routing learns from the most recent signals with a service: at 16,000 examples the router
# reaches the labels' ceiling on the generator (docs/benchmarks.md, Routing), and training time
# grows faster than the number of examples (44,000 took minutes on the demo).
ROUTING_MAX_EXAMPLES: Final = 20_000


def routing_train(*, organisation: Organisation) -> bool:
    """Learn the organisation's service (category: its slug) from signals that have one.

    A job (seconds to a minute), never in a request. Returns False, and keeps no model,
    where there is not enough to learn from (fewer than two services with examples).
    """
    rows = list(
        Feedback.objects.filter(organisation=organisation, service__isnull=False)
        .order_by("-pk")
        .values_list("text", "service__slug", "received_at")[:ROUTING_MAX_EXAMPLES]
    )
    labels = Counter(row[1] for row in rows)
    keep = [row for row in rows if labels[row[1]] >= 2]
    try:
        model = engine_routing.train(
            [row[0] for row in keep],
            [row[1] for row in keep],
            dates=[local_day(row[2]) for row in keep],
        )
    except ValueError as error:
        logger.info("routing not trained for %s: %s", organisation.slug, error)
        ThemeState.objects.update_or_create(
            organisation=organisation, defaults={"routing_json": "", "routing_trained_at": None}
        )
        return False
    ThemeState.objects.update_or_create(
        organisation=organisation,
        defaults={
            "routing_json": base64.b64encode(model.to_bytes()).decode("ascii"),
            "routing_trained_at": timezone.now(),
        },
    )
    return True


def routing_suggest(
    *, state: ThemeState, texts: Sequence[str]
) -> list[engine_routing.Prediction] | None:
    """The suggested category (service slug) per text, or None where nothing is trained."""
    model = routing_model(state)
    if model is None or not texts:
        return None
    return engine_routing.predict(model, list(texts))
