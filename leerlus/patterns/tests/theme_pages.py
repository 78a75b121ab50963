# SPDX-License-Identifier: EUPL-1.2
"""Addresses of the theme pages, for their tests."""

from leerlus.patterns.models import Theme


def theme_url(theme: Theme, action: str = "") -> str:
    return f"/patterns/themes/{theme.pk}/" + (f"{action}/" if action else "")
