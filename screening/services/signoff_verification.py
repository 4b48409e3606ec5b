"""Sign-offs checked against the rows they cover and against the audit chain.

`verify_signoff()` recomputes a sign-off's two hashes under the row's own hash format
(review_hashes) for every display of a signed summary, its PDF and `verify_audit`: a
change made behind the app's back shows as "altered since signature". A patient
identifier (MRN, names, date of birth) corrected after signature through the app is
shown as a correction instead: the `patient.updated` audit row names the fields it
changed, and a changed identifier no such row names is an alarm (issue 13 F9).

`verify_audit` also runs the checks registered here (issue 13):
- F7: every intake's status agrees with its sign-off rows;
- F8: every sign-off's hashes equal those in its `review.signed` audit row, so a copy
  of the chain head kept outside the database protects signed records too; sign-offs
  made before the audit row held them are listed, without failing;
- F11: every superseded sign-off has its successor (the addendum's sign-off).
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Q, QuerySet

from screening import audit
from screening.models import (
    Acknowledgement,
    AuditEvent,
    Disposition,
    Intake,
    IntakeSection,
    SectionRevision,
    SignOff,
)
from screening.services.review_hashes import (
    IDENTITY_FIELDS,
    IDENTITY_WORDS,
    compute_signature_hash,
    compute_summary_hash,
    get_review_state,
    identity_hashes,
    sections_as_of,
    signed_acknowledgements,
)

# The migration that brought hash format 2 and the hashes in `review.signed`: the
# coordinator may renumber it, never rename its tail.
_FORMAT_2_MIGRATION = "_signoff_hash_format_and_signed_status"


@dataclass(frozen=True)
class IdentityCorrection:
    """A patient identifier corrected through the app after signature (F9)."""

    by: str
    at: datetime
    fields: tuple[str, ...]

    @property
    def words(self) -> str:
        return ", ".join(IDENTITY_WORDS[name] for name in self.fields)


@dataclass(frozen=True)
class Verification:
    """Both hashes of a sign-off recomputed from the stored rows."""

    answers_match: bool
    history_matches: bool
    signature_matches: bool
    # No identifier changed since signature without an audited correction.
    identity_matches: bool = True
    corrections: list[IdentityCorrection] = field(default_factory=list)

    @property
    def is_intact(self) -> bool:
        return (
            self.answers_match
            and self.history_matches
            and self.signature_matches
            and self.identity_matches
        )


def identity_corrections(
    patient_updates: Iterable[AuditEvent], *, after: datetime
) -> list[IdentityCorrection]:
    """The audited identifier corrections made after a moment, oldest first."""
    corrections = []
    for event in sorted(patient_updates, key=lambda event: event.seq):
        changed = set((event.detail or {}).get("fields") or [])
        fields = tuple(name for name in IDENTITY_FIELDS if name in changed)
        if fields and event.occurred_at > after:
            corrections.append(
                IdentityCorrection(
                    by=event.actor_username, at=event.occurred_at, fields=fields
                )
            )
    return corrections


def verify_signoff(
    signoff: SignOff,
    *,
    sections: Iterable[IntakeSection],
    revisions: Iterable[SectionRevision],
    acknowledgements: Iterable[Acknowledgement],
    dispositions: Iterable[Disposition],
    patient_updates: Iterable[AuditEvent] = (),
) -> Verification:
    """Recompute a sign-off's hashes from rows already fetched (no queries), under
    the hash format the sign-off was made in."""
    intake, screening, fmt = signoff.intake, signoff.screening, signoff.hash_format
    sections = list(sections)
    state = get_review_state(screening, acknowledgements, dispositions)
    summary = compute_summary_hash(
        intake, sections=sections, screening=screening, state=state, hash_format=fmt
    )
    rebuilt = sections_as_of(
        intake,
        revisions,
        [section.kind for section in sections],
        as_of=signoff.signed_at,
    )
    history = compute_summary_hash(
        intake, sections=rebuilt, screening=screening, state=state, hash_format=fmt
    )
    signature = None
    if state.disposition is not None:
        signature = compute_signature_hash(
            summary_sha256=summary,
            acknowledgements=signed_acknowledgements(state),
            disposition=state.disposition,
            signer_id=signoff.signer_id,
            signed_at=signoff.signed_at,
            identity=signoff.identity_sha256,
            hash_format=fmt,
        )
    corrections = identity_corrections(patient_updates, after=signoff.signed_at)
    identity_matches = True
    if fmt >= 2:
        now = identity_hashes(intake.patient)
        changed = {
            name for name in IDENTITY_FIELDS if now[name] != _signed(signoff, name)
        }
        corrected = {name for fix in corrections for name in fix.fields}
        identity_matches = changed <= corrected
    return Verification(
        answers_match=summary == signoff.summary_sha256,
        history_matches=history == signoff.summary_sha256,
        signature_matches=signature == signoff.signature_sha256,
        identity_matches=identity_matches,
        corrections=corrections,
    )


def _signed(signoff: SignOff, name: str) -> str | None:
    return (signoff.identity_sha256 or {}).get(name)


def patient_updates_of(
    patient_ids: Iterable[int] | QuerySet[Any],
) -> dict[int, list[AuditEvent]]:
    """The `patient.updated` audit rows of these patients, by patient id (one query)."""
    updates: dict[int, list[AuditEvent]] = defaultdict(list)
    rows = AuditEvent.objects.filter(
        action=audit.Event.PATIENT_UPDATED, patient_id__in=patient_ids
    ).only("seq", "patient_id", "actor_username", "occurred_at", "detail")
    for event in rows:
        updates[event.patient_id].append(event)
    return updates


def signoffs_with_evidence() -> Any:
    """Sign-offs with every row their hashes read, in a fixed number of queries."""
    return SignOff.objects.select_related(
        "intake__patient", "screening", "signer"
    ).prefetch_related(
        "intake__sections__revisions",
        "intake__acknowledgements",
        "intake__dispositions",
    )


def check_signoff(
    signoff: SignOff, patient_updates: Iterable[AuditEvent] = ()
) -> Verification:
    """Verify a sign-off fetched with signoffs_with_evidence()."""
    intake = signoff.intake
    sections = list(intake.sections.all())
    return verify_signoff(
        signoff,
        sections=sections,
        revisions=[rev for section in sections for rev in section.revisions.all()],
        acknowledgements=intake.acknowledgements.all(),
        dispositions=intake.dispositions.all(),
        patient_updates=patient_updates,
    )


def verify_signoffs() -> list[str]:
    """Ids of the sign-offs altered since signature (for `manage.py verify_audit`)."""
    # A subquery: the patients of every sign-off, never loaded as a list.
    updates = patient_updates_of(SignOff.objects.values("intake__patient_id"))
    altered = []
    for signoff in signoffs_with_evidence().order_by("pk").iterator(chunk_size=200):
        if not check_signoff(signoff, updates[signoff.intake.patient_id]).is_intact:
            altered.append(str(signoff.pk))
    return altered


@audit.register_integrity_check
def signoff_integrity() -> Iterator[str]:
    for signoff_id in verify_signoffs():
        yield f"sign-off {signoff_id} altered since signature"


# F7: the status column agrees with the append-only sign-off rows


@audit.register_integrity_check
def status_agreement() -> Iterator[str]:
    signed_statuses = [Intake.Status.SIGNED, Intake.Status.AMENDED]
    rows = (
        Intake.objects.filter(Q(status__in=signed_statuses) | Q(signoff__isnull=False))
        .values_list("pk", "status", "signoff__pk", "signoff__status")
        .order_by("pk")
    )
    expected = {
        SignOff.Status.ACTIVE: Intake.Status.SIGNED,
        SignOff.Status.SUPERSEDED: Intake.Status.AMENDED,
    }
    for intake_id, status, signoff_id, signoff_status in rows:
        line = f"intake {intake_id} status {status} disagrees with its sign-off"
        if signoff_id is None:
            yield f"{line} (it has none)"
        elif expected[signoff_status] != status:
            yield f"{line} (sign-off {signoff_id} is {signoff_status})"


# F11: a superseded sign-off has its successor


@audit.register_integrity_check
def superseded_have_successors() -> Iterator[str]:
    orphans = SignOff.objects.filter(
        status=SignOff.Status.SUPERSEDED, superseded_by__isnull=True
    ).values_list("pk", flat=True)
    for signoff_id in orphans.order_by("pk"):
        yield f"sign-off {signoff_id} superseded without an addendum sign-off"


# F8: the sign-off hashes are in the audit chain


def chain_protection_since() -> datetime | None:
    """When sign-offs began to be made in format 2, with their hashes in the chain."""
    return (
        MigrationRecorder.Migration.objects.filter(
            app="screening", name__endswith=_FORMAT_2_MIGRATION
        )
        .values_list("applied", flat=True)
        .first()
    )


def _chain_comparison() -> Iterator[tuple[bool, str]]:
    """(is a problem, line) for every sign-off whose hashes the chain does not hold."""
    signed_rows = AuditEvent.objects.filter(
        action=audit.Event.REVIEW_SIGNED, object_type="signoff"
    ).values_list("object_id", "detail")
    in_chain = {object_id: detail or {} for object_id, detail in signed_rows}
    since = chain_protection_since()
    signoffs = SignOff.objects.order_by("pk").values_list(
        "pk", "hash_format", "summary_sha256", "signature_sha256"
    )
    for pk, fmt, summary, signature in signoffs.iterator(chunk_size=2000):
        detail = in_chain.get(str(pk), {})
        if "signature_sha256" in detail:
            stored = (fmt, summary, signature)
            chained = (
                detail.get("hash_format"),
                detail.get("summary_sha256"),
                detail["signature_sha256"],
            )
            if stored != chained:
                yield (
                    True,
                    f"sign-off {pk} hashes differ from its review.signed audit row",
                )
        elif fmt >= 2:
            # Format 2 sign-offs are audited with their hashes; a format 2 row whose
            # audit row lacks them was made or rewritten behind the app's back.
            yield True, f"sign-off {pk} hashes missing from its review.signed audit row"
        else:
            before = f"{since:%Y-%m-%d %H:%M} UTC" if since else "hash format 2"
            yield False, f"sign-off {pk} not chain-protected (signed before {before})"


@audit.register_integrity_check
def chain_protection() -> Iterator[str]:
    for is_problem, line in _chain_comparison():
        if is_problem:
            yield line


def list_unprotected_signoffs() -> list[str]:
    """Sign-offs from before F8, listed by `verify_audit` without failing it."""
    return [line for is_problem, line in _chain_comparison() if not is_problem]
