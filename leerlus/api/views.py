# SPDX-License-Identifier: EUPL-1.2
from functools import cache
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from drf_spectacular.generators import SchemaGenerator

_METHODS = ("get", "post", "put", "patch", "delete")


@cache
def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = SchemaGenerator().get_schema(request=None, public=True)
    return schema


def docs_view(request: HttpRequest) -> HttpResponse:
    """A readable, accessible rendering of the OpenAPI document (no third-party scripts)."""
    schema = _schema()
    operations = [
        {
            "method": method.upper(),
            "path": path,
            "summary": operation.get("summary") or operation.get("description", ""),
            "parameters": operation.get("parameters", []),
            "id": operation.get("operationId", f"{method}-{path}"),
        }
        for path, item in schema["paths"].items()
        for method in _METHODS
        if (operation := item.get(method))
    ]
    return render(request, "api/docs.html", {"schema": schema, "operations": operations})
