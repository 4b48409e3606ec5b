"""The sign-off hashes of security.md §3.4, the sign page's hash, and verification.

All are made with the audit chain's `canonical()`. What the two stored hashes cover
depends on the sign-off's `hash_format`, kept on its row so that every signature keeps
verifying under the format it was made in (issue 13 F1):

- `summary_sha256`, format 1: every answer of the signed intake version (missing
  reasons and the MRN included), every flag with its code, severity and evidence, the
  not-evaluable items and the ruleset version. Format 2: the same without the MRN,
  plus every acknowledgement and the disposition with its author.
- `signature_sha256`, format 1: `summary_sha256`, the acknowledgements, the disposition
  and its rationale, the signer and the time of signing. Format 2 adds the hash of each
  patient identifier (MRN, names, date of birth) at signing (`identity_sha256`, F9).

The sign page carries a third hash, `page_sha256`, of what it shows for the decision:
format 2's summary plus the patient identifiers. It is a form check, never stored: the
sign-off is refused when it no longer matches (F1).

signoff_verification recomputes the stored hashes for every display of a signed
summary, its PDF and `verify_audit`. The functions here read rows already fetched:
callers choose the queries.
"""

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from screening import audit
from screening.models import (
    Acknowledgement,
    Disposition,
    Intake,
    IntakeSection,
    Patient,
    Screening,
    SectionRevision,
)
from screening.services import documents

# The format new sign-offs are made in; verification reads each row's own.
HASH_FORMAT_VERSION = 2
# The patient identifiers format 2 hashes one by one (issue 13 F9): Patient fields, the
# names do_update_patient lists in its audit row.
IDENTITY_FIELDS = ("mrn", "given_name", "family_name", "date_of_birth")
IDENTITY_WORDS = {
    "mrn": "MRN",
    "given_name": "given name",
    "family_name": "family name",
    "date_of_birth": "date of birth",
}
# Info flags are findings (TRD met), not concerns: they need no acknowledgement.
ACKNOWLEDGED_SEVERITIES = ("absolute", "relative", "caution")


class NotScreenedError(Exception):
    """There is no screening to hash."""


# Canonical values


def plain(value: Any) -> Any:
    """A JSON value to hash: decimals as strings, dates ISO, datetimes UTC with Z."""
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        # Stored answers come back as decimals; a float prints the same digits.
        return repr(value)
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    raise TypeError(f"cannot hash a {type(value).__name__}")


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def sha256_of(payload: dict[str, Any]) -> str:
    return hashlib.sha256(audit.canonical(plain(payload))).hexdigest()


def flag_item(flag: dict[str, Any]) -> dict[str, Any]:
    """The hashed part of a flag: code, severity and evidence pairs."""
    return {
        "code": flag["code"],
        "severity": flag["severity"],
        "evidence": flag.get("evidence") or {},
    }


def not_evaluable_item(item: dict[str, Any]) -> dict[str, Any]:
    return {"code": item["code"], "needs": sorted(item.get("needs") or [])}


def item_sha256(kind: str, item: dict[str, Any]) -> str:
    """Identifies a flag or item as shown: a changed one needs acknowledging again."""
    is_flag = kind == Acknowledgement.Kind.FLAG
    hashed = flag_item(item) if is_flag else not_evaluable_item(item)
    return sha256_of({"kind": kind, **hashed})


# Review state


@dataclass
class ReviewState:
    """What the current screening asks of the clinician, and what is still open."""

    screening: Screening | None
    acknowledgements: dict[tuple[str, str], Acknowledgement]
    disposition: Disposition | None
    pending_flags: list[str] = field(default_factory=list)
    pending_not_evaluable: list[str] = field(default_factory=list)
    # The open urgent marker's reasons (issue #15): set by whoever loads the state.
    urgent_reasons: list[str] = field(default_factory=list)

    @property
    def has_absolute(self) -> bool:
        return bool(self.screening and self.screening.absolute_count)

    @property
    def is_screening_usable(self) -> bool:
        return (
            self.screening is not None
            and self.screening.outcome != Screening.Outcome.INCOMPLETE
        )

    def blockers(self) -> list[str]:
        """Why the intake cannot be signed yet, as sentences; empty when it can."""
        urgent = [
            f"Urgent: {'; '.join(self.urgent_reasons)}. Clear it on the intake "
            "overview first (record the C-SSRS, or the safety assessment)."
        ]
        return (urgent if self.urgent_reasons else []) + self._review_blockers()

    def _review_blockers(self) -> list[str]:
        if self.screening is None:
            return [
                "The intake has not been screened yet. Save a section to screen it."
            ]
        if not self.is_screening_usable:
            return [
                "The screening is incomplete and cannot be relied on. Correct the "
                "intake so it can be screened again."
            ]
        reasons = []
        if self.pending_flags:
            reasons.append(
                f"Acknowledge every flag ({len(self.pending_flags)} still open)."
            )
        if self.pending_not_evaluable:
            reasons.append(
                "Enter the missing data or accept each not-evaluable item as unknown "
                f"({len(self.pending_not_evaluable)} still open)."
            )
        if self.disposition is None:
            reasons.append("Choose a disposition with its rationale.")
        return reasons


