"""Export an intake as an intake/1 document in normal form; every export is audited."""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from screening import audit
from screening.intake_format import dumps, normal_form
from screening.models import Intake
from screening.services.documents import intake_document


@dataclass(frozen=True)
class ExportedDocument:
    text: str
    # intake-<pk>.json: an id, never a name or MRN (security.md: no PHI in file names).
    file_name: str
    # Who exported it and when. intake/1 objects are closed (no extra key allowed), so
    # the watermark travels beside the document: an HTTP header, stderr, the audit row.
    watermark: str


def export_document(intake: Intake) -> dict[str, Any]:
    """The intake as an intake/1 document in normal form (intake-format.md 5)."""
    return normal_form(intake_document(intake))


def export_file_name(intake: Intake) -> str:
    return f"intake-{intake.pk}.json"


@transaction.atomic
def do_export_intake(intake: Intake, *, by: User) -> ExportedDocument:
    """The intake as intake/1 JSON text; audits the export (`intake.exported`)."""
    text = dumps(export_document(intake), indent=2) + "\n"
    event = audit.record(
        audit.Event.INTAKE_EXPORTED,
        actor=by,
        clinic=intake.clinic,
        patient=intake.patient,
        target=intake,
        category="intake",
        object_version=intake.version,
    )
    when = event.occurred_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    watermark = (
        f"intake/1 export of intake {intake.pk} by {event.actor_username or 'unknown'} "
        f"at {when} (audit event {event.seq})"
    )
    return ExportedDocument(text, export_file_name(intake), watermark)
