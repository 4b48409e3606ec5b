"""Clinician review: acknowledge, decide, sign off, amend (security.md §3.4).

Each do_* function locks the intake, checks that it is not signed, writes and audits in
one transaction. The hashes and their verification live in review_hashes.
"""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Model, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from screening import audit
from screening.models import (
    Acknowledgement,
    Addendum,
    ConsentRecord,
    Disposition,
    Intake,
    IntakeSection,
    Screening,
    SectionRevision,
    SignOff,
)
from screening.services import (
    consent,
    documents,
    rereview,
    rulesets,
    screenings,
    urgent,
)
from screening.services.intakes import SignedIntakeError
from screening.services.review_hashes import (
    HASH_FORMAT_VERSION,
    ReviewState,
    compute_page_hash,
    compute_signature_hash,
    compute_summary_hash,
    get_review_state,
    identity_hashes,
    item_sha256,
    review_items,
    signed_acknowledgements,
)
from screening.services.signoff_verification import verify_signoffs

__all__ = [
    "DispositionNotConfirmedError",
    "NotInScreeningError",
    "ReviewError",
    "SignOffRefusedError",
    "SignedIntakeError",
    "SummaryChangedError",
    "chain_intakes",
    "check_sign_off",
    "compare_results",
    "compute_page_hash",
    "compute_signature_hash",
    "compute_summary_hash",
    "do_acknowledge",
    "do_set_disposition",
    "do_sign_off",
    "do_start_addendum",
    "load_review_state",
    "preview_under_active_ruleset",
    "verify_signoffs",
]


class ReviewError(Exception):
    """A review step refused; the message says what to do."""


class NotInScreeningError(ReviewError):
    """The flag or item is not in the current screening (it was re-screened)."""


class SignOffRefusedError(ReviewError):
    pass


class ConsentMissingError(SignOffRefusedError):
    """A "proceed" is signed only with the patient's consent on record (#18)."""


class SummaryChangedError(SignOffRefusedError):
    """What the sign page showed changed after the clinician opened it (F1)."""


class DispositionNotConfirmedError(SignOffRefusedError):
    """Someone else recorded the disposition and the signer did not confirm it (F1)."""


def load_review_state(intake: Intake, screening: Screening | None) -> ReviewState:
    state = get_review_state(
        screening,
        Acknowledgement.objects.filter(intake=intake),
        Disposition.objects.filter(intake=intake),
    )
    # An open urgent marker refuses the sign-off (issue #15): it is one of the blockers.
    state.urgent_reasons = urgent.open_reasons(intake)
    return state


# State changes


def _lock(intake: Intake) -> Intake:
    """Lock the intake row until the transaction ends (PostgreSQL) and re-read it."""
    locked = Intake.objects.select_for_update().get(pk=intake.pk)
    if locked.is_signed:
        raise SignedIntakeError
    return locked


def _current_screening(intake: Intake) -> Screening | None:
    if intake.current_screening_id is None:
        return None
    return Screening.objects.get(pk=intake.current_screening_id)


def _reason_codes(kind: str) -> list[str]:
    if kind == Acknowledgement.Kind.FLAG:
        return list(Acknowledgement.FlagReason.values)
    return list(Acknowledgement.UnknownReason.values)


@transaction.atomic
def do_acknowledge(
    intake: Intake,
    *,
    kind: str,
    rule_code: str,
    reason_code: str,
    note: str,
    by: User,
) -> Acknowledgement:
    """Acknowledge a flag, or accept a not-evaluable rule as unknown, and audit it."""
    intake = _lock(intake)
    screening = _current_screening(intake)
    items = {
        (item_kind, item["code"]): item
        for item_kind, item in (review_items(screening) if screening else [])
    }
    item = items.get((kind, rule_code))
    if item is None:
        raise NotInScreeningError(
            "This item is no longer in the screening: the intake was screened again."
        )
    if reason_code not in _reason_codes(kind):
        raise ReviewError("Choose one of the listed reasons.")
    if reason_code == "other" and not note.strip():
        raise ReviewError("Say why in the note when the reason is 'other'.")
    ack = Acknowledgement.objects.create(
        intake=intake,
        kind=kind,
        rule_code=rule_code,
        item_sha256=item_sha256(kind, item),
        reason_code=reason_code,
        note=note.strip(),
        acknowledged_by=by,
        acknowledged_at=timezone.now(),
    )
    # Ids only: a rule code can itself reveal a clinical fact.
    audit.record_for_intake(
        audit.Event.REVIEW_ACKNOWLEDGED,
        intake,
        actor=by,
        target=ack,
        category="screening_summary",
    )
    return ack