def latest_acknowledgements(
    rows: Iterable[Acknowledgement],
) -> dict[tuple[str, str], Acknowledgement]:
    """The newest acknowledgement of each (kind, rule code)."""
    latest: dict[tuple[str, str], Acknowledgement] = {}
    for row in sorted(rows, key=lambda ack: ack.pk):
        latest[(row.kind, row.rule_code)] = row
    return latest


def latest_disposition(rows: Iterable[Disposition]) -> Disposition | None:
    return max(rows, key=lambda row: row.pk, default=None)


def review_items(
    screening: Screening,
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every (kind, item) of the screening that needs the clinician's answer."""
    for flag in screening.result.get("flags", []):
        if flag["severity"] in ACKNOWLEDGED_SEVERITIES:
            yield Acknowledgement.Kind.FLAG, flag
    for item in screening.result.get("not_evaluable", []):
        yield Acknowledgement.Kind.NOT_EVALUABLE, item


def get_review_state(
    screening: Screening | None,
    acknowledgements: Iterable[Acknowledgement],
    dispositions: Iterable[Disposition],
) -> ReviewState:
    """The review of one screening, from rows already fetched (no queries)."""
    state = ReviewState(
        screening=screening,
        acknowledgements=latest_acknowledgements(acknowledgements),
        disposition=latest_disposition(dispositions),
    )
    if screening is None:
        return state
    for kind, item in review_items(screening):
        ack = state.acknowledgements.get((kind, item["code"]))
        if ack is not None and ack.item_sha256 == item_sha256(kind, item):
            continue
        if kind == Acknowledgement.Kind.FLAG:
            state.pending_flags.append(item["code"])
        else:
            state.pending_not_evaluable.append(item["code"])
    return state


# Hashes


def acknowledgement_item(ack: Acknowledgement) -> dict[str, Any]:
    return {
        "kind": ack.kind,
        "code": ack.rule_code,
        "item_sha256": ack.item_sha256,
        "reason_code": ack.reason_code,
        "note": ack.note,
        "by": ack.acknowledged_by_id,
        "at": ack.acknowledged_at,
    }


def disposition_item(disposition: Disposition | None) -> dict[str, Any] | None:
    if disposition is None:
        return None
    return {
        "decision": disposition.decision,
        "rationale": disposition.rationale,
        "override_rationale": disposition.override_rationale,
        "by": disposition.decided_by_id,
        "at": disposition.decided_at,
    }


def summary_payload(
    intake: Intake,
    sections: Iterable[IntakeSection],
    screening: Screening,
    *,
    state: ReviewState | None = None,
    hash_format: int = HASH_FORMAT_VERSION,
) -> dict[str, Any]:
    result = screening.result
    answers = documents.intake_document(intake, list(sections))
    payload: dict[str, Any] = {
        "v": hash_format,
        "intake_id": intake.pk,
        "answers": answers,
        "outcome": screening.outcome,
        "flags": sorted(
            (flag_item(flag) for flag in result.get("flags", [])),
            key=lambda flag: flag["code"],
        ),
        "not_evaluable": sorted(
            (not_evaluable_item(item) for item in result.get("not_evaluable", [])),
            key=lambda item: item["code"],
        ),
        "ruleset_version": screening.ruleset_version,
    }
    if hash_format == 1:
        return payload
    # Format 2: the patient's identifiers have hashes of their own (F9), and the
    # summary covers the decision the page shows: acknowledgements and disposition.
    answers.pop("patient", None)
    if state is None:
        state = get_review_state(
            screening, intake.acknowledgements.all(), intake.dispositions.all()
        )
    payload["acknowledgements"] = _acknowledgement_items(signed_acknowledgements(state))
    payload["disposition"] = disposition_item(state.disposition)
    return payload


def _acknowledgement_items(
    acknowledgements: Iterable[Acknowledgement],
) -> list[dict[str, Any]]:
    ordered = sorted(acknowledgements, key=lambda a: (a.rule_code, a.kind))
    return [acknowledgement_item(ack) for ack in ordered]


def compute_summary_hash(
    intake: Intake,
    *,
    sections: Iterable[IntakeSection] | None = None,
    screening: Screening | None = None,
    state: ReviewState | None = None,
    hash_format: int = HASH_FORMAT_VERSION,
) -> str:
    """sha256 over the answers, flags, not-evaluable items and ruleset version (and,
    from format 2, the acknowledgements and the disposition)."""
    if sections is None:
        sections = intake.sections.all()
    if screening is None:
        screening = intake.current_screening
    if screening is None:
        raise NotScreenedError
    payload = summary_payload(
        intake, sections, screening, state=state, hash_format=hash_format
    )
    return sha256_of(payload)


def identity_hashes(patient: Patient) -> dict[str, str]:
    """One hash per patient identifier, so a change shows which one changed."""
    return {
        name: sha256_of(
            {"patient": patient.pk, "field": name, "value": getattr(patient, name)}
        )
        for name in IDENTITY_FIELDS
    }


def compute_page_hash(
    intake: Intake,
    *,
    sections: Iterable[IntakeSection],
    screening: Screening,
    state: ReviewState,
) -> str:
    """What the sign page shows for the decision: a form check, never stored (F1).

    Answers, flags, not-evaluable items, every acknowledgement, the disposition and
    its author, and the patient's identifiers. Context that does not change what is
    signed (trends, urgent markers, the queue) is in no hash.
    """
    summary = summary_payload(intake, sections, screening, state=state)
    identity = identity_hashes(intake.patient)
    return sha256_of({"page": "sign-off", "summary": summary, "identity": identity})


def signature_payload(
    *,
    summary_sha256: str,
    acknowledgements: Iterable[Acknowledgement],
    disposition: Disposition,
    signer_id: int,
    signed_at: datetime,
    identity: dict[str, str] | None = None,
    hash_format: int = HASH_FORMAT_VERSION,
) -> dict[str, Any]:
    payload = {
        "v": hash_format,
        "summary_sha256": summary_sha256,
        "acknowledgements": _acknowledgement_items(acknowledgements),
        "disposition": disposition_item(disposition),
        "signer_id": signer_id,
        "signed_at": signed_at,
    }
    if hash_format >= 2:
        payload["identity"] = identity or {}
    return payload


def compute_signature_hash(
    *,
    summary_sha256: str,
    acknowledgements: Iterable[Acknowledgement],
    disposition: Disposition,
    signer_id: int,
    signed_at: datetime,
    identity: dict[str, str] | None = None,
    hash_format: int = HASH_FORMAT_VERSION,
) -> str:
    """sha256 over the summary hash, acknowledgements, disposition, signer and time
    (and, from format 2, the patient identifiers' hashes)."""
    return sha256_of(
        signature_payload(
            summary_sha256=summary_sha256,
            acknowledgements=acknowledgements,
            disposition=disposition,
            signer_id=signer_id,
            signed_at=signed_at,
            identity=identity,
            hash_format=hash_format,
        )
    )


def signed_acknowledgements(state: ReviewState) -> list[Acknowledgement]:
    """The acknowledgements that answer the signed screening's items."""
    if state.screening is None:
        return []
    keys = [(kind, item["code"]) for kind, item in review_items(state.screening)]
    return [
        state.acknowledgements[key] for key in keys if key in state.acknowledgements
    ]


# History


def sections_as_of(
    intake: Intake,
    revisions: Iterable[SectionRevision],
    kinds: Iterable[str],
    *,
    as_of: datetime,
) -> list[IntakeSection]:
    """The sections rebuilt from field history as they stood at `as_of` (T-INT-06)."""
    latest: dict[str, SectionRevision] = {}
    for revision in sorted(revisions, key=lambda rev: rev.version):
        if revision.saved_at <= as_of:
            latest[revision.section.kind] = revision
    rebuilt = []
    for kind in kinds:
        revision = latest.get(kind)
        rebuilt.append(
            IntakeSection(
                intake=intake,
                kind=kind,
                data=revision.data if revision else None,
                missing_reasons=revision.missing_reasons if revision else {},
                version=revision.version if revision else 0,
            )
        )
    return rebuilt
