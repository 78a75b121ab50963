# SPDX-License-Identifier: EUPL-1.2
from typing import Any, Final

from django.core.paginator import Paginator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

MAX_PAGE_SIZE: Final = 1000

# The page parameters as the OpenAPI document states them: what the paginator refuses with a
# 400 is what the document calls invalid.
PAGE_SCHEMA: Final = {"type": "integer", "minimum": 1}
PAGE_SIZE_SCHEMA: Final = {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}
_PAGE: Final = "A page number, from 1; past the last page: 404."
_PAGE_SIZE: Final = f"Results per page, 1 to {MAX_PAGE_SIZE} (default 50)."


def _whole_number(request: Request, name: str, *, maximum: int | None = None) -> int | None:
    """The query parameter ``name`` as a whole number from 1 (to ``maximum``); None where it
    is not sent; a 400 naming it for anything else (``null``, ``abc``, ``0``, ``-1``...)."""
    if name not in request.query_params:
        return None
    value = request.query_params[name]
    # More digits than any page count: not converted (Python refuses over 4,300 digits).
    number = int(value) if value.isascii() and value.isdigit() and len(value) <= 30 else 0
    if 1 <= number <= (maximum or number):
        return number
    if maximum is None:
        reason = str(_("A whole number from 1."))
    else:
        reason = str(_("A whole number from 1 to %(maximum)d.")) % {"maximum": maximum}
    raise ValidationError({name: [reason]})


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=2&pageSize=100``; the envelope names the total and the neighbouring pages.

    A page or page size that is no whole number within bounds is a 400 naming it (DRF would
    serve the default page size instead, and answer a bad page number with a 404)."""

    page_size_query_param = "pageSize"
    max_page_size = MAX_PAGE_SIZE
    last_page_strings = ()  # the document says a page is a number: no ``page=last``

    def get_page_size(self, request: Request) -> int | None:
        asked = _whole_number(request, self.page_size_query_param, maximum=self.max_page_size)
        return asked or self.page_size

    def get_page_number(self, request: Request, paginator: Paginator) -> int:
        return _whole_number(request, self.page_query_param) or 1

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {"name": name, "required": False, "in": "query", "description": text, "schema": schema}
            for name, text, schema in (
                (self.page_query_param, _PAGE, PAGE_SCHEMA),
                (self.page_size_query_param, _PAGE_SIZE, PAGE_SIZE_SCHEMA),
            )
        ]

    def get_paginated_response(self, data: Any) -> Response:
        assert self.page is not None
        return Response(
            {
                "count": self.page.paginator.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )


# For views that page by hand (not a generic list view), in ``extend_schema(parameters=...)``.
PAGE_PARAMETERS: Final = [
    OpenApiParameter("page", PAGE_SCHEMA, description=_PAGE),
    OpenApiParameter("pageSize", PAGE_SIZE_SCHEMA, description=_PAGE_SIZE),
]
