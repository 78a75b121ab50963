"""Small server-drawn charts for the theme pages: sparklines need no JavaScript."""

from collections.abc import Sequence
from typing import Any

from django import template

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
