"""Screen an intake with its clinic's ruleset and store the result."""

import logging
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from screening import audit, engine
from screening.models import Intake, IntakeSection, Screening
from screening.services import documents, rulesets, urgent

logger = logging.getLogger(__name__)

SEVERITY_COUNTS = {
    "absolute": "absolute_count",
    "relative": "relative_count",
    "caution": "caution_count",
}


def screening_counts(result: dict[str, Any]) -> dict[str, int]:
    counts = dict.fromkeys(SEVERITY_COUNTS.values(), 0)
    for flag in result["flags"]:
        field = SEVERITY_COUNTS.get(flag["severity"])
        if field:
            counts[field] += 1
    counts["not_evaluable_count"] = len(result["not_evaluable"])
    return counts


def run_engine(
    document: dict[str, Any], ruleset: engine.Ruleset
) -> tuple[str, dict[str, Any]]:
    """Screen one document; an engine failure is "incomplete", never "no flags"."""
    try:
        result = engine.screen_document(document, ruleset)
    except Exception:  # noqa: BLE001 - any engine fault must fail closed (T-ERR-04)
        # The traceback may quote answers, so only the fact is logged.
        logger.error("screening engine failed for one intake")
        return Screening.Outcome.INCOMPLETE, {
            "outcome": Screening.Outcome.INCOMPLETE,
            "ruleset_version": ruleset.version,
            "flags": [],
            "not_evaluable": [],
            "derived": {},
            "error": "The screening engine failed; do not rely on this screening.",
        }
    return result["outcome"], result


# No savepoint when called inside another transaction (a save, an import): nothing
# catches its errors halfway there, so the whole transaction fails with it, and a
# savepoint is two more round trips a request (#19).
@transaction.atomic(savepoint=False)
def do_screen_intake(
    intake: Intake,
    *,
    by: User,
    sections: list[IntakeSection] | None = None,
) -> Screening:
    """Screen the intake's current version and make it its current screening.

    `sections`: the intake's sections as they are at this version, when the caller
    has them (a section save); otherwise they are read.
    """
    stored_ruleset = rulesets.get_active_ruleset(intake.clinic)
    outcome, result = run_engine(
        documents.intake_document(intake, sections),
        rulesets.get_engine_ruleset(stored_ruleset),
    )
    counts = screening_counts(result)
    screening = Screening(
        intake=intake,
        intake_version=intake.version,
        ruleset=stored_ruleset,
        ruleset_version=result["ruleset_version"],
        outcome=outcome,
        result=result,
        screened_at=timezone.now(),
        **counts,
    )
    # One statement: a new screening, or the same version's one replaced.
    Screening.objects.bulk_create(
        [screening],
        update_conflicts=True,
        unique_fields=["intake", "intake_version", "ruleset"],
        update_fields=[
            "ruleset_version",
            "outcome",
            "result",
            "screened_at",
            *counts,
        ],
    )
    Intake.objects.filter(pk=intake.pk).update(current_screening=screening)
    intake.current_screening = screening
    # From the moment the answer is saved: the urgent marker goes with the screening.
    urgent.do_sync_markers([(intake, urgent.triggers_of(result))], by=by)
    audit.record_for_intake(
        audit.Event.INTAKE_SCREENED,
        intake,
        actor=by,
        target=screening,
        category="screening_summary",
        detail={"ruleset_version": result["ruleset_version"]},
    )
    return screening
