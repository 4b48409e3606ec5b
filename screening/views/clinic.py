"""The clinic admin's pages: what the clinic offers its patients (issues #17, #18)."""

import csv

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from screening import access, permissions, uploads
from screening.forms.clinic import PatientSettingsForm, TextPackUploadForm
from screening.services import csv_exports, patient_settings, text_packs

STALE_SETTINGS = (
    "Someone saved these settings after you opened this page. Check and save again."
)


@require_GET
def clinic_admin(request: HttpRequest) -> HttpResponse:
    clinic = access.get_clinic_for_user(request, action=permissions.MANAGE_CLINIC)
    found = patient_settings.get_settings(clinic)
    packs = text_packs.current_packs(clinic)
    rows = [
        {
            "instrument": instrument,
            "packs": [
                (name, packs.get((instrument.key, code)))
                for code, name in settings.PATIENT_LANGUAGES
            ],
        }
        for instrument in text_packs.self_reported_instruments()
    ]
    context = {
        "clinic": clinic,
        "rows": rows,
        "languages": patient_settings.offered_languages(found),
        "custom_crisis": sorted(found.crisis_texts or {}),
    }
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


@require_http_methods(["GET", "POST"])
def text_pack_upload(request: HttpRequest) -> HttpResponse:
    clinic = access.get_clinic_for_user(request, action=permissions.MANAGE_CLINIC)
    if request.method == "POST" and uploads.upload_too_large(request):
        form = TextPackUploadForm()
        uploads.refuse(form, "file")
    elif request.method == "POST":
        form = TextPackUploadForm(request.POST, request.FILES)
        if form.is_valid():
            pack = text_packs.do_load_pack(
                clinic, form.cleaned_data["file"], by=request.user
            )
            messages.success(
                request,
                f"Loaded {pack.instrument} ({pack.language}), version {pack.version}.",
            )
            return redirect("screening:clinic-admin")
    else:
        form = TextPackUploadForm()
    context = {"clinic": clinic, "form": form, "format": text_packs.FORMAT}
    return render(request, "screening/clinic/text_pack_upload.html", context)


@require_http_methods(["GET", "POST"])
def patient_settings_edit(request: HttpRequest) -> HttpResponse:
    clinic = access.get_clinic_for_user(request, action=permissions.MANAGE_CLINIC)
    found = patient_settings.get_settings(clinic)
    form = PatientSettingsForm(request.POST or None, found=found)
    if request.method == "POST" and form.is_valid():
        try:
            patient_settings.do_save_settings(
                found,
                languages=form.cleaned_data["languages"],
                crisis_texts=form.crisis_texts(),
                version=form.cleaned_data["version"],
                by=request.user,
            )
        except patient_settings.StaleSettingsError:
            form.add_error(None, STALE_SETTINGS)
        else:
            messages.success(request, "Patient settings saved.")
            return redirect("screening:clinic-admin")
    context = {"clinic": clinic, "form": form}
    return render(request, "screening/clinic/patient_settings.html", context)