@transaction.atomic
def do_set_disposition(
    intake: Intake,
    *,
    decision: str,
    rationale: str,
    override_rationale: str = "",
    by: User,
) -> Disposition:
    """Record the clinician's disposition; proceeding past an absolute flag needs an
    explicit override rationale."""
    intake = _lock(intake)
    screening = _current_screening(intake)
    if not rationale.strip():
        raise ReviewError("Give the rationale for the disposition.")
    is_override = (
        decision == Disposition.Decision.PROCEED
        and screening is not None
        and screening.absolute_count > 0
    )
    if is_override and not override_rationale.strip():
        raise ReviewError(
            "An absolute contraindication is flagged: give the override rationale "
            "to proceed."
        )
    disposition = Disposition.objects.create(
        intake=intake,
        decision=decision,
        rationale=rationale.strip(),
        override_rationale=override_rationale.strip() if is_override else "",
        decided_by=by,
        decided_at=timezone.now(),
    )
    audit.record_for_intake(
        audit.Event.REVIEW_ACKNOWLEDGED,
        intake,
        actor=by,
        target=disposition,
        category="screening_summary",
    )
    return disposition


def chain_root_id(intake: Intake) -> int:
    if intake.amends_id is None:
        return intake.pk
    return Addendum.objects.values_list("root_id", flat=True).get(intake=intake)


def _check_signable(
    intake: Intake,
    *,
    page_sha256: str,
    confirms_disposition: bool,
    by: User,
) -> tuple[Screening, ReviewState, Disposition, list[IntakeSection]]:
    """Refuse unless the intake can be signed from the page the clinician saw."""
    if intake.is_signed:
        raise SignedIntakeError
    screening = _current_screening(intake)
    state = load_review_state(intake, screening)
    if screening is not None and screening.intake_version != intake.version:
        raise SignOffRefusedError(
            "The screening is older than the intake. Reload the summary."
        )
    blockers = state.blockers()
    if blockers or screening is None or state.disposition is None:
        raise SignOffRefusedError(" ".join(blockers))
    sections = list(intake.sections.all())
    pending = [s.get_kind_display().lower() for s in sections if s.is_carried_proposal]
    if pending:  # #18: carried answers are signed only once staff confirmed them
        raise SignOffRefusedError(
            "Sections carried over from the last intake are not confirmed yet: "
            f"{', '.join(pending)}. Staff confirm or edit them first."
        )
    if (
        state.disposition.decision == Disposition.Decision.PROCEED
        and not consent.has_consent(intake)
    ):  # #18: every "proceed" rests on a recorded consent
        raise ConsentMissingError(
            "No consent on record: staff record the patient's consent on the intake "
            "before a \u201cproceed\u201d can be signed."
        )
    page = compute_page_hash(
        intake, sections=sections, screening=screening, state=state
    )
    if page != page_sha256:
        raise SummaryChangedError(
            "This summary changed since you opened it: review the changes."
        )
    author = state.disposition.decided_by
    if author.pk != by.pk and not confirms_disposition:
        raise DispositionNotConfirmedError(
            f"Confirm that you sign the disposition {author.get_username()} recorded."
        )
    return screening, state, state.disposition, sections


def check_sign_off(
    intake: Intake, *, page_sha256: str, confirms_disposition: bool, by: User
) -> None:
    """do_sign_off's refusals without the lock or any write: the view asks before
    re-authentication, so a page that changed costs the clinician no code."""
    _check_signable(
        Intake.objects.get(pk=intake.pk),
        page_sha256=page_sha256,
        confirms_disposition=confirms_disposition,
        by=by,
    )


