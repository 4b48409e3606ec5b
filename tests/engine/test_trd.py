from datetime import date

import pytest

from screening.engine.settings import ClinicSettings
from screening.engine.trd import assess_trial, maudsley, thase_rush_stage, trd_verdict

ADEQUATE = {
    "drug": "sertraline",
    "daily_dose_mg": 100,
    "weeks_at_dose": 8,
    "adherence_pct": 90,
    "outcome": "nonresponse",
    "improvement_pct": 10,
    "current_episode": True,
}


def trial(**changes):
    return {**ADEQUATE, **changes}


# One row per §7.3 reason code, plus the adequate failure.
@pytest.mark.parametrize(
    ("row", "settings", "reasons", "counted"),
    [
        (trial(), {}, [], True),
        (trial(current_episode=None), {}, ["episode_unknown"], None),
        (trial(current_episode=False), {}, ["not_current_episode"], False),
        (
            trial(daily_dose_mg=200, dose_adequate_override=False),
            {},
            ["dose_judged_inadequate"],
            False,
        ),
        (trial(daily_dose_mg=25, dose_adequate_override=True), {}, [], True),
        (trial(drug="bupropion"), {}, ["drug_not_in_dose_table"], None),
        (trial(daily_dose_mg=None), {}, ["dose_unknown"], None),
        (trial(daily_dose_mg=49.99), {}, ["dose_below_minimum"], False),
        (trial(weeks_at_dose=None), {}, ["duration_unknown"], None),
        (trial(weeks_at_dose=5.9), {}, ["too_short"], False),
        (trial(weeks_at_dose=6), {}, [], True),
        (trial(weeks_at_dose=4), {"trd_min_weeks_at_dose": 4}, [], True),
        (trial(adherence_pct=None), {}, ["adherence_unknown"], None),
        (trial(adherence_pct=79.5), {}, ["adherence_below_minimum"], False),
        (trial(outcome=None), {}, ["outcome_unknown"], None),
        (trial(outcome="response"), {}, ["responded"], False),
        (
            trial(outcome="intolerance", weeks_at_dose=3),
            {},
            ["too_short", "intolerance_before_week_4"],
            False,
        ),
        (
            trial(outcome="intolerance", weeks_at_dose=6),
            {},
            ["stopped_for_intolerance"],
            False,
        ),
        (
            trial(outcome="intolerance", weeks_at_dose=None),
            {},
            ["duration_unknown", "stopped_for_intolerance"],
            False,
        ),
        (
            trial(improvement_pct=None),
            {"trd_failure_threshold": "le25"},
            ["improvement_unknown"],
            None,
        ),
        (trial(improvement_pct=50), {}, ["improvement_above_threshold"], False),
        (trial(improvement_pct=49), {}, [], True),
        (
            trial(improvement_pct=26),
            {"trd_failure_threshold": "le25"},
            ["improvement_above_threshold"],
            False,
        ),
        (trial(improvement_pct=25), {"trd_failure_threshold": "le25"}, [], True),
        (
            trial(current_episode=False, outcome="response"),
            {},
            ["not_current_episode", "responded"],
            False,
        ),
    ],
)
def test_it_gives_one_reason_per_unmet_criterion_in_order(
    row, settings, reasons, counted
):
    assessment = assess_trial(0, row, ClinicSettings(**settings))
    assert list(assessment.reasons) == reasons
    assert assessment.counted is counted


def test_it_matches_drug_names_after_normalising():
    assessment = assess_trial(
        0, trial(drug="  Venlafaxine   XR ", daily_dose_mg=75), ClinicSettings()
    )
    assert assessment.agent == "venlafaxine"
    assert assessment.counted is True
    assert assess_trial(
        0, trial(drug="paroxetine-cr", daily_dose_mg=25), ClinicSettings()
    ).reasons == ("drug_not_in_dose_table",)


@pytest.mark.parametrize(
    ("rows", "failed", "met"),
    [
        (
            [trial(drug="sertraline"), trial(drug="escitalopram", daily_dose_mg=10)],
            2,
            True,
        ),
        (
            [
                trial(drug="venlafaxine", daily_dose_mg=75),
                trial(drug="venlafaxine xr", daily_dose_mg=75),
            ],
            1,
            False,
        ),
        (
            [trial(), trial(drug="citalopram", daily_dose_mg=20, weeks_at_dose=None)],
            1,
            None,
        ),
        (
            [
                trial(),
                trial(drug="citalopram", daily_dose_mg=20, current_episode=False),
            ],
            1,
            False,
        ),
        ([], 0, False),
    ],
)
def test_it_counts_distinct_agents_for_the_verdict(rows, failed, met):
    verdict = trd_verdict(rows, applicable=True, settings=ClinicSettings())
    assert (verdict.adequate_failed_trials, verdict.trd_met) == (failed, met)


def test_it_gives_no_verdict_outside_major_depression():
    verdict = trd_verdict([trial()], applicable=False, settings=ClinicSettings())
    assert verdict.trd_met is None
    assert verdict.adequate_failed_trials == 1


@pytest.mark.parametrize(
    ("drugs", "stage"),
    [
        ([], "0"),
        (["sertraline"], "I"),
        (["sertraline", "citalopram"], "I"),
        (["sertraline", "duloxetine"], "II"),
        (["sertraline", "duloxetine", "amitriptyline"], "III"),
        (["sertraline", "duloxetine", "amitriptyline", "phenelzine"], "IV"),
        (["sertraline", "tranylcypromine"], "II"),
    ],
)
def test_it_stages_thase_rush_from_counted_classes(drugs, stage):
    rows = [trial(drug=drug, daily_dose_mg=1000) for drug in drugs]
    verdict = trd_verdict(rows, applicable=True, settings=ClinicSettings())
    assert thase_rush_stage(verdict.assessments) == stage


@pytest.mark.parametrize(
    ("start", "failed", "expected_duration", "expected_points"),
    [
        ("2025-09-15", 0, 1, 1),
        ("2025-09-14", 3, 2, 2),
        ("2024-09-15", 6, 2, 3),
        ("2024-09-14", 10, 3, 4),
        ("2020-01-01", 11, 3, 5),
    ],
)
def test_it_scores_maudsley(start, failed, expected_duration, expected_points):
    indication = {
        "episode_severity_clinician": "severe_without_psychosis",
        "augmentation_used": True,
        "ect_used": False,
    }
    stage = maudsley(
        indication,
        failed,
        as_of=date(2026, 9, 15),
        episode_start=date.fromisoformat(start),
    )
    assert stage is not None
    assert stage["duration"] == expected_duration
    assert stage["antidepressants"] == expected_points
    assert stage["total"] == expected_duration + 4 + expected_points + 1


def test_it_leaves_maudsley_null_when_an_input_is_missing():
    indication = {
        "episode_severity_clinician": "mild",
        "augmentation_used": None,
        "ect_used": False,
    }
    assert (
        maudsley(indication, 2, as_of=date(2026, 9, 15), episode_start=date(2026, 1, 1))
        is None
    )
