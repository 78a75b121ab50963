# SPDX-License-Identifier: EUPL-1.2
from typing import Any

from rest_framework import pagination
from rest_framework.response import Response


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=2&pageSize=100``; the envelope names the total and the neighbouring pages."""

    page_size_query_param = "pageSize"
    max_page_size = 1000

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