@transaction.atomic
def do_sign_off(
    intake: Intake,
    *,
    page_sha256: str,
    confirms_disposition: bool = False,
    by: User,
) -> SignOff:
    """Sign the intake as the clinician saw it: lock, recompute, hash, store, audit.

    `page_sha256` is the hash of what the sign page showed (review_hashes): anything
    changed since, the disposition included, refuses (issue 13 F1). A disposition
    someone else recorded is signed only when `confirms_disposition` says the signer
    confirmed it. Re-authentication happens before this is called (screening.reauth),
    outside the transaction, so its failure row is never rolled back.
    """
    intake = _lock(intake)
    screening, state, disposition, sections = _check_signable(
        intake,
        page_sha256=page_sha256,
        confirms_disposition=confirms_disposition,
        by=by,
    )
    summary = compute_summary_hash(
        intake, sections=sections, screening=screening, state=state
    )
    identity = identity_hashes(intake.patient)
    signed_at = timezone.now()
    previous = None
    addendum = None
    if intake.amends_id is not None:
        addendum = Addendum.objects.get(intake=intake)
        previous = SignOff.objects.filter(
            chain_root_id=addendum.root_id, status=SignOff.Status.ACTIVE
        ).first()
        if previous is not None:
            # Status only: the earlier row stays byte-identical otherwise (T-INT-04).
            SignOff.objects.filter(pk=previous.pk).supersede()
        Intake.objects.filter(pk=intake.amends_id).update(
            status=Intake.Status.AMENDED, updated_at=signed_at
        )
    signoff = SignOff.objects.create(
        intake=intake,
        chain_root_id=addendum.root_id if addendum else intake.pk,
        screening=screening,
        intake_version=intake.version,
        ruleset_version=screening.ruleset_version,
        signer=by,
        signed_at=signed_at,
        supersedes=previous,
        amendment_reason=addendum.reason if addendum else "",
        summary_sha256=summary,
        signature_sha256=compute_signature_hash(
            summary_sha256=summary,
            acknowledgements=signed_acknowledgements(state),
            disposition=disposition,
            signer_id=by.pk,
            signed_at=signed_at,
            identity=identity,
        ),
        hash_format=HASH_FORMAT_VERSION,
        identity_sha256=identity,
    )
    Intake.objects.filter(pk=intake.pk).update(
        status=Intake.Status.SIGNED, updated_at=signed_at
    )
    rereview.close_by_addendum(intake, by=by)
    audit.record_for_intake(
        audit.Event.REVIEW_SIGNED,
        intake,
        actor=by,
        target=signoff,
        category="signoff",
        # Hashes, not PHI: in the chain they protect the sign-off row too (F8).
        detail={
            "ruleset_version": screening.ruleset_version,
            "hash_format": signoff.hash_format,
            "summary_sha256": signoff.summary_sha256,
            "signature_sha256": signoff.signature_sha256,
        },
    )
    return signoff


def _copied(row: Model, **changes: Any) -> Model:
    """A new, unsaved row with every field of `row` but its primary key and `changes`
    (by field name): a field added to the model later travels too (the typed name of
    a tablet consent once did not)."""
    model = type(row)
    values = {
        field.attname: getattr(row, field.attname)
        for field in model._meta.concrete_fields
        if not field.primary_key and field.name not in changes
    }
    return model(**values, **changes)


@transaction.atomic
def do_start_addendum(intake: Intake, *, reason: str, by: User) -> Intake:
    """Start a new intake version from a signed one: sections and their history copied,
    re-screened, in progress, needing its own sign-off."""
    locked = Intake.objects.select_for_update().get(pk=intake.pk)
    # The sign-off rows decide, not the status column (issue 13 F7).
    if not SignOff.objects.filter(intake=locked, status=SignOff.Status.ACTIVE).exists():
        raise ReviewError(
            "Only the signed, current version of an intake can be amended."
        )
    if not reason.strip():
        raise ReviewError("Give the reason for the addendum.")
    open_addendum = Intake.objects.filter(amends=locked, signoff__isnull=True)
    if open_addendum.exists():
        raise ReviewError("An addendum to this intake is already in progress.")
    now = timezone.now()
    addendum = Intake.objects.create(
        clinic=locked.clinic,
        patient=locked.patient,
        intake_on=locked.intake_on,
        version=locked.version,
        amends=locked,
        created_by=by,
    )
    originals = list(
        IntakeSection.objects.filter(intake=locked).prefetch_related("revisions")
    )
    copies = IntakeSection.objects.bulk_create(
        _copied(section, intake=addendum) for section in originals
    )
    # The field history travels with the answers, so "entered by" stays true.
    SectionRevision.objects.bulk_create(
        _copied(revision, section=copy)
        for section, copy in zip(originals, copies, strict=True)
        for revision in section.revisions.all()
    )
    # The patient's consent was given for the visit, which the addendum corrects:
    # it travels with it, as recorded (append-only rows, #18).
    ConsentRecord.objects.bulk_create(
        _copied(given, intake=addendum)
        for given in ConsentRecord.objects.filter(intake=locked).order_by("pk")
    )
    root_id = chain_root_id(locked)
    record = Addendum.objects.create(
        intake=addendum,
        amends=locked,
        root_id=root_id,
        reason=reason.strip(),
        started_by=by,
        started_at=now,
    )
    audit.record(
        audit.Event.INTAKE_AMENDED,
        actor=by,
        clinic=locked.clinic,
        patient=locked.patient,
        target=addendum,
        category="signoff",
        object_version=addendum.version,
        # The reason is clinical text: it stays on the Addendum row (F6).
        reason=f"addendum:{record.pk}",
        detail={"amends": locked.pk},
    )
    screenings.do_screen_intake(addendum, by=by)
    return addendum


