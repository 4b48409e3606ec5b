"""Step 4 of intake-format.md 4.1: the checks the schema cannot express.

Each function expects values the schema has already accepted.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from typing import Any, Final

from screening.intake_format.decimals import decimal_places
from screening.intake_format.fields import ALL_FALSE, CHECKLIST_ITEMS
from screening.intake_format.issues import Issue, describe, format_path
from screening.intake_format.schema import (
    SCHEMA,
    allows_null,
    items_schema,
    property_schema,
)
from screening.questionnaire.paths import STRICT_PART, parse_path
from screening.questionnaire.paths import section_of as section_of

# Section 2.5: doses to 0.1 microgram, BMI to one decimal.
MAX_DOSE_PLACES: Final = 4
MAX_BMI_PLACES: Final = 1
# Section 4.1: a wider pulse pressure is a mis-entry (300/20), not a reading.
MAX_PULSE_PRESSURE: Final = 200

_Check = Callable[[Any, date], Iterator[Issue]]


def intake_date_issues(intake_date: date, today: date | None) -> list[Issue]:
    """An intake_date after the day of import or entry is refused."""
    if today is None or intake_date <= today:
        return []
    return [
        Issue(
            "intake_date",
            f"{intake_date} is after today ({today}): an intake describes a day "
            "that has already come",
        )
    ]


def section_issues(name: str, value: Any, *, intake_date: date) -> list[Issue]:
    """The semantic checks of one section (dates, blood pressure, decimal places)."""
    check = _SECTION_CHECKS.get(name)
    if check is None or value is None:
        return []
    return list(check(value, intake_date))


def _indication(value: Mapping[str, Any], intake_date: date) -> Iterator[Issue]:
    yield from _future_date(["indication", "current_episode_start"], value, intake_date)
    year = value.get("index_trauma_year")
    if year is not None and year > intake_date.year:
        yield Issue(
            "indication.index_trauma_year",
            f"{describe(year)} is after {intake_date.year}, the year of intake_date",
        )


def _vitals(value: Mapping[str, Any], _intake_date: date) -> Iterator[Issue]:
    systolic, diastolic = value["bp_systolic"], value["bp_diastolic"]
    if systolic is not None and diastolic is not None:
        if diastolic >= systolic:
            yield Issue(
                "vitals.bp_diastolic",
                f"diastolic {describe(diastolic)} is not below systolic "
                f"{describe(systolic)}: these cannot be one reading",
            )
        elif systolic - diastolic > MAX_PULSE_PRESSURE:
            yield Issue(
                "vitals.bp_diastolic",
                f"pulse pressure {describe(systolic)} - {describe(diastolic)} = "
                f"{describe(systolic - diastolic)} mmHg is above "
                f"{MAX_PULSE_PRESSURE}: check for a mis-entry",
            )
    yield from _places(["vitals", "bmi"], value.get("bmi"), MAX_BMI_PLACES, "a BMI")


def _medical_history(value: Mapping[str, Any], intake_date: date) -> Iterator[Issue]:
    for item in ("mi_or_acs_date", "revascularization_date"):
        yield from _future_date(["medical_history", item], value, intake_date)


def _doses(section: str) -> _Check:
    def check(rows: list[Mapping[str, Any]], _intake_date: date) -> Iterator[Issue]:
        for index, row in enumerate(rows):
            path: list[str | int] = [section, index, "daily_dose_mg"]
            yield from _places(path, row["daily_dose_mg"], MAX_DOSE_PLACES, "a dose")

    return check


def _substance_use(value: Mapping[str, Any], intake_date: date) -> Iterator[Issue]:
    for list_name, field in (
        ("substance_use_disorders", "last_met_criteria"),
        ("non_medical_use", "last_use"),
    ):
        for index, row in enumerate(value[list_name] or []):
            path: list[str | int] = ["substance_use", list_name, index, field]
            yield from _future_date(path, row, intake_date)


_SECTION_CHECKS: Final[dict[str, _Check]] = {
    "indication": _indication,
    "vitals": _vitals,
    "medical_history": _medical_history,
    "medications": _doses("medications"),
    "antidepressant_trials": _doses("antidepressant_trials"),
    "substance_use": _substance_use,
}


def _future_date(
    path: list[str | int], holder: Mapping[str, Any], intake_date: date
) -> Iterator[Issue]:
    value = holder.get(str(path[-1]))
    if isinstance(value, str) and date.fromisoformat(value) > intake_date:
        yield Issue(
            format_path(path),
            f"{value} is after intake_date {intake_date}: no date may be later",
        )


def _places(path: list[str | int], value: Any, most: int, what: str) -> Iterator[Issue]:
    if value is None:
        return
    places = decimal_places(value)
    if places > most:
        allowed = "1 decimal place" if most == 1 else f"{most} decimal places"
        yield Issue(
            format_path(path),
            f"{describe(value)} has {places} decimal places; {what} has at most "
            f"{allowed}",
        )


# missing_reasons (section 3.12).


def missing_reason_issues(doc: Mapping[str, Any], keys: Iterable[str]) -> list[Issue]:
    """A reason is refused unless its key names a field of `doc` that is null (3.12)."""
    issues = []
    for key in keys:
        refusal = _reason_refusal(doc, key)
        if refusal is not None:
            issues.append(Issue(format_path(["missing_reasons", key]), refusal))
    return issues


def _reason_refusal(doc: Mapping[str, Any], key: str) -> str | None:
    """Why a reason may not be given for `key`, or None when it may."""
    # The schema's propertyNames pattern has refused any key outside the grammar.
    parts = parse_path(key, part=STRICT_PART)
    schema: Mapping[str, Any] = SCHEMA
    value: Any = doc
    covered = False  # answered "no" by checklist_default
    for depth, part in enumerate(parts):
        holder = format_path(parts[:depth])
        if isinstance(part, str):
            sub = property_schema(schema, part)
            if sub is None:
                where = "the document" if depth == 0 else holder
                return f'names no field of intake/1 ("{part}" is not a key of {where})'
            if value is None:
                return f"names a field inside {holder}, which is null or absent"
            covered = part not in value and _is_defaulted(parts[:depth], part, value)
            value = value.get(part)
        else:
            sub = items_schema(schema)
            if sub is None:
                return f"names no field of intake/1 ({holder} is not a list)"
            if value is None:
                return f"names a row of {holder}, which is null or absent"
            if part >= len(value):
                rows = f"{len(value)} row{'s' * (len(value) != 1)}"
                return f"index {part} is past the end of {holder} ({rows})"
            value = value[part]
        schema = sub
    if not allows_null(schema):
        return "names a field that cannot be null, so it takes no reason"
    if covered:
        return (
            'is answered "no" by checklist_default "all_false"; a reason is '
            "only for a field that is null"
        )
    if value is not None:
        return "names a field that holds a value; a reason is only for a null"
    return None


def _is_defaulted(holder: list[str | int], item: str, block: Mapping[str, Any]) -> bool:
    if len(holder) != 1 or holder[0] not in CHECKLIST_ITEMS:
        return False
    items = CHECKLIST_ITEMS[str(holder[0])]
    return item in items and block.get("checklist_default") == ALL_FALSE
