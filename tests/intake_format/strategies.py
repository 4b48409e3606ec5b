"""Hypothesis strategies for valid intake/1 documents, optional keys included or not."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from screening.intake_format.fields import MEDICAL_ITEMS, PSYCHIATRIC_ITEMS

YES_NO = st.sampled_from([True, False, None])
TEXT = st.text(min_size=1, max_size=12)
TEXT_OR_NULL = st.none() | TEXT


def integer(low: int, high: int) -> st.SearchStrategy[Any]:
    """An integer, sometimes written as an integral Decimal (45.0) as JSON allows."""
    plain = st.integers(low, high)
    return plain | plain.map(lambda n: Decimal(f"{n}.0"))


def decimal(low: int, high: int, places: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(
        min_value=low,
        max_value=high,
        places=places,
        allow_nan=False,
        allow_infinity=False,
    )


def date_until(latest: date) -> st.SearchStrategy[str]:
    return st.dates(latest - timedelta(days=365 * 40), latest).map(date.isoformat)


@st.composite
def optional_keys(draw: st.DrawFn, required: dict[str, Any], **optional: Any) -> Any:
    """An object with its required keys and any subset of the optional ones."""
    result = {key: draw(value) for key, value in required.items()}
    for key, value in optional.items():
        if draw(st.booleans()):
            result[key] = draw(value)
    return result


@st.composite
def vitals(draw: st.DrawFn) -> dict[str, Any]:
    systolic = draw(st.none() | st.integers(50, 300))
    if systolic is None:
        diastolic = draw(st.none() | st.integers(20, 200))
    else:
        # Below systolic, with a pulse pressure of at most 200 (section 4.1).
        low, high = max(20, systolic - 200), min(200, systolic - 1)
        diastolic = draw(st.none() | st.integers(low, high))
    return draw(
        optional_keys(
            {"bp_systolic": st.just(systolic), "bp_diastolic": st.just(diastolic)},
            heart_rate=st.none() | integer(20, 250),
            bmi=st.none() | decimal(10, 100, 1),
        )
    )


@st.composite
def history(draw: st.DrawFn, items: dict[str, Any], intake_date: date) -> Any:
    values = dict.fromkeys(items, YES_NO) | {  # the items whose values are not yes/no
        "mi_or_acs_date": st.sampled_from([False, None]) | date_until(intake_date),
        "revascularization_date": st.sampled_from([False, None])
        | date_until(intake_date),
        "heart_failure_nyha_class": st.none() | integer(0, 4),
        "hepatic_impairment_child_pugh": st.sampled_from(["none", "A", "B", "C", None]),
    }
    block: dict[str, Any] = {}
    if draw(st.booleans()):
        block["checklist_default"] = "all_false"
    for item in draw(st.lists(st.sampled_from(list(items)), unique=True)):
        block[item] = draw(values[item])
    for item in draw(st.lists(st.sampled_from(list(items)), unique=True, max_size=3)):
        block[f"{item}_detail"] = draw(TEXT_OR_NULL)
    if draw(st.booleans()):
        block["other_conditions"] = draw(st.lists(TEXT, max_size=2))
    return block


def trial() -> st.SearchStrategy[Any]:
    return optional_keys(
        {
            "drug": TEXT,
            "daily_dose_mg": st.none() | decimal(0, 100000, 4).filter(bool),
            "weeks_at_dose": st.none() | decimal(0, 520, 2),
            "adherence_pct": st.none() | integer(0, 100) | decimal(0, 100, 1),
            "outcome": st.sampled_from(
                ["nonresponse", "partial_response", "response", "intolerance", None]
            ),
            "current_episode": YES_NO,
        },
        improvement_pct=st.none() | decimal(-100, 100, 1),
        ongoing=st.booleans(),
        stopped_reason=TEXT_OR_NULL,
        target=st.sampled_from(["depression", "ptsd", "anxiety", "other", None]),
        dose_adequate_override=YES_NO,
        dose_adequate_override_reason=TEXT_OR_NULL,
    )


def substance_use(intake_date: date) -> st.SearchStrategy[Any]:
    item = st.none() | integer(0, 4)
    disorder = optional_keys(
        {
            "substance": st.sampled_from(
                ["alcohol", "cannabis", "ketamine", "tobacco"]
            ),
            "status": st.sampled_from(
                ["current", "early_remission", "sustained_remission", None]
            ),
            "last_met_criteria": st.none() | date_until(intake_date),
        },
        severity=st.sampled_from(["mild", "moderate", "severe", None]),
        detail=TEXT_OR_NULL,
    )
    use = optional_keys(
        {"substance": st.sampled_from(["cannabis", "cocaine", "ketamine", "mdma"])},
        route=TEXT_OR_NULL,
        pattern=st.sampled_from(["daily", "weekly", "single_use", None]),
        last_use=st.none() | date_until(intake_date),
        detail=TEXT_OR_NULL,
    )
    return st.fixed_dictionaries(
        {
            "audit_c": st.none()
            | st.fixed_dictionaries({"q1": item, "q2": item, "q3": item}),
            "dast10_answers": st.none() | st.lists(YES_NO, min_size=10, max_size=10),
            "substance_use_disorders": st.none() | st.lists(disorder, max_size=2),
            "non_medical_use": st.none() | st.lists(use, max_size=2),
            "dissociative_misuse_lifetime": YES_NO,
        }
    )


@st.composite
def cssrs(draw: st.DrawFn) -> Any:
    answers = {key: draw(YES_NO) for key in ("q1", "q2", "q6")}
    # Branching (section 3.11): unasked questions are null.
    for key in ("q3", "q4", "q5"):
        answers[key] = draw(YES_NO) if answers["q2"] is True else None
    answers["q6_within_3_months"] = draw(YES_NO) if answers["q6"] is True else None
    return answers


def scales() -> st.SearchStrategy[Any]:
    def items(count: int, high: int) -> st.SearchStrategy[Any]:
        return st.none() | st.lists(
            st.none() | integer(0, high), min_size=count, max_size=count
        )

    return optional_keys(
        {"phq9": items(9, 3), "cssrs_screener": st.none() | cssrs()},
        gad7=items(7, 3),
        pcl5=items(20, 4),
        madrs_total=st.none() | integer(0, 60),
    )


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    """A valid intake/1 document: schema, semantic checks and all."""
    intake_date = draw(st.dates(date(2000, 1, 1), date(2030, 12, 31)))
    doc: dict[str, Any] = {"format": "intake/1"}
    if draw(st.booleans()):
        doc["patient"] = {"mrn": draw(st.text(min_size=1, max_size=64))}
    doc["intake_date"] = intake_date.isoformat()
    doc["demographics"] = draw(
        optional_keys(
            {
                "age": integer(0, 120),
                "sex_for_scoring": st.sampled_from(["female", "male", None]),
                "reproductive_potential": YES_NO,
                "pregnancy_status": st.sampled_from(
                    ["pregnant", "not_pregnant", "unknown", "not_applicable", None]
                ),
                "breastfeeding": YES_NO,
            },
            pregnancy_status_basis=TEXT_OR_NULL,
        )
    )
    doc["indication"] = draw(
        optional_keys(
            {
                "primary": st.sampled_from(
                    ["major_depressive_disorder", "ptsd", "other"]
                )
            },
            detail=TEXT_OR_NULL,
            episode=st.sampled_from(["single", "recurrent", None]),
            current_episode_start=st.none() | date_until(intake_date),
            episode_severity_clinician=st.sampled_from(
                ["mild", "severe_with_psychosis", None]
            ),
            augmentation_used=YES_NO,
            ect_used=YES_NO,
            index_trauma_year=st.none() | integer(1900, intake_date.year),
        )
    )
    doc["vitals"] = draw(vitals())
    doc["medical_history"] = draw(history(MEDICAL_ITEMS, intake_date))
    doc["psychiatric_history"] = draw(history(PSYCHIATRIC_ITEMS, intake_date))
    allergy = optional_keys({"substance": TEXT}, reaction=TEXT_OR_NULL)
    doc["allergies"] = draw(st.none() | st.lists(allergy, max_size=2))
    medication = st.fixed_dictionaries(
        {
            "name": TEXT,
            "class": st.sampled_from(["ssri", "maoi", "benzodiazepine", "other"]),
            "daily_dose_mg": st.none() | decimal(0, 100000, 4).filter(bool),
        }
    )
    doc["medications"] = draw(st.none() | st.lists(medication, max_size=3))
    doc["antidepressant_trials"] = draw(st.none() | st.lists(trial(), max_size=3))
    doc["substance_use"] = draw(substance_use(intake_date))
    doc["scales"] = draw(scales())
    reasons = _reasons_for_nulls(doc)
    if reasons and draw(st.booleans()):
        chosen = draw(st.lists(st.sampled_from(reasons), unique=True, min_size=1))
        reason = st.sampled_from(["declined", "unknown", "not_asked"])
        doc["missing_reasons"] = {key: draw(reason) for key in chosen}
    return doc


def _reasons_for_nulls(doc: dict[str, Any]) -> list[str]:
    """Some field paths of the document whose value is null (a reason may name them)."""
    paths = [name for name in ("allergies", "medications") if doc[name] is None]
    paths += [
        f"vitals.{key}"
        for key in ("bp_systolic", "bp_diastolic")
        if doc["vitals"][key] is None
    ]
    phq9 = doc["scales"]["phq9"]
    if phq9 is None:
        paths.append("scales.phq9")
    else:
        paths += [f"scales.phq9[{i}]" for i, item in enumerate(phq9) if item is None]
    return paths