# Re-screening under a newer ruleset


def compare_results(
    old_result: dict[str, Any], new_result: dict[str, Any]
) -> dict[str, Any]:
    """What a new screening would add, remove or grade differently (by rule code)."""
    old_flags = {flag["code"]: flag for flag in old_result.get("flags", [])}
    new_flags = {flag["code"]: flag for flag in new_result.get("flags", [])}
    old_ne = {item["code"] for item in old_result.get("not_evaluable", [])}
    new_ne = {item["code"] for item in new_result.get("not_evaluable", [])}
    return {
        "old_ruleset_version": old_result.get("ruleset_version"),
        "new_ruleset_version": new_result.get("ruleset_version"),
        "old_outcome": old_result.get("outcome"),
        "new_outcome": new_result.get("outcome"),
        "added": [new_flags[code] for code in sorted(new_flags.keys() - old_flags)],
        "removed": [old_flags[code] for code in sorted(old_flags.keys() - new_flags)],
        "severity_changed": [
            {
                "code": code,
                "title": new_flags[code].get("title", ""),
                "old": old_flags[code]["severity"],
                "new": new_flags[code]["severity"],
            }
            for code in sorted(old_flags.keys() & new_flags.keys())
            if old_flags[code]["severity"] != new_flags[code]["severity"]
        ],
        "not_evaluable_added": sorted(new_ne - old_ne),
        "not_evaluable_removed": sorted(old_ne - new_ne),
    }


def has_differences(comparison: dict[str, Any]) -> bool:
    return any(
        comparison[key]
        for key in (
            "added",
            "removed",
            "severity_changed",
            "not_evaluable_added",
            "not_evaluable_removed",
        )
    ) or (comparison["old_outcome"] != comparison["new_outcome"])


def preview_under_active_ruleset(
    intake: Intake, sections: Iterable[IntakeSection], signoff: SignOff
) -> dict[str, Any] | None:
    """Screen the signed answers in memory under the clinic's active ruleset.

    None when that is the ruleset the intake was signed under. Nothing is stored: the
    signed screening stays what the clinician signed.
    """
    active = rulesets.get_active_ruleset(intake.clinic)
    if (active.label or "") == signoff.ruleset_version:
        return None
    document = documents.intake_document(intake, list(sections))
    _, result = screenings.run_engine(document, rulesets.get_engine_ruleset(active))
    return compare_results(signoff.screening.result, result)


def chain_intakes(intake: Intake) -> list[Intake]:
    """Every version of the intake's chain (original and addenda), oldest first."""
    if intake.amends_id is None and not intake.is_signed:
        # Addenda are made from signed intakes only: a never-signed original has none.
        return [intake]
    # The chain is its root and the addenda of that root, as one id list (a UNION)
    # that PostgreSQL looks up by index: OR-ing the conditions over a join instead
    # scans every intake (60 ms at 20,000 intakes, seconds at a million).
    root = Coalesce(
        Subquery(Addendum.objects.filter(intake=intake.pk).values("root_id")[:1]),
        Value(intake.pk),
    )
    chain = (
        Addendum.objects.filter(root_id=root)
        .values("intake_id")
        .union(Intake.objects.filter(pk=root).values("pk"), all=True)
    )
    return list(
        Intake.objects.filter(pk__in=chain)
        .select_related(
            "patient",
            "signoff__signer",
            "signoff__screening",
            "addendum_record__started_by",
        )
        .order_by("pk")
    )
