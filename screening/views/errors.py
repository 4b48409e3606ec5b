"""Error pages that leak nothing: no exception text, no path, no PHI."""

import sys

from django.contrib.auth.decorators import login_not_required
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from screening.middleware import database_unavailable_response


@login_not_required
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "400.html", status=400)


@login_not_required
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "403.html", status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: our 403 page, not Django's, whose inline style the CSP
    blocks. The reason stays in the django.security.csrf log line, not the page."""
    return render(request, "403.html", {"csrf_failed": True}, status=403)


@login_not_required
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


@login_not_required
def server_error(request: HttpRequest) -> HttpResponse:
    # A database lost inside a middleware (sessions, auth) never reaches the view's
    # process_exception: the exception being handled tells it apart here.
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return database_unavailable_response()
    # Rendered without a context (and so without a CSP nonce): static CSS only.
    return HttpResponseServerError(loader.get_template("500.html").render())
