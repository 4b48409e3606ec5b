"""FHIR R4B downloads: an intake's Bundle, and the Questionnaire it answers."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from screening import access, permissions
from screening.fhir.codes import MEDIA_TYPE
from screening.fhir.questionnaire import questionnaire
from screening.services import fhir_exports


@require_GET
def intake_fhir(request: HttpRequest, pk: int) -> HttpResponse:
    """The intake as a FHIR Bundle: a PHI read, clinic-scoped, audited per request."""
    intake = access.get_intake_for_user(request, pk, action=permissions.EXPORT_INTAKE)
    exported = fhir_exports.do_export_fhir(intake, by=request.user)  # type: ignore[arg-type]
    response = HttpResponse(exported.text, content_type=MEDIA_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{exported.file_name}"'
    response["X-Export-Watermark"] = exported.watermark
    return response


@require_GET
def questionnaire_fhir(request: HttpRequest) -> HttpResponse:
    """The questionnaire itself: no patient's data, so no audit row."""
    text = questionnaire().model_dump_json(indent=2) + "\n"
    response = HttpResponse(text, content_type=MEDIA_TYPE)
    response["Content-Disposition"] = 'attachment; filename="questionnaire.fhir.json"'
    return response
