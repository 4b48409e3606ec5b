"""manage.py export_fhir: write one intake as a FHIR R4B Bundle (JSON), audited."""

from typing import Any

from screening.management.commands import export_intake
from screening.models import Intake
from screening.services import fhir_exports


class Command(export_intake.Command):
    """export_intake's arguments, look-up, acting user and private file; FHIR out."""

    help = (
        "Export an intake as a FHIR R4B Bundle (type collection: Patient, "
        "QuestionnaireResponse, Observations, DetectedIssues, RiskAssessment, "
        "Provenance once signed), to stdout or --output FILE. The export is audited "
        "(intake.exported); its watermark (who, when) goes to stderr."
    )
    related = ("clinic", "patient", "current_screening")

    def export(self, intake: Intake, *, by: Any) -> Any:
        return fhir_exports.do_export_fhir(intake, by=by)
