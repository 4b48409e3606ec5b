"""Nothing changes behind a signature (issue #15): re-reviews after a publish.

A published ruleset never re-screens a signed intake: the signature covers the result
the clinician saw. But when the new rules would change that result, the signer must
know. After a publish, every intake signed within the clinic's window (12 months by
default, `Clinic.rereview_months`) is screened in memory under the new rules; each one
whose result would change (outcome, flags added or removed, severities, not-evaluable
rules) gets a re-review with the difference, on its signer's worklist and the
clinic's. A clinician closes it by signing an addendum, or by recording "reviewed, no
change" with a reason. The impact preview shows the same differences per signed intake
before publishing.
"""

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, time
from typing import Any, Final

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from screening import audit, engine
from screening.engine.dates import add_months
from screening.models import (
    Clinic,
    Intake,
    IntakeSection,
    ReReview,
    RulesetVersion,
    SignOff,
)

# reviews imports this module too (an addendum's sign-off closes re-reviews).
from screening.services import documents, reviews, rulesets, screenings

CHUNK: Final = 200
LIST_LIMIT: Final = 100


class ReReviewError(Exception):
    """A closure refused; the message says what to do."""


def window_start(clinic: Clinic, *, at: datetime) -> datetime:
    """The first moment of the re-review window that ends at `at`."""
    first_day = add_months(timezone.localdate(at), -clinic.rereview_months)
    return timezone.make_aware(datetime.combine(first_day, time.min))


def signed_changes(
    clinic: Clinic, ruleset: engine.Ruleset, *, since: datetime
) -> Iterator[tuple[SignOff, dict[str, Any] | None]]:
    """Each active sign-off of the clinic since `since`, with what `ruleset` would
    change in its signed result (None when nothing would), a chunk at a time."""
    last = 0
    while True:
        chunk = list(
            SignOff.objects.filter(
                intake__clinic=clinic,
                status=SignOff.Status.ACTIVE,
                signed_at__gte=since,
                pk__gt=last,
            )
            .select_related("intake__patient", "screening", "signer")
            .order_by("pk")[:CHUNK]
        )
        if not chunk:
            return
        sections: dict[int, list[IntakeSection]] = defaultdict(list)
        for section in IntakeSection.objects.filter(
            intake_id__in=[signoff.intake_id for signoff in chunk]
        ):
            sections[section.intake_id].append(section)
        for signoff in chunk:
            document = documents.intake_document(
                signoff.intake, sections[signoff.intake_id]
            )
            _, result = screenings.run_engine(document, ruleset)
            comparison = reviews.compare_results(signoff.screening.result, result)
            yield signoff, comparison if reviews.has_differences(comparison) else None
        last = chunk[-1].pk


def preview_row(signoff: SignOff, comparison: dict[str, Any]) -> dict[str, Any]:
    """One signed intake of the impact preview: ids and codes, no answers or names."""
    return {
        "intake": signoff.intake_id,
        "signed_on": timezone.localdate(signoff.signed_at).isoformat(),
        "old_outcome": comparison["old_outcome"],
        "new_outcome": comparison["new_outcome"],
        "added": [flag["code"] for flag in comparison["added"]],
        "removed": [flag["code"] for flag in comparison["removed"]],
        "severity_changed": [row["code"] for row in comparison["severity_changed"]],
        "not_evaluable_added": comparison["not_evaluable_added"],
        "not_evaluable_removed": comparison["not_evaluable_removed"],
    }


def _stored_diff(comparison: dict[str, Any]) -> dict[str, Any]:
    """What a re-review keeps: codes, titles, severities and outcomes."""

    def flag(row: dict[str, Any]) -> dict[str, Any]:
        return {key: row.get(key) for key in ("code", "severity", "title", "urgent")}

    return {
        **comparison,
        "added": [flag(row) for row in comparison["added"]],
        "removed": [flag(row) for row in comparison["removed"]],
    }


