from hypothesis import given, settings
from hypothesis import strategies as st

from screening.engine import screen_document
from screening.intake_format.fields import MEDICAL_ITEMS, PSYCHIATRIC_ITEMS
from tests.engine.intakes import intake

# The required answers of clinical-reference.md §5.9, as paths of the base intake.
REQUIRED_ANSWERS = [
    "vitals.bp_systolic",
    "vitals.bp_diastolic",
    *(f"medical_history.{item}" for item in MEDICAL_ITEMS),
    *(f"psychiatric_history.{item}" for item in PSYCHIATRIC_ITEMS),
    "substance_use.audit_c",
    *(f"substance_use.audit_c.q{n}" for n in (1, 2, 3)),
    "substance_use.dast10_answers",
    *(f"substance_use.dast10_answers[{i}]" for i in range(10)),
    "substance_use.substance_use_disorders",
    "substance_use.non_medical_use",
    "substance_use.dissociative_misuse_lifetime",
    "scales.cssrs_screener",
    "scales.cssrs_screener.q1",
    "scales.cssrs_screener.q2",
    "scales.cssrs_screener.q6",
    "scales.phq9",
    "scales.phq9[8]",
    "medications",
    "antidepressant_trials",
]


def blank(paths):
    # A blank inside an already blanked object is the same blank.
    covered = tuple(f"{path}{mark}" for path in paths for mark in (".", "["))
    return intake({path: None for path in paths if not path.startswith(covered)})


@settings(max_examples=150, deadline=None)
@given(st.sets(st.sampled_from(REQUIRED_ANSWERS), min_size=1, max_size=6))
def test_it_never_gives_no_flags_when_a_required_answer_is_blank(paths):
    result = screen_document(blank(paths))
    assert result["outcome"] != "no_flags"
    assert any(flag["code"].startswith("DATA-MISSING-") for flag in result["flags"])


def test_it_gives_no_flags_for_the_complete_intake():
    assert screen_document(intake())["outcome"] == "no_flags"
