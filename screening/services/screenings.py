"""Screen an intake with its clinic's ruleset and store the result."""

import json
import logging
from typing import Any, Final

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone

from screening import audit, engine
from screening.json_numbers import AnswerEncoder
from screening.models import Intake, IntakeSection, Screening
from screening.services import documents, rulesets, urgent

logger = logging.getLogger(__name__)

SEVERITY_COUNTS = {
    "absolute": "absolute_count",
    "relative": "relative_count",
    "caution": "caution_count",
}


# What a screening of the same intake version and ruleset replaces.
_UPDATED_COLUMNS: Final = (
    "ruleset_version",
    "outcome",
    "result",
    "screened_at",
    *SEVERITY_COUNTS.values(),
    "not_evaluable_count",
)
# The columns _store_as_current_in_one_statement writes: every column of the table
# (tests/services/test_screenings.py fails when the model gets another).
SCREENING_COLUMNS: Final = (
    "intake_id",
    "intake_version",
    "ruleset_id",
    *_UPDATED_COLUMNS,
)
_PLACEHOLDERS: Final = ", ".join(
    "%s::jsonb" if column == "result" else "%s" for column in SCREENING_COLUMNS
)
# The upsert and the intake's current screening in one statement: one round trip and
# two ORM compilations fewer for every save and import (#19). PostgreSQL only:
# SQLite has no data-modifying WITH.
_UPSERT_AS_CURRENT: Final = f"""
WITH screening AS (
    INSERT INTO {Screening._meta.db_table} ({", ".join(SCREENING_COLUMNS)})
    VALUES ({_PLACEHOLDERS})
    ON CONFLICT (intake_id, intake_version, ruleset_id) DO UPDATE SET
        {", ".join(f"{column} = EXCLUDED.{column}" for column in _UPDATED_COLUMNS)}
    RETURNING id
)
UPDATE {Intake._meta.db_table} SET current_screening_id = screening.id
FROM screening WHERE {Intake._meta.db_table}.id = %s
RETURNING screening.id
"""  # noqa: S608 - the models' own table and column names


def _store_as_current_in_one_statement(screening: Screening) -> None:
    """Insert the screening (or replace that of the same version and ruleset) and
    make it its intake's current one; set its id."""
    values = [getattr(screening, column) for column in SCREENING_COLUMNS]
    # The result as its JSONField writes it (decimals exact).
    values[SCREENING_COLUMNS.index("result")] = json.dumps(
        screening.result, cls=AnswerEncoder
    )
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT_AS_CURRENT, [*values, screening.intake_id])
        (screening.pk,) = cursor.fetchone()
    screening._state.adding, screening._state.db = False, connection.alias


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
    if connection.vendor == "postgresql":
        _store_as_current_in_one_statement(screening)
    else:
        # One statement: a new screening, or the same version's one replaced.
        Screening.objects.bulk_create(
            [screening],
            update_conflicts=True,
            unique_fields=["intake", "intake_version", "ruleset"],
            update_fields=list(_UPDATED_COLUMNS),
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