def do_queue_rereviews(ruleset: RulesetVersion) -> int:
    """Queue a re-review for every signed intake in the window whose result the newly
    published `ruleset` would change; returns how many were queued."""
    clinic = ruleset.clinic
    assert clinic is not None  # noqa: S101 - only a clinic's own versions are published
    published_at = ruleset.published_at or timezone.now()
    engine_ruleset = rulesets.get_engine_ruleset(ruleset)
    queued = 0
    pending: list[ReReview] = []
    now = timezone.now()
    for signoff, comparison in signed_changes(
        clinic, engine_ruleset, since=window_start(clinic, at=published_at)
    ):
        if comparison is None:
            continue
        pending.append(
            ReReview(
                intake_id=signoff.intake_id,
                clinic=clinic,
                signoff=signoff,
                signer_id=signoff.signer_id,
                ruleset=ruleset,
                diff=_stored_diff(comparison),
                created_at=now,
            )
        )
        if len(pending) >= CHUNK:
            queued += _insert(pending)
            pending = []
    return queued + _insert(pending)


def _insert(rows: list[ReReview]) -> int:
    if not rows:
        return 0
    # A resumed job meets the ones it queued before: the constraint keeps one each.
    already = ReReview.objects.filter(
        signoff_id__in=[row.signoff_id for row in rows], ruleset_id=rows[0].ruleset_id
    ).count()
    ReReview.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows) - already


@transaction.atomic
def do_close_no_change(intake: Intake, *, reason: str, by: User) -> int:
    """Record "reviewed, no change" with a reason on the intake's open re-reviews."""
    if not reason.strip():
        raise ReReviewError("Say why the signed result still stands.")
    closed = _close(intake, closure=ReReview.Closure.NO_CHANGE, reason=reason, by=by)
    if not closed:
        raise ReReviewError("This intake has no open re-review.")
    audit.record_for_intake(
        audit.Event.REVIEW_ACKNOWLEDGED,
        intake,
        actor=by,
        target=intake,
        category="signoff",
        detail={"count": closed},
    )
    return closed


def close_by_addendum(addendum: Intake, *, by: User) -> int:
    """An addendum's sign-off closes the re-reviews of the intake it amends (called
    inside do_sign_off's transaction, whose review.signed row records the act)."""
    if addendum.amends_id is None:
        return 0
    return ReReview.objects.filter(
        intake_id=addendum.amends_id, closed_at__isnull=True
    ).update(
        closed_at=timezone.now(),
        closed_by=by,
        closure=ReReview.Closure.ADDENDUM,
        reason=f"Addendum intake {addendum.pk} signed.",
    )


def _close(intake: Intake, *, closure: str, reason: str, by: User) -> int:
    return ReReview.objects.filter(intake=intake, closed_at__isnull=True).update(
        closed_at=timezone.now(), closed_by=by, closure=closure, reason=reason.strip()
    )


# Reading


def open_for_intake(intake: Intake) -> list[ReReview]:
    return list(
        ReReview.objects.filter(intake=intake, closed_at__isnull=True)
        .select_related("ruleset", "signer")
        .order_by("created_at", "pk")
    )


def closed_for_intake(intake: Intake) -> list[ReReview]:
    return list(
        ReReview.objects.filter(intake=intake, closed_at__isnull=False)
        .select_related("ruleset", "closed_by")
        .order_by("-closed_at")
    )


def list_open(clinic: Clinic, *, user: User, limit: int = LIST_LIMIT) -> list[ReReview]:
    """The clinic's open re-reviews: the user's own signatures first, then oldest
    first. One query over the open partial index (clinic, created_at)."""
    mine = Case(
        When(signer_id=user.pk, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return list(
        ReReview.objects.filter(
            clinic=clinic, closed_at__isnull=True, intake__patient__is_deleted=False
        )
        .select_related("intake__patient", "signer", "ruleset")
        .order_by(mine, "created_at", "pk")[:limit]
    )
