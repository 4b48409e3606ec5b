"""The clinic admin's pages: what the clinic offers its patients (issues #17, #18)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from screening import access, permissions


@require_GET
def clinic_admin(request: HttpRequest) -> HttpResponse:
    clinic = access.get_clinic_for_user(request, action=permissions.MANAGE_CLINIC)
    context = {"clinic": clinic}
    return render(request, "screening/clinic/admin.html", context)
