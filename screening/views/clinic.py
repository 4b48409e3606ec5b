"""The clinic admin's pages: what the clinic offers its patients (issues #17, #18)."""

import csv

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from screening import access, permissions
from screening.services import csv_exports


@require_GET
def clinic_admin(request: HttpRequest) -> HttpResponse:
    clinic = access.get_clinic_for_user(request, action=permissions.MANAGE_CLINIC)
    context = {"clinic": clinic}
    return render(request, "screening/clinic/admin.html", context)


class _Echo:
    """A file-like object whose write() returns the line, for streaming csv rows."""

    def write(self, value: str) -> str:
        return value


@require_GET
def intake_csv_export(request: HttpRequest) -> StreamingHttpResponse:
    clinic = access.get_clinic_for_user(request, action=permissions.MANAGE_CLINIC)
    intakes = csv_exports.list_intakes(clinic)
    csv_exports.record_export(clinic, count=intakes.count(), by=request.user)
    writer = csv.writer(_Echo())
    rows = (writer.writerow(row) for row in csv_exports.export_rows(intakes))
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    response["Content-Disposition"] = f'attachment; filename="intakes-{stamp}.csv"'
    return response
