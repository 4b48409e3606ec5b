"""The clinic admin's CSV of intakes (#18): one row per intake, REDCap-style.

Scores carry their LOINC code in the column header where the declaration has one
(the FHIR code of the instrument's total); MRN only, never a name or date of birth;
every cell formula-safe (audit.csv_cell). The totals are those the clinician signed
(the sign-off's screening), else the intake's current screening.
"""

from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Prefetch, QuerySet

from screening import audit
from screening.models import Clinic, ConsentRecord, Disposition, Intake, SignOff
from screening.questionnaire.model import LOINC, Instrument
from screening.trends import total_key, trended_instruments

FIXED_COLUMNS = (
    "intake_id",
    "mrn",
    "intake_date",
    "status",
    "started_at",
    "signed_at",
    "ruleset_version",
    "outcome",
    "flag_codes",
    "disposition",
    "consent_document_version",
    "consent_method",
)


def score_header(instrument: Instrument) -> str:
    """`phq9_total [LOINC 44261-6]`, or the bare name where there is no LOINC code."""
    name = total_key(instrument)
    loinc = next((c.code for c in instrument.total_codes if c.system == LOINC), None)
    return f"{name} [LOINC {loinc}]" if loinc else name


def header() -> list[str]:
    instruments = trended_instruments()
    return [*FIXED_COLUMNS, *(score_header(each) for each in instruments)]


def list_intakes(clinic: Clinic) -> QuerySet[Intake]:
    return (
        Intake.objects.filter(clinic=clinic)
        .select_related("patient", "current_screening", "signoff__screening")
        .prefetch_related(
            Prefetch(
                "dispositions", queryset=Disposition.objects.order_by("decided_at")
            ),
            Prefetch(
                "consents",
                queryset=ConsentRecord.objects.select_related("document").order_by(
                    "recorded_at"
                ),
            ),
        )
        .order_by("intake_on", "pk")
    )


def _row(intake: Intake, instruments: list[Instrument]) -> list[Any]:
    signoff: SignOff | None = getattr(intake, "signoff", None)
    screening = signoff.screening if signoff else intake.current_screening
    result = (screening.result if screening else None) or {}
    derived = result.get("derived") or {}
    dispositions = list(intake.dispositions.all())
    consents = list(intake.consents.all())
    consent = consents[-1] if consents else None
    return [
        intake.pk,
        intake.patient.mrn,
        intake.intake_on.isoformat(),
        intake.status,
        intake.created_at,
        signoff.signed_at if signoff else None,
        screening.ruleset_version if screening else None,
        screening.outcome if screening else None,
        " ".join(sorted(flag["code"] for flag in result.get("flags", []))),
        dispositions[-1].decision if dispositions else None,
        consent.document.version if consent else None,
        consent.method if consent else None,
        *(derived.get(total_key(each)) for each in instruments),
    ]


def export_rows(intakes: Iterable[Intake]) -> Iterator[list[str]]:
    """The header, then one formula-safe row per intake."""
    instruments = trended_instruments()
    yield header()
    for intake in intakes:
        yield [audit.csv_cell(value) for value in _row(intake, instruments)]


def record_export(clinic: Clinic, *, count: int, by: User) -> None:
    """Audit the export: who, which clinic, how many rows (never their values)."""
    # Every export is `intake.exported` (security.md §3.1); its detail says which.
    audit.record(
        audit.Event.INTAKE_EXPORTED,
        actor=by,
        clinic=clinic,
        category="screening_summary",
        detail={"format": "csv", "count": count},
    )
