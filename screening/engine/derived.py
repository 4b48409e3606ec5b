"""Facts that depend on the clinic settings or on the as_of date: TRD (§7), the SUD
classes (§5.6), recent stimulant use (§5.7), diazepam equivalents (§10.2), days since
a cardiovascular event, and the §11 `derived` object."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from screening.engine import benzodiazepines, substances, trd
from screening.engine.dates import days_before
from screening.engine.facts import Facts
from screening.engine.names import normalise_name
from screening.engine.settings import ClinicSettings
from screening.engine.uncertain import AtLeast
from screening.engine.vocabulary import summed_lists, summed_name

TRIALS_PATH = "antidepressant_trials"
TRD_SETTINGS = (
    "trd_min_weeks_at_dose",
    "trd_failure_threshold",
    "trd_min_adherence_pct",
)


@dataclass
class DerivedFacts:
    """Values with their answers, missing paths and the settings each one read."""

    values: dict[str, Any] = field(default_factory=dict)
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    missing: dict[str, dict[str, Any]] = field(default_factory=dict)
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    output: dict[str, Any] = field(default_factory=dict)

    def add(
        self,
        name: str,
        value: Any,
        answers: dict[str, Any],
        missing: dict[str, Any] | None = None,
        settings: dict[str, Any] | None = None,
    ) -> None:
        self.values[name] = value
        self.answers[name] = answers
        if missing:
            self.missing[name] = missing
        if settings:
            self.settings[name] = settings


def derive(facts: Facts, settings: ClinicSettings, *, as_of: date) -> DerivedFacts:
    """Every settings- or date-dependent fact, and the §11 derived values."""
    derived = DerivedFacts()
    for name, value in settings.scalar_settings().items():
        derived.values[f"settings.{name}"] = value
    _cardiovascular(derived, facts, as_of)
    verdict = _trd(derived, facts, settings, as_of)
    _substances(derived, facts, as_of)
    total = _diazepam(derived, facts, settings)
    derived.output = _output(facts, derived, verdict, total)
    return derived


def _cardiovascular(derived: DerivedFacts, facts: Facts, as_of: date) -> None:
    for name, item in (
        ("days_since_mi", "mi_or_acs_date"),
        ("days_since_revascularization", "revascularization_date"),
    ):
        path = f"medical_history.{item}"
        event_on = facts.values[path]
        days = (
            days_before(event_on, as_of=as_of) if isinstance(event_on, date) else None
        )
        shown = event_on.isoformat() if isinstance(event_on, date) else event_on
        derived.add(
            name, days, {path: shown}, {path: None} if event_on is None else None
        )


def _trd(
    derived: DerivedFacts, facts: Facts, settings: ClinicSettings, as_of: date
) -> trd.TrdVerdict:
    primary = facts.values["indication.primary"]
    applicable = primary == "major_depressive_disorder"
    verdict = trd.trd_verdict(facts.trials, applicable=applicable, settings=settings)
    derived.add("trd_rule_applicable", applicable, {"indication.primary": primary})
    trial_answers: dict[str, Any] = {"indication.primary": primary}
    dose_rows: dict[str, Any] = {}
    for assessment in verdict.assessments or ():
        trial_answers[f"{TRIALS_PATH}[{assessment.index}].drug"] = assessment.drug
        row = settings.min_dose_row(normalise_name(assessment.drug))
        if row is not None:
            dose_rows[assessment.drug] = row.to_dict()["min_mg_per_day"]
    used = {name: getattr(settings, name) for name in TRD_SETTINGS}
    if dose_rows:
        used["min_dose_table"] = dose_rows
    missing: dict[str, Any] = {}
    if facts.trials is None:
        missing[TRIALS_PATH] = None
    for assessment in verdict.undetermined:
        for code in assessment.reasons:
            answer = trd.UNKNOWN_REASONS.get(code)
            if answer is not None:
                missing[f"{TRIALS_PATH}[{assessment.index}].{answer}"] = None
    derived.add("trd_met", verdict.trd_met, trial_answers, missing, used)
    derived.add(
        "adequate_failed_trials",
        verdict.adequate_failed_trials,
        trial_answers,
        {TRIALS_PATH: None} if facts.trials is None else None,
        used,
    )
    derived.add(
        "thase_rush_stage",
        trd.thase_rush_stage(verdict.assessments),
        trial_answers,
        {TRIALS_PATH: None} if facts.trials is None else None,
        used,
    )
    start = facts.values["indication.current_episode_start"]
    stage = trd.maudsley(
        facts.indication,
        verdict.adequate_failed_trials,
        as_of=as_of,
        episode_start=start,
    )
    maudsley_answers = {
        "indication.current_episode_start": start.isoformat() if start else None,
        "indication.episode_severity_clinician": facts.indication.get(
            "episode_severity_clinician"
        ),
        "indication.augmentation_used": facts.indication.get("augmentation_used"),
        "indication.ect_used": facts.indication.get("ect_used"),
        **trial_answers,
    }
    for part in (
        "duration",
        "severity",
        "antidepressants",
        "augmentation",
        "ect",
        "total",
        "band",
    ):
        derived.add(
            f"maudsley.{part}",
            stage[part] if stage else None,
            maudsley_answers,
            None if stage else {k: v for k, v in maudsley_answers.items() if v is None},
            used,
        )
    derived.output["maudsley"] = stage
    return verdict


def _substances(derived: DerivedFacts, facts: Facts, as_of: date) -> None:
    findings = substances.sud_findings(facts.substance_use_disorders, as_of=as_of)
    derived.add(
        "sud_any_active",
        findings.any_active,
        findings.answers.get(substances.ACTIVE, {}),
        findings.missing,
    )
    derived.add(
        "sud_any_in_remission",
        findings.any_in_remission,
        findings.answers.get(substances.IN_REMISSION, {}),
        findings.missing,
    )
    derived.add(
        "months_since_sud_criteria_last_met",
        findings.months_since_last_met,
        {substances.SUD_PATH: None} if facts.substance_use_disorders is None else {},
    )
    stimulants = substances.recent_stimulant_use(facts.non_medical_use, as_of=as_of)
    derived.add(
        "nonmedical_stimulant_within_3_months",
        stimulants.recent,
        stimulants.answers,
        stimulants.missing,
    )
    derived.output["months_since_sud_criteria_last_met"] = (
        findings.months_since_last_met
    )


def _diazepam(
    derived: DerivedFacts, facts: Facts, settings: ClinicSettings
) -> benzodiazepines.DiazepamTotal:
    total = benzodiazepines.diazepam_total(facts.medications, settings)
    value: Any = total.exact
    if value is None and total.known is not None:
        # Only the known part is certain: DDI-BZD-HIGH fires if it already exceeds 8.
        value = AtLeast(total.known)
    derived.add(
        "diazepam_equivalent_exact",
        value,
        total.answers,
        total.missing,
        {"diazepam_equivalents": total.rows_used} if total.rows_used else None,
    )
    return total


# The instrument scores in the order of the §11 table.
_SCORES: Final = (
    "phq9_total",
    "phq9_item9",
    "phq9_band",
    "gad7_total",
    "gad7_band",
    "pcl5_total",
    "pcl5_band",
    "pcl5_clusters",
    "pcl5_endorsed_items_ge2",
    "pcl5_dsm5_cluster_rule_met",
    "audit_c_total",
    "audit_c_positive",
    "dast10_total",
    "dast10_band",
)
# A summed instrument declared after the table was written follows it.
_LATER_SCORES: Final = tuple(
    f"{summed_name(each)}_{part}"
    for each in summed_lists()
    if f"{summed_name(each)}_total" not in _SCORES
    for part in ("total", "band")
)


def _output(
    facts: Facts,
    derived: DerivedFacts,
    verdict: trd.TrdVerdict,
    total: benzodiazepines.DiazepamTotal,
) -> dict[str, Any]:
    """The §11 derived object, every name present, in the table's order."""
    known = facts.derived
    values = derived.values
    return {
        "trd_rule_applicable": values["trd_rule_applicable"],
        "trial_assessments": (
            None
            if verdict.assessments is None
            else [assessment.to_json() for assessment in verdict.assessments]
        ),
        "adequate_failed_trials": verdict.adequate_failed_trials,
        "trd_met": verdict.trd_met,
        "thase_rush_stage": values["thase_rush_stage"],
        "maudsley": derived.output["maudsley"],
        "days_since_mi": values["days_since_mi"],
        "days_since_revascularization": values["days_since_revascularization"],
        **{name: known[name] for name in _SCORES},
        "months_since_sud_criteria_last_met": derived.output[
            "months_since_sud_criteria_last_met"
        ],
        "diazepam_equivalent_mg_per_day": total.printed(),
        "cssrs_risk": known["cssrs_risk"],
        "madrs_total": known["madrs_total"],
        "madrs_band": known["madrs_band"],
        **{name: known[name] for name in _LATER_SCORES},
    }
