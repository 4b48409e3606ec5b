"""The landing page: where each role starts, and the health check."""

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from screening import permissions


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    memberships = request.user.memberships.select_related("clinic")  # type: ignore[union-attr]
    context = {"memberships": memberships, "permissions": permissions}
    return render(request, "screening/home/home.html", context)


@login_not_required
@require_GET
def health(request: HttpRequest) -> HttpResponse:
    try:
        connection.ensure_connection()
    except Exception:  # noqa: BLE001 - any database failure is "down", without detail
        return HttpResponse("db=down", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
