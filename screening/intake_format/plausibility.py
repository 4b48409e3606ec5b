"""Section 4.2 of intake-format.md: valid values that are implausible (warnings).

A warning never refuses a document and never changes the screening. Each function
expects a section that validation has accepted.
"""

import calendar
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from screening.intake_format.fields import checklist_answers
from screening.intake_format.issues import Issue, describe, format_path
from screening.intake_format.schema import (
    SCHEMA,
    is_text_schema,
    items_schema,
    property_schema,
)
from screening.questionnaire import plausible

# (low, high): warn below low or above high (section 4.2).
# The plausible ranges are declared with each question (screening/questionnaire/).
SYSTOLIC_RANGE: Final = plausible("vitals.bp_systolic")
DIASTOLIC_RANGE: Final = plausible("vitals.bp_diastolic")
HEART_RATE_RANGE: Final = plausible("vitals.heart_rate")
BMI_RANGE: Final = plausible("vitals.bmi")
AGE_RANGE: Final = plausible("demographics.age")
# CI-BP-SEVERE's numbers (rule book §5.1): a reading above them is confirmed first.
SEVERE_SYSTOLIC: Final = 180
SEVERE_DIASTOLIC: Final = 100
MAX_PLAUSIBLE_WEEKS: Final = 104
RESPONSE_PCT: Final = 50
# Rule book §5.6: the 12-month DSM-5 remission window.
REMISSION_MONTHS: Final = 12


@dataclass(frozen=True)
class _Context:
    intake_date: date
    age: int | None
    medical_history: Mapping[str, Any] | None


def section_warnings(
    name: str,
    value: Any,
    *,
    intake_date: date,
    age: int | None,
    medical_history: Mapping[str, Any] | None = None,
) -> list[Issue]:
    """The section 4.2 warnings of one section, in field order, then blank text."""
    context = _Context(intake_date, age, medical_history)
    check = _SECTION_CHECKS.get(name)
    issues = [] if check is None or value is None else list(check(value, context))
    issues += _blank_texts(value, SCHEMA["properties"][name], [name])
    return issues


