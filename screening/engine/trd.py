"""Treatment resistance of clinical-reference.md §7: trial adequacy, the TRD verdict,
Maudsley staging and the Thase-Rush stage."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from screening.engine.dates import add_months
from screening.engine.exact import to_exact
from screening.engine.names import normalise_name
from screening.engine.settings import ClinicSettings

# §7.3: the codes that leave a trial undetermined rather than not counted, with the
# answer that would decide it.
UNKNOWN_REASONS: Final = {
    "episode_unknown": "current_episode",
    "drug_not_in_dose_table": "dose_adequate_override",
    "dose_unknown": "daily_dose_mg",
    "duration_unknown": "weeks_at_dose",
    "adherence_unknown": "adherence_pct",
    "outcome_unknown": "outcome",
    "improvement_unknown": "improvement_pct",
}
FAILURE_OUTCOMES: Final = ("nonresponse", "partial_response")
INTOLERANCE_WEEKS: Final = (
    4  # SFORZINI: stopping before completing week 4 is no failure
)

MAUDSLEY_SEVERITY: Final = {
    "subsyndromal": 1,
    "mild": 2,
    "moderate": 3,
    "severe_without_psychosis": 4,
    "severe_with_psychosis": 5,
}


@dataclass(frozen=True)
class TrialAssessment:
    """One row of `antidepressant_trials` judged against §7.2."""

    index: int
    drug: str
    agent: str
    drug_class: str
    counted: bool | None
    reasons: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """The §11 `trial_assessments` entry."""
        return {
            "drug": self.drug,
            "counted_as_adequate_failure": self.counted,
            "reasons": list(self.reasons),
        }


def assess_trial(
    index: int, row: Mapping[str, Any], settings: ClinicSettings
) -> TrialAssessment:
    """Apply the five criteria of §7.2 and give one reason code per unmet criterion."""
    name = normalise_name(row["drug"])
    table_row = settings.min_dose_row(name)
    weeks = to_exact(row.get("weeks_at_dose"))
    reasons = [
        _episode_reason(row.get("current_episode")),
        _dose_reason(row, table_row.min_mg_per_day if table_row else None),
        _duration_reason(weeks, settings.trd_min_weeks_at_dose),
        _adherence_reason(to_exact(row.get("adherence_pct")), settings),
        _outcome_reason(row, weeks, settings.trd_failure_threshold),
    ]
    codes = tuple(code for code in reasons if code is not None)
    counted: bool | None
    if not codes:
        counted = True
    elif any(code not in UNKNOWN_REASONS for code in codes):
        counted = False
    else:
        counted = None
    return TrialAssessment(
        index=index,
        drug=row["drug"],
        agent=table_row.agent if table_row else name,
        # A drug outside the table is its own class (§7.7).
        drug_class=table_row.drug_class if table_row else name,
        counted=counted,
        reasons=codes,
    )


def _episode_reason(current_episode: bool | None) -> str | None:
    if current_episode is None:
        return "episode_unknown"
    return None if current_episode else "not_current_episode"


def _dose_reason(row: Mapping[str, Any], minimum: Any) -> str | None:
    override = row.get("dose_adequate_override")
    if override is not None:
        # The clinician's judgement replaces the table comparison (§7.2 criterion 2).
        return None if override else "dose_judged_inadequate"
    if minimum is None:
        return "drug_not_in_dose_table"
    dose = to_exact(row.get("daily_dose_mg"))
    if dose is None:
        return "dose_unknown"
    return "dose_below_minimum" if dose < minimum else None


def _duration_reason(weeks: Any, minimum_weeks: int) -> str | None:
    if weeks is None:
        return "duration_unknown"
    return "too_short" if weeks < minimum_weeks else None


def _adherence_reason(adherence: Any, settings: ClinicSettings) -> str | None:
    if adherence is None:
        return "adherence_unknown"
    if adherence < settings.trd_min_adherence_pct:
        return "adherence_below_minimum"
    return None


def _outcome_reason(row: Mapping[str, Any], weeks: Any, threshold: str) -> str | None:
    outcome = row.get("outcome")
    if outcome is None:
        return "outcome_unknown"
    if outcome == "response":
        return "responded"
    if outcome == "intolerance":
        if weeks is not None and weeks < INTOLERANCE_WEEKS:
            return "intolerance_before_week_4"
        return "stopped_for_intolerance"
    improvement = to_exact(row.get("improvement_pct"))
    if threshold == "le25":
        if improvement is None:
            return "improvement_unknown"
        return "improvement_above_threshold" if improvement > 25 else None
    if improvement is not None and improvement >= 50:
        return "improvement_above_threshold"
    return None


@dataclass(frozen=True)
class TrdVerdict:
    """§7.4: the assessments, the count of failed agents and the verdict."""

    assessments: tuple[TrialAssessment, ...] | None
    adequate_failed_trials: int | None
    trd_met: bool | None
    undetermined: tuple[TrialAssessment, ...]


def trd_verdict(
    trials: Sequence[Mapping[str, Any]] | None,
    *,
    applicable: bool,
    settings: ClinicSettings,
) -> TrdVerdict:
    """Count distinct agents with a counted trial and decide TRD (null = undecided)."""
    if trials is None:
        return TrdVerdict(None, None, None, ())
    assessments = tuple(
        assess_trial(index, row, settings) for index, row in enumerate(trials)
    )
    counted = {a.agent for a in assessments if a.counted is True}
    undetermined = tuple(
        a for a in assessments if a.counted is None and a.agent not in counted
    )
    open_agents = {a.agent for a in undetermined}
    met: bool | None = None
    if not applicable:
        met = None
    elif len(counted) >= 2:
        met = True
    elif len(counted) + len(open_agents) < 2:
        met = False
    return TrdVerdict(
        assessments, len(counted), met, undetermined if applicable else ()
    )


def thase_rush_stage(assessments: Sequence[TrialAssessment] | None) -> str | None:
    """§7.7 from the classes of counted trials (stage V is never computed)."""
    if assessments is None:
        return None
    classes = {a.drug_class for a in assessments if a.counted is True}
    stage_three = len(classes - {"tca", "maoi"}) >= 2 and "tca" in classes
    if stage_three and "maoi" in classes:
        return "IV"
    if stage_three:
        return "III"
    if len(classes) >= 2:
        return "II"
    return "I" if classes else "0"


def maudsley(
    indication: Mapping[str, Any],
    adequate_failed_trials: int | None,
    *,
    as_of: date,
    episode_start: date | None,
) -> dict[str, Any] | None:
    """The Maudsley Staging Method (MSM, Table 3), or None when an input is missing."""
    severity = MAUDSLEY_SEVERITY.get(indication.get("episode_severity_clinician") or "")
    augmentation = indication.get("augmentation_used")
    ect = indication.get("ect_used")
    if (
        episode_start is None
        or severity is None
        or augmentation is None
        or ect is None
        or adequate_failed_trials is None
    ):
        return None
    if add_months(episode_start, 12) >= as_of:
        duration = 1
    elif add_months(episode_start, 24) >= as_of:
        duration = 2
    else:
        duration = 3
    antidepressants = _maudsley_failure_points(adequate_failed_trials)
    total = duration + severity + antidepressants + int(augmentation) + int(ect)
    band = "mild" if total <= 6 else "moderate" if total <= 10 else "severe"
    return {
        "duration": duration,
        "severity": severity,
        "antidepressants": antidepressants,
        "augmentation": int(augmentation),
        "ect": int(ect),
        "total": total,
        "band": band,
    }


def _maudsley_failure_points(failed: int) -> int:
    # The scale has no zero category: 0-2 failures score 1 (§7.6, a D choice, §13).
    for upper, points in ((2, 1), (4, 2), (6, 3), (10, 4)):
        if failed <= upper:
            return points
    return 5
