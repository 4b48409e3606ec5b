"""intake/1 documents: import a batch, see what it imported, download an intake."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from screening import access, audit, permissions, uploads
from screening.forms.documents import IntakeImportForm
from screening.models import ImportRecord
from screening.services import exports, imports


@require_http_methods(["GET", "POST"])
def intake_import(request: HttpRequest) -> HttpResponse:
    access.get_clinic_for_user(request, action=permissions.IMPORT_INTAKE)
    if request.method == "GET":
        form = IntakeImportForm(user=request.user)
    elif uploads.upload_too_large(request):
        form = IntakeImportForm(user=request.user)
        uploads.refuse(form, "files")
        return render(
            request, "screening/documents/import.html", {"form": form}, status=413
        )
    else:
        form = IntakeImportForm(request.POST, request.FILES, user=request.user)
    if form.is_bound and form.is_valid():
        report = imports.do_import_documents(
            form.uploaded_files(),
            clinic=form.cleaned_data["clinic"],
            by=request.user,
            today=timezone.localdate(),
        )
        if not report.is_refused:
            count = len(report.imported)
            messages.success(request, f"Imported {count} intake(s); each was screened.")
            first = report.imported[0].intake
            return redirect("screening:intake-import-report", pk=first.pk)
        form.add_import_errors(report.errors)  # nothing was written
    return render(request, "screening/documents/import.html", {"form": form})


@require_GET
def intake_import_report(request: HttpRequest, pk: int) -> HttpResponse:
    intake = access.get_intake_for_user(request, pk, action=permissions.IMPORT_INTAKE)
    record = ImportRecord.objects.filter(intake=intake).first()
    if record is None:  # an intake entered in the forms has no import report
        raise Http404
    records = (
        ImportRecord.objects.filter(batch=record.batch, intake__clinic=intake.clinic)
        .select_related("intake__patient", "imported_by")
        .order_by("position")
    )
    with audit.batch():
        # One row per page view (security.md T-AUD-01); batch_size says how much it
        # showed.
        audit.record_for_intake(
            audit.Event.INTAKE_VIEWED,
            intake,
            request=request,
            target=intake,
            category="intake",
            detail={"batch_size": len(records)},
        )
        # The report lists each imported patient's MRN: a read of each (#13 F2).
        audit.record_patients_shown(
            request,
            [item.intake.patient for item in records],
            page="import_report",
            clinic=intake.clinic,
        )
    context = {"intake": intake, "record": record, "records": records}
    return render(request, "screening/documents/import_report.html", context)


@require_http_methods(["GET", "POST"])
def intake_export(request: HttpRequest, pk: int) -> HttpResponse:
    intake = access.get_intake_for_user(request, pk, action=permissions.EXPORT_INTAKE)
    # POST, not a plain link: an export is a deliberate, audited act, so neither a link
    # prefetcher nor another site (CSRF) can make one; the GET page explains it first.
    if request.method == "POST":
        exported = exports.do_export_intake(intake, by=request.user)
        response = HttpResponse(exported.text, content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{exported.file_name}"'
        response["X-Export-Watermark"] = exported.watermark
        return response
    return render(request, "screening/documents/export.html", {"intake": intake})
