"""What changed on a summary since the clinician opened its sign page (issue 13 F1).

Every review record is append-only and every section save keeps its revision, so the
page as it stood when it was read can be rebuilt from its time (`opened_at`, carried
by the sign form) and compared with today's rows. When the rebuilt page hashes to the
hash the form carried, the list of changes is exact; otherwise (a row stamped just
before the page was read but committed after) the page says so and the clinician
reviews the whole summary.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from screening.models import (
    Acknowledgement,
    Disposition,
    Intake,
    IntakeSection,
    Screening,
    SectionRevision,
)
from screening.review_answers import diff_answers
from screening.services import documents
from screening.services.review_hashes import (
    compute_page_hash,
    get_review_state,
    sections_as_of,
)
from screening.services.reviews import compare_results, has_differences
from screening.services.signoff_verification import (
    IdentityCorrection,
    identity_corrections,
    patient_updates_of,
)


def reason_words(ack: Acknowledgement | None) -> str:
    if ack is None:
        return ""
    reasons = (
        Acknowledgement.FlagReason
        if ack.kind == Acknowledgement.Kind.FLAG
        else Acknowledgement.UnknownReason
    )
    return str(dict(reasons.choices).get(ack.reason_code, ack.reason_code))


@dataclass
class AcknowledgementChange:
    kind: str
    code: str
    before: Acknowledgement | None
    now: Acknowledgement | None

    @property
    def before_reason(self) -> str:
        return reason_words(self.before)

    @property
    def now_reason(self) -> str:
        return reason_words(self.now)


@dataclass
class SummaryChanges:
    """The sign page as it was opened against the summary now."""

    opened_at: datetime
    is_exact: bool
    disposition_before: Disposition | None = None
    disposition_now: Disposition | None = None
    acknowledgements: list[AcknowledgementChange] = field(default_factory=list)
    answers: list[tuple[str, str, str]] = field(default_factory=list)
    results: dict[str, Any] | None = None
    identity: list[IdentityCorrection] = field(default_factory=list)

    @property
    def disposition_changed(self) -> bool:
        before, now = self.disposition_before, self.disposition_now
        return (before.pk if before else None) != (now.pk if now else None)

    @property
    def count(self) -> int:
        return (
            int(self.disposition_changed)
            + len(self.acknowledgements)
            + len(self.answers)
            + int(self.results is not None)
            + len(self.identity)
        )


def _screening_at(intake: Intake, moment: datetime) -> Screening | None:
    return (
        Screening.objects.filter(intake=intake, screened_at__lte=moment)
        .order_by("-screened_at", "-pk")
        .first()
    )


def describe_changes(
    intake: Intake, *, opened_at: datetime, page_sha256: str
) -> SummaryChanges:
    """The page opened at `opened_at` (hashed `page_sha256`) against the rows now."""
    sections = list(IntakeSection.objects.filter(intake=intake))
    revisions = SectionRevision.objects.filter(section__intake=intake).select_related(
        "section"
    )
    acknowledgements = list(
        Acknowledgement.objects.filter(intake=intake).select_related("acknowledged_by")
    )
    dispositions = list(
        Disposition.objects.filter(intake=intake).select_related("decided_by")
    )
    then_sections = sections_as_of(
        intake, revisions, [section.kind for section in sections], as_of=opened_at
    )
    then_screening = _screening_at(intake, opened_at)
    now_screening = intake.current_screening
    then = get_review_state(
        then_screening,
        [ack for ack in acknowledgements if ack.acknowledged_at <= opened_at],
        [row for row in dispositions if row.decided_at <= opened_at],
    )
    now = get_review_state(now_screening, acknowledgements, dispositions)
    changes = SummaryChanges(
        opened_at=opened_at,
        is_exact=then_screening is not None
        and compute_page_hash(
            intake, sections=then_sections, screening=then_screening, state=then
        )
        == page_sha256,
        disposition_before=then.disposition,
        disposition_now=now.disposition,
        answers=diff_answers(
            documents.intake_document(intake, then_sections),
            documents.intake_document(intake, sections),
        ),
    )
    for key in sorted(then.acknowledgements.keys() | now.acknowledgements.keys()):
        before, after = then.acknowledgements.get(key), now.acknowledgements.get(key)
        if before != after:
            changes.acknowledgements.append(
                AcknowledgementChange(
                    kind=key[0], code=key[1], before=before, now=after
                )
            )
    if then_screening and now_screening and then_screening.pk != now_screening.pk:
        comparison = compare_results(then_screening.result, now_screening.result)
        changes.results = comparison if has_differences(comparison) else None
    updates = patient_updates_of([intake.patient_id])[intake.patient_id]
    changes.identity = identity_corrections(updates, after=opened_at)
    return changes
