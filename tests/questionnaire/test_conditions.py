import pytest

from screening import questionnaire
from screening.questionnaire.model import (
    ENTRIES,
    KINDS,
    all_of,
    any_of,
    asked_if,
)

PTSD = asked_if("indication.primary", "=", "ptsd")
RECURRENT = asked_if("indication.episode", "=", "recurrent")


@pytest.mark.parametrize(
    ("answers", "both", "either"),
    [
        ({"indication.primary": "ptsd", "indication.episode": "recurrent"}, True, True),
        ({"indication.primary": "ptsd", "indication.episode": None}, False, True),
        ({"indication.primary": "other"}, False, False),
    ],
)
def test_it_combines_tests_by_all_or_any(answers, both, either):
    assert all_of(PTSD, RECURRENT).holds(answers) is both
    assert any_of(PTSD, RECURRENT).holds(answers) is either


@pytest.mark.parametrize(
    ("value", "holds"), [(None, True), (True, True), (False, False), (0, True)]
)
def test_it_never_takes_a_score_of_zero_for_no(value, holds):
    not_no = asked_if("demographics.reproductive_potential", "!=", False)
    assert not_no.holds({"demographics.reproductive_potential": value}) is holds


@pytest.mark.parametrize(
    ("value", "holds"), [(None, False), (True, True), (False, True)]
)
def test_it_reads_not_null_as_answered(value, holds):
    answered = asked_if("x.override", "!=", None)
    assert answered.holds({"x.override": value}) is holds


def test_it_declares_only_known_kinds_and_entries():
    declared = list(questionnaire.questions())
    declared += [i for each in questionnaire.instruments() for i in each.items]
    assert {q.kind for q in declared} <= set(KINDS)
    assert {q.entry for q in declared} <= set(ENTRIES)


def test_it_marks_the_clinician_entered_instruments_as_clinician_only():
    clinician = {i.key for i in questionnaire.instruments() if i.entry == "clinician"}
    assert clinician == {"CSSRS", "MADRS"}
