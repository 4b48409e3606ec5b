"""Where each role starts, the health check and the session renewal."""

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from screening import middleware, permissions
from screening.models import Membership
from screening.views import clinic, reviews, rules


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    # Clinicians and rule admins start on their queue, never on an empty page: the
    # home page of a clinician is the worklist, headed by the clinic's urgent
    # intakes; a rule admin's is the rules page with the clinic's draft; a clinic
    # admin's is the list of what they manage.
    roles = {m.role for m in permissions.memberships_of(request.user).values()}
    if Membership.Role.CLINICIAN in roles:
        return reviews.review_worklist(request)
    if Membership.Role.RULE_ADMIN in roles:
        return rules.rule_index(request)
    if Membership.Role.CLINIC_ADMIN in roles:
        return clinic.clinic_admin(request)
    memberships = permissions.memberships_of(request.user).values()
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


@require_GET
def session_renew(request: HttpRequest) -> HttpResponse:
    """The idle warning's "Stay logged in": a person asked, so the session is renewed.

    The health check cannot serve here: it is timer-driven traffic and never renews the
    idle timer (SlidingSessionMiddleware); this view does, at once, even within the
    minute in which other requests leave the last save standing.
    """
    middleware.renew_idle_limit(request.session, force=True)
    return HttpResponse("ok", content_type="text/plain")
