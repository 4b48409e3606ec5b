"""manage.py export_fhir: write one intake as a FHIR R4B Bundle (JSON), audited."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from screening.management.commands.export_intake import _acting_user, _write_private
from screening.models import Intake
from screening.services import fhir_exports, imports


class Command(BaseCommand):
    help = (
        "Export an intake as a FHIR R4B Bundle (type collection: Patient, "
        "QuestionnaireResponse, Observations, DetectedIssues, RiskAssessment, "
        "Provenance once signed), to stdout or --output FILE. The export is audited "
        "(intake.exported); its watermark (who, when) goes to stderr."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("intake_id", type=int, metavar="ID")
        parser.add_argument("--output", "-o", metavar="FILE")
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help=f"act as this user (default: {imports.SYSTEM_USERNAME})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        intake = (
            Intake.objects.select_related("clinic", "patient", "current_screening")
            .filter(pk=options["intake_id"], patient__is_deleted=False)
            .first()
        )
        if intake is None:
            raise CommandError(f"no intake {options['intake_id']}")
        user = _acting_user(options["user"], intake)
        exported = fhir_exports.do_export_fhir(intake, by=user)
        if options["output"]:
            _write_private(options["output"], exported.text)
            self.stdout.write(f"Wrote intake {intake.pk} to {options['output']}.")
        else:
            self.stdout.write(exported.text, ending="")
        self.stderr.write(exported.watermark)