def add_months(start: date, months: int) -> date:
    """The same day `months` months later, clamped to the month's end (§1.3)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def _outside(
    path: str, value: Any, bounds: tuple[int, int], what: str
) -> Iterator[Issue]:
    low, high = bounds
    if value is None:
        return
    if value < low:
        yield Issue(path, f"{what} {describe(value)} is below {low}: confirm it")
    elif value > high:
        yield Issue(path, f"{what} {describe(value)} is above {high}: confirm it")


def _demographics(value: Mapping[str, Any], _context: _Context) -> Iterator[Issue]:
    yield from _outside("demographics.age", value["age"], AGE_RANGE, "age")
    potential = value["reproductive_potential"]
    status = value["pregnancy_status"]
    if potential is False and status == "pregnant":
        yield Issue(
            "demographics.pregnancy_status",
            '"pregnant" with reproductive_potential false is a contradiction: '
            "confirm both answers (REPRO-PREGNANT still fires)",
        )
    if potential is True and status == "not_applicable":
        yield Issue(
            "demographics.pregnancy_status",
            '"not_applicable" is for no reproductive potential, but '
            "reproductive_potential is true: confirm both answers",
        )
    if potential is False and value["breastfeeding"] is True:
        yield Issue(
            "demographics.breastfeeding",
            "breastfeeding with reproductive_potential false is unusual: confirm "
            "both answers (REPRO-BREASTFEEDING still fires)",
        )


def _indication(value: Mapping[str, Any], context: _Context) -> Iterator[Issue]:
    yield from _before_birth(["indication", "current_episode_start"], value, context)


def _vitals(value: Mapping[str, Any], _context: _Context) -> Iterator[Issue]:
    systolic, diastolic = value["bp_systolic"], value["bp_diastolic"]
    yield from _outside("vitals.bp_systolic", systolic, SYSTOLIC_RANGE, "systolic BP")
    yield from _outside(
        "vitals.bp_diastolic", diastolic, DIASTOLIC_RANGE, "diastolic BP"
    )
    high_systolic = systolic is not None and systolic > SEVERE_SYSTOLIC
    high_diastolic = diastolic is not None and diastolic > SEVERE_DIASTOLIC
    if high_systolic or high_diastolic:
        yield Issue(
            "vitals.bp_systolic" if high_systolic else "vitals.bp_diastolic",
            f"BP {describe(systolic)}/{describe(diastolic)} mmHg is above "
            f"{SEVERE_SYSTOLIC}/{SEVERE_DIASTOLIC}: confirm the reading "
            "(CI-BP-SEVERE asks for a recheck)",
        )
    yield from _outside(
        "vitals.heart_rate", value.get("heart_rate"), HEART_RATE_RANGE, "heart rate"
    )
    yield from _outside("vitals.bmi", value.get("bmi"), BMI_RANGE, "BMI")


def _medical_history(value: Mapping[str, Any], context: _Context) -> Iterator[Issue]:
    for item in ("mi_or_acs_date", "revascularization_date"):
        yield from _before_birth(["medical_history", item], value, context)


def _allergies(rows: list[Mapping[str, Any]], context: _Context) -> Iterator[Issue]:
    if context.medical_history is None:
        return
    answers = checklist_answers("medical_history", context.medical_history)
    if answers["hypersensitivity_ketamine_esketamine"] is not False:
        return
    for index, row in enumerate(rows):
        if "ketamine" in row["substance"].casefold():
            yield Issue(
                format_path(["allergies", index, "substance"]),
                "names ketamine or esketamine, but "
                "medical_history.hypersensitivity_ketamine_esketamine is false: "
                "confirm which answer is right (only the checklist item is screened)",
            )


def _trials(rows: list[Mapping[str, Any]], _context: _Context) -> Iterator[Issue]:
    for index, row in enumerate(rows):
        prefix: list[str | int] = ["antidepressant_trials", index]
        weeks = row["weeks_at_dose"]
        if weeks is not None and weeks > MAX_PLAUSIBLE_WEEKS:
            yield Issue(
                format_path([*prefix, "weeks_at_dose"]),
                f"{describe(weeks)} weeks at dose is above {MAX_PLAUSIBLE_WEEKS} "
                "(2 years): confirm it",
            )
        outcome, improvement = row["outcome"], row.get("improvement_pct")
        if improvement is not None and (
            (outcome == "response" and improvement < RESPONSE_PCT)
            or (outcome == "nonresponse" and improvement >= RESPONSE_PCT)
        ):
            yield Issue(
                format_path([*prefix, "outcome"]),
                f'"{outcome}" with improvement_pct {describe(improvement)} '
                f"disagree (a response is {RESPONSE_PCT} % or more): confirm both",
            )
        override = row.get("dose_adequate_override")
        if override is not None and row.get("dose_adequate_override_reason") is None:
            yield Issue(
                format_path([*prefix, "dose_adequate_override"]),
                "an override needs a reason: fill in dose_adequate_override_reason",
            )


def _substance_use(value: Mapping[str, Any], context: _Context) -> Iterator[Issue]:
    audit_c = value["audit_c"]
    if audit_c is not None and audit_c["q1"] == 0:
        for item in ("q2", "q3"):
            if audit_c[item] != 0:
                yield Issue(
                    f"substance_use.audit_c.{item}",
                    f"is {describe(audit_c[item])} although q1 is 0 (never drinks): "
                    "the skipped questions score 0",
                )
    for index, row in enumerate(value["substance_use_disorders"] or []):
        prefix: list[str | int] = ["substance_use", "substance_use_disorders", index]
        yield from _sud_status(prefix, row, context.intake_date)
        yield from _before_birth([*prefix, "last_met_criteria"], row, context)
    for index, row in enumerate(value["non_medical_use"] or []):
        path: list[str | int] = ["substance_use", "non_medical_use", index, "last_use"]
        yield from _before_birth(path, row, context)


def _sud_status(
    prefix: list[str | int], row: Mapping[str, Any], intake_date: date
) -> Iterator[Issue]:
    status, last_met = row["status"], row["last_met_criteria"]
    if status is None or last_met is None:
        return
    anniversary = add_months(date.fromisoformat(last_met), REMISSION_MONTHS)
    if status in ("current", "early_remission") and anniversary <= intake_date:
        yield Issue(
            format_path([*prefix, "status"]),
            f'"{status}" but criteria were last met on {last_met}, 12 months or '
            "more before intake_date: confirm both (the more active reading is "
            "screened)",
        )
    elif status == "sustained_remission" and anniversary > intake_date:
        yield Issue(
            format_path([*prefix, "status"]),
            f'"sustained_remission" but criteria were last met on {last_met}, less '
            "than 12 months before intake_date: confirm both (the more active "
            "reading is screened)",
        )


def _before_birth(
    path: list[str | int], holder: Mapping[str, Any], context: _Context
) -> Iterator[Issue]:
    value = holder.get(str(path[-1]))
    if context.age is None or not isinstance(value, str):
        return
    # Born in the intake year minus age, or the year before.
    earliest = context.intake_date.year - context.age - 1
    if date.fromisoformat(value).year < earliest:
        yield Issue(
            format_path(path),
            f"{value} is before the patient's birth year ({earliest} at the "
            f"earliest, from age {context.age}): confirm the date",
        )


_SECTION_CHECKS: Final[dict[str, Callable[[Any, _Context], Iterator[Issue]]]] = {
    "demographics": _demographics,
    "indication": _indication,
    "vitals": _vitals,
    "medical_history": _medical_history,
    "allergies": _allergies,
    "antidepressant_trials": _trials,
    "substance_use": _substance_use,
}


_MAY_HOLD_TEXT: Final = (str, Mapping, list)


def _blank_texts(
    value: Any, schema: Mapping[str, Any], path: list[str | int]
) -> list[Issue]:
    """Text that is only white space: valid (1-2000 characters) but empty in effect."""
    if isinstance(value, str):
        if not value.strip() and is_text_schema(schema):
            return [Issue(format_path(path), "holds only white space: confirm it")]
        return []
    # Only text and what can hold text need their schema looked up (#19).
    children: list[tuple[str | int, Any, Mapping[str, Any] | None]] = []
    if isinstance(value, Mapping):
        children = [
            (k, v, property_schema(schema, k))
            for k, v in value.items()
            if isinstance(v, _MAY_HOLD_TEXT)
        ]
    elif isinstance(value, list):
        item_schema = items_schema(schema)
        children = [
            (i, v, item_schema)
            for i, v in enumerate(value)
            if isinstance(v, _MAY_HOLD_TEXT)
        ]
    issues = []
    for key, child, child_schema in children:
        if child_schema is not None:
            issues += _blank_texts(child, child_schema, [*path, key])
    return issues
