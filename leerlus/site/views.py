# SPDX-License-Identifier: EUPL-1.2
import sys

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache

from leerlus.core.api.problems import (
    DATABASE_UNAVAILABLE,
    RETRY_AFTER_S,
    UNAVAILABLE_DETAIL,
    problem_response,
)
from leerlus.core.selectors import health_check
from leerlus.organisations.models import Organisation, User

from .roles_guide import next_steps_for


def not_found_view(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return problem_response(request, 404, "There is no resource at this address.")
    return render(request, "404.html", status=404)


def server_error_view(request: HttpRequest) -> HttpResponse:
    # Django calls this while it handles the exception: sys.exc_info() is the error.
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return _database_unavailable(request)
    if request.path.startswith("/api/"):
        return problem_response(request, 500, "Something went wrong on our side.")
    return render(request, "500.html", status=500)


def _database_unavailable(request: HttpRequest) -> HttpResponse:
    """A 503 with Retry-After, the page rendered without the request: its context (the
    navigation, the person) would ask the database again."""
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = problem_response(request, 503, UNAVAILABLE_DETAIL)
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_S)
    return response


def home_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if isinstance(user, User) and user.is_authenticated:
        return render(request, "site/home.html", {"steps": next_steps_for(user)})
    organisations = Organisation.objects.order_by("name").only("name", "slug")
    return render(request, "site/home.html", {"organisations": organisations})


@never_cache
def health_view(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: 503 only when the database is unreachable."""
    health = health_check()
    return JsonResponse(
        {
            "status": health.status,
            "database": "ok" if health.database else "down",
            "worker": "ok" if health.workers else "down",
            "workers": health.workers,
        },
        status=200 if health.database else 503,
    )
