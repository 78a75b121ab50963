# SPDX-License-Identifier: EUPL-1.2
"""Small server-drawn charts for the theme pages: sparklines need no JavaScript."""

from collections.abc import Sequence
from typing import Any

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.formats import localize
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

register = template.Library()

SPARKLINE_WIDTH = 120
SPARKLINE_HEIGHT = 32
_MARGIN = 2


@register.inclusion_tag("patterns/partials/themes_sparkline.html")
def sparkline(values: Sequence[int], weekly: bool = False) -> dict[str, Any]:
    """An SVG line of ``values`` (hidden from assistive technology) and a text summary."""
    if not values:
        return {"values": []}
    top = max(values) or 1
    step = (SPARKLINE_WIDTH - 2 * _MARGIN) / max(len(values) - 1, 1)
    height = SPARKLINE_HEIGHT - 2 * _MARGIN
    points = [
        (round(_MARGIN + i * step, 1), round(_MARGIN + height * (1 - v / top), 1))
        for i, v in enumerate(values)
    ]
    line = " ".join(f"{x},{y}" for x, y in points)
    bottom = SPARKLINE_HEIGHT - _MARGIN
    area = f"{points[0][0]},{bottom} {line} {points[-1][0]},{bottom}"
    return {
        "values": values,
        "line": line,
        "area": area,
        # Strings, not floats: the template would write 2,5 in Dutch, which SVG cannot read.
        "last_x": str(points[-1][0]),
        "last_y": str(points[-1][1]),
        "width": SPARKLINE_WIDTH,
        "height": SPARKLINE_HEIGHT,
        "lowest": min(values),
        "highest": max(values),
        "latest": values[-1],
        "weekly": weekly,
    }


_NUMERIC_CELL = '<td class="utrecht-table__cell leerlus-table__cell--numeric">{}</td>'


@register.simple_tag
def series_table_rows(rows: Sequence[tuple[Any, Sequence[int], int]]) -> SafeString:
    """The body rows of a chart's data table: a day, its counts and their total.

    Written here rather than with template loops: a quarter of days by six channels is
    about a thousand cells, which the template language renders several times slower."""
    row = (
        '<tr class="utrecht-table__row"><th class="utrecht-table__header-cell '
        'leerlus-table__cell--nowrap" scope="row">{}</th>{}' + _NUMERIC_CELL + "</tr>"
    )
    return format_html_join(
        "\n",
        row,
        (
            (
                date_filter(day, "D j M Y"),
                format_html_join("", _NUMERIC_CELL, ((localize(n),) for n in counts)),
                localize(total),
            )
            for day, counts, total in rows
        ),
    )
