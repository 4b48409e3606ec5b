"""Export an intake as a FHIR R4B Bundle (screening/fhir/); every export is audited."""

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from screening import audit
from screening.fhir.bundle import (
    Acknowledged,
    Consented,
    IntakeRecord,
    Signed,
    bundle_json,
)
from screening.models import Acknowledgement, ConsentRecord, Intake, Screening, SignOff
from screening.services.documents import intake_document
from screening.services.review_hashes import item_sha256
from screening.services.reviews import load_review_state

# The format named in the audit row's detail: one event, `intake.exported`, for
# every export of an intake (security.md §3.1), whatever its format.
FORMAT = "fhir-r4b"


@dataclass(frozen=True)
class ExportedBundle:
    text: str
    # intake-<pk>.fhir.json: an id, never a name or MRN (no PHI in file names).
    file_name: str
    watermark: str


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _screening(intake: Intake, signoff: SignOff | None) -> Screening | None:
    """The screening the bundle reports: the one signed, else the current one."""
    if signoff is not None:
        return signoff.screening
    return intake.current_screening


def _acknowledgements(
    intake: Intake, screening: Screening | None
) -> dict[str, Acknowledged]:
    """Each flag's acknowledgement, if it still holds for the flag as reported."""
    if screening is None:
        return {}
    state = load_review_state(intake, screening)
    found = {}
    for flag in screening.result.get("flags", []):
        kind = Acknowledgement.Kind.FLAG
        ack = state.acknowledgements.get((kind, flag["code"]))
        if ack is None or ack.item_sha256 != item_sha256(kind, flag):
            continue
        choices = dict(Acknowledgement.FlagReason.choices)
        found[flag["code"]] = Acknowledged(
            reason_code=ack.reason_code,
            reason_words=str(choices.get(ack.reason_code, ack.reason_code)),
            note=ack.note,
            username=ack.acknowledged_by.get_username(),
            name=_name(ack.acknowledged_by),
            at=ack.acknowledged_at,
        )
    return found


def intake_record(intake: Intake) -> IntakeRecord:
    """What the bundle of the intake says, read from its rows."""
    signoff = (
        SignOff.objects.select_related("signer", "screening")
        .filter(intake=intake)
        .first()
    )
    screening = _screening(intake, signoff)
    signed = None
    if signoff is not None:
        signed = Signed(
            username=signoff.signer.get_username(),
            name=_name(signoff.signer),
            at=signoff.signed_at,
            ruleset_version=signoff.ruleset_version,
            signature_sha256=signoff.signature_sha256,
        )
    return IntakeRecord(
        intake_id=intake.pk,
        clinic_slug=intake.clinic.slug,
        clinic_name=intake.clinic.name,
        mrn=intake.patient.mrn,
        document=intake_document(intake),
        is_in_progress=intake.status == Intake.Status.IN_PROGRESS,
        updated_at=intake.updated_at,
        exported_at=timezone.now(),
        result=screening.result if screening is not None else None,
        screened_at=screening.screened_at if screening is not None else None,
        acknowledgements=_acknowledgements(intake, screening),
        signed=signed,
        consents=_consents(intake),
    )


def _consents(intake: Intake) -> tuple[Consented, ...]:
    """Every consent record of the intake, oldest first (append-only, #18)."""
    records = ConsentRecord.objects.filter(intake=intake).select_related(
        "document", "recorded_by"
    )
    return tuple(
        Consented(
            title=record.document.title,
            version=record.document.version,
            method=record.method,
            method_words=record.get_method_display(),
            at=record.consented_at,
            recorded_by=record.recorded_by.get_username(),
            recorded_at=record.recorded_at,
        )
        for record in records.order_by("recorded_at", "pk")
    )


def export_file_name(intake: Intake) -> str:
    return f"intake-{intake.pk}.fhir.json"


@transaction.atomic
def do_export_fhir(intake: Intake, *, by: User) -> ExportedBundle:
    """The intake as a FHIR R4B Bundle (JSON text); audits it as `intake.exported`.

    The audit row reads the request being handled (address, request id) itself.
    """
    text = bundle_json(intake_record(intake))
    event = audit.record(
        audit.Event.INTAKE_EXPORTED,
        actor=by,
        clinic=intake.clinic,
        patient=intake.patient,
        target=intake,
        category="intake",
        object_version=intake.version,
        detail={"format": FORMAT},
    )
    when = event.occurred_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    watermark = (
        f"FHIR export of intake {intake.pk} by {event.actor_username or 'unknown'} "
        f"at {when} (audit event {event.seq})"
    )
    return ExportedBundle(text, export_file_name(intake), watermark)
