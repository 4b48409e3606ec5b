"""What a rule and its flag say in words, for clinicians (issue #15, finding 4).

The engine's evidence is written for machines: a threshold is rule code, a setting is a
JSON value, a source is four fields. This module turns each into a line a clinician
reads without the rule book: the rule's plain threshold line (stored with the rule and
edited through draft -> test -> publish), the clinic settings a flag read, the source
citation, why a derived value is not computable, and the title of a rule that could not
be decided. It also reads the numbers of a threshold line and of a condition, for the
publish gate's check that a locked rule's line keeps the rule book's numbers (§6.1).
"""

import operator
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Final

from screening import questionnaire
from screening.engine.instruments import audit_c_cutoff
from screening.engine.rulesets import (
    Ruleset,
    RuleTest,
    load_default_ruleset,
    rule_test_env,
)
from screening.engine.vocabulary import VOCABULARY
from screening.models import Screening
from screening.questionnaire import branching
from screening.services import rulesets

# Numbers that name a thing rather than state a threshold: an instrument ("PHQ-9",
# "DAST-10"), an item ("item 9", "items 3 to 5", "q6") or a rule book section ("§5.9").
_NAMING_NUMBERS: Final = (
    re.compile(r"\b[A-Za-z]+-\d+\b"),
    re.compile(
        r"(?i)\b(?:items?|questions?|q)\s*\d+(?:\s*(?:-|\u2013|to|and|,)\s*\d+)*"
    ),
    re.compile(r"§\s*\d+(?:\.\d+)*"),
)
_NUMBER: Final = re.compile(r"(?<![\w.])\d+(?:\.\d+)?")
# In a condition: a list index (`scales.phq9[8]`) and text literals are no thresholds;
# digits inside names (`dast10_total`) are excluded by _NUMBER's look-behind.
_INDEX: Final = re.compile(r"(?<=\w)\[\d+\]")
_TEXT_LITERAL: Final = re.compile(r'"[^"]*"')

# Cut-offs that sit inside a derived fact rather than in the condition (rule book §8),
# locked all the same: a line may name them.
LOCKED_CUTOFFS: Final[Mapping[str, frozenset[Decimal]]] = {
    "audit_c_positive": frozenset(
        {Decimal(audit_c_cutoff("male")), Decimal(audit_c_cutoff("female"))}
    ),
    # §8.6: behaviour "in the past 3 months" decides between high and moderate.
    "cssrs_risk": frozenset({Decimal(3)}),
}


def numbers_in_line(text: str) -> set[Decimal]:
    """The threshold numbers a plain-language line states ("140/90" -> 140, 90)."""
    for pattern in _NAMING_NUMBERS:
        text = pattern.sub(" ", text)
    return {Decimal(number) for number in _NUMBER.findall(text)}


def numbers_in_condition(expression: str) -> set[Decimal]:
    """The number literals a rule's condition compares with."""
    text = _TEXT_LITERAL.sub(" ", _INDEX.sub(" ", expression))
    return {Decimal(number) for number in _NUMBER.findall(text)}


def allowed_numbers(expression: str) -> set[Decimal]:
    """The condition's numbers and the locked cut-offs of the derived facts it reads."""
    allowed = numbers_in_condition(expression)
    for name, cutoffs in LOCKED_CUTOFFS.items():
        if re.search(rf"\b{re.escape(name)}\b", expression):
            allowed |= cutoffs
    return allowed


def number_list(numbers: set[Decimal]) -> str:
    """The numbers as a clinician writes them: "65, 90, 140"."""
    return ", ".join(f"{number.normalize():f}" for number in sorted(numbers)) or "none"


# Settings (rule book §6), as a flag's evidence records them.

_RAISED_WORDS: Final = {
    "REPRO-PREGNANT": "pregnancy",
    "PSY-PSYCHOSIS": "psychosis",
    "SUB-SUD-ACTIVE": "active substance use disorder",
    "MED-HYPERTHYROID": "untreated hyperthyroidism",
}


def _mg(value: Any) -> str:
    return f"{Decimal(str(value)).normalize():f}"


def setting_words(name: str, value: Any) -> str:
    """One clinic setting a flag read, in words."""
    if name == "trd_min_weeks_at_dose":
        return f"Adequate trial: at least {value} weeks at the minimum dose"
    if name == "trd_failure_threshold":
        return {
            "lt50": "TRD failure: less than 50 % improvement",
            "le25": "TRD failure: 25 % improvement or less (improvement recorded)",
        }.get(value, f"TRD failure: {value}")
    if name == "trd_min_adherence_pct":
        return f"Adequate trial: adherence at least {value} %"
    if name == "bp_guide_age_banded":
        return (
            "BP guide: EU from age 65 (above 150/90), US below (above 140/90)"
            if value
            else "BP guide: US at every age (above 140/90)"
        )
    if name == "recent_cv_event_absolute":
        return (
            "MI/ACS or revascularisation within 6 weeks: absolute contraindication (EU)"
            if value
            else "MI/ACS or revascularisation within 6 weeks: not absolute (US reading)"
        )
    if name == "severity_raised_to_absolute":
        raised = [_RAISED_WORDS.get(code, code) for code in value or []]
        return "Raised to absolute by the clinic: " + (", ".join(raised) or "none")
    if name == "min_dose_table" and isinstance(value, Mapping):
        doses = "; ".join(f"{drug} {_mg(mg)} mg/day" for drug, mg in value.items())
        return f"Minimum adequate dose: {doses}"
    if name == "diazepam_equivalents" and isinstance(value, Mapping):
        return "; ".join(
            f"{drug.capitalize()} {_mg(mg)} mg = diazepam 10 mg"
            for drug, mg in value.items()
        )
    return f"{name.replace('_', ' ').capitalize()}: {value}"


def settings_words(settings: Mapping[str, Any]) -> list[str]:
    """Every setting a flag read, one line each."""
    return [setting_words(name, value) for name, value in settings.items()]


# Sources (rule book §11, §12).

_YEAR: Final = re.compile(r"\b(?:19|20)\d\d\b")


def source_line(source: Mapping[str, Any]) -> str:
    """Title (year), section; the year only when the title does not already date it.

    Some §12 titles carry their own years ("Bush K et al. (1998); Bradley KA et al.
    (2003)", "Janssen (current SPL 2026)"): printing the year column after them repeated
    it, or set two years side by side. The flag's data keeps both (§11).
    """
    title = str(source.get("title") or "").strip()
    year = str(source.get("year") or "").strip()
    section = str(source.get("section") or "").strip()
    line = title
    if year and not _YEAR.search(title):
        line = f"{line} ({year})"
    return f"{line}, {section}" if section else line


# Derived values (rule book §11) that are null, and why.


def _listed(document: Mapping[str, Any], block: str, key: str) -> Any:
    """A checklist answer after `checklist_default` (rule book §1.2)."""
    section = document.get(block) or {}
    if key in section:
        return section[key]
    return False if section.get("checklist_default") == "all_false" else None


def not_computable_reason(
    name: str, derived: Mapping[str, Any], document: Mapping[str, Any]
) -> str:
    """Why a derived value is null, in words ("no MI recorded")."""
    substance = document.get("substance_use") or {}
    scales = document.get("scales") or {}
    if name == "days_since_mi":
        answer = _listed(document, "medical_history", "mi_or_acs_date")
        return "no MI or ACS recorded" if answer is False else "MI/ACS not answered"
    if name == "days_since_revascularization":
        answer = _listed(document, "medical_history", "revascularization_date")
        return (
            "no revascularisation recorded"
            if answer is False
            else "revascularisation not answered"
        )
    if name == "months_since_sud_criteria_last_met":
        if substance.get("substance_use_disorders") is None:
            return "substance use disorders not answered"
        return "no dated substance use disorder recorded (tobacco aside)"
    if name == "diazepam_equivalent_mg_per_day":
        if document.get("medications") is None:
            return "medications not recorded"
        return "a benzodiazepine's dose is missing or its name is not in the table"
    if name == "cssrs_risk":
        if scales.get("cssrs_screener") is None:
            return "C-SSRS screener not recorded"
        return "C-SSRS screener incomplete: a required answer is missing"
    if name == "phq9_item9":
        return "PHQ-9 not administered" if scales.get("phq9") is None else "unanswered"
    if name == "audit_c_total":
        if substance.get("audit_c") is None:
            return "AUDIT-C not administered"
        return "an AUDIT-C item is unanswered"
    if name == "pcl5_dsm5_cluster_rule_met":
        if derived.get("pcl5_band") == "not_administered":
            return "PCL-5 not administered"
        return "undecided: a PCL-5 item is unanswered"
    if name in ("trd_met", "adequate_failed_trials", "thase_rush_stage"):
        if name == "trd_met" and derived.get("trd_rule_applicable") is False:
            return "does not apply: the indication is not major depressive disorder"
        if document.get("antidepressant_trials") is None:
            return "antidepressant trials not recorded"
        return "undecided: a trial's details are missing"
    return "not computable"


# The answers that decided a flag.

_OPERATORS: Final[Mapping[str, Callable[[Any, Any], bool]]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
}
# One entry of the engine's threshold evidence: "demographics.age >= 65".
_COMPARISON: Final = re.compile(
    r"^(?P<path>[\w.\[\]]+) (?P<op>>=|<=|>|<|==|!=) (?P<number>-?\d+(?:\.\d+)?)$"
)


def _failed_comparisons(evidence: Mapping[str, Any]) -> set[str]:
    """Answers whose every stated comparison is false for the recorded value."""
    answers = evidence.get("answers") or {}
    verdicts: dict[str, list[bool]] = {}
    for entry in (evidence.get("threshold") or "").split("; "):
        match = _COMPARISON.match(entry.strip())
        value = answers.get(match["path"]) if match else None
        if match and isinstance(value, int | float) and not isinstance(value, bool):
            number = Decimal(str(value))
            verdict = _OPERATORS[match["op"]](number, Decimal(match["number"]))
            verdicts.setdefault(match["path"], []).append(verdict)
    return {path for path, found in verdicts.items() if not any(found)}


def undeciding_answers(
    ruleset: Ruleset, code: str, evidence: Mapping[str, Any], intake_date: str
) -> set[str]:
    """Answers a fired flag lists that did not decide it, to leave off the summary.

    The engine lists every operand that agrees with a result, so "not (EU guide and
    age >= 65)" lists a 45-year-old's age even when the EU guide is off. An answer is
    left off only when each comparison it was read in is false for it, and the rule
    still fires with that answer unknown: with the EU guide on, the same age decides
    (under 65, so 140/90 applies) and stays.
    """
    rule = ruleset.rule(code)
    failed = _failed_comparisons(evidence)
    if rule is None or not failed:
        return set()
    compiled = rule.compiled()
    answers = evidence.get("answers") or {}
    facts = {
        name: value
        for name, value in answers.items()
        if name.split("[", 1)[0] in VOCABULARY
    }
    test = RuleTest("evidence", {**facts, "intake_date": intake_date}, "fired")
    try:
        env = rule_test_env(test, ruleset.settings)
    except (KeyError, TypeError, ValueError):
        return set()  # an answer the engine cannot read back: show every answer
    undeciding = set()
    for path in failed & set(compiled.facts):
        trial = {**env, path: None}
        for name, source in ruleset.cross_rules:
            trial[name] = source.evaluate(trial)
        if compiled.evaluate(trial) is True:
            undeciding.add(path)
    return undeciding


_CSSRS: Final = "scales.cssrs_screener."
# §8.6 skip logic, as declared: these are not asked after a "no" to the question
# they follow ({"q2": ("q3", "q4", "q5"), "q6": ("q6_within_3_months",)}).
_CSSRS_FOLLOW_UPS: Final = branching.follow_ups(questionnaire.instrument("CSSRS"))


def not_asked_answers(answers: Mapping[str, Any]) -> set[str]:
    """C-SSRS questions skipped after a "no" (§8.6): not asked, so they decided nothing
    and would read as missing data."""
    skipped = set()
    for question, follow_ups in _CSSRS_FOLLOW_UPS.items():
        if answers.get(_CSSRS + question) is False:
            skipped |= {
                _CSSRS + follow_up
                for follow_up in follow_ups
                if _CSSRS + follow_up in answers and answers[_CSSRS + follow_up] is None
            }
    return skipped


# The rule behind each item of a summary.


def engine_ruleset(screening: Screening) -> Ruleset:
    """The compiled ruleset a screening ran with (the default costs no query)."""
    default = load_default_ruleset()
    if screening.ruleset_version == default.version:
        return default
    return rulesets.get_engine_ruleset(screening.ruleset)


def explain_items(
    flags: list[Any],
    not_evaluable: list[Any],
    screening: Screening,
    document: Mapping[str, Any],
) -> None:
    """Give each summary item its threshold line and only the answers that decided
    it; a not-evaluable item its rule's title. Read from the version that produced
    the screening, so a signed summary keeps the words it was signed under."""
    ruleset = engine_ruleset(screening)
    intake_date = str(document.get("intake_date") or "")
    evidence = {
        flag["code"]: flag.get("evidence") or {}
        for flag in screening.result.get("flags", [])
    }
    for item in flags:
        rule = ruleset.rule(item.code)
        item.threshold_text = rule.threshold_text if rule else ""
        found = evidence.get(item.code, {})
        left_off = not_asked_answers(found.get("answers") or {})
        if intake_date:
            left_off |= undeciding_answers(ruleset, item.code, found, intake_date)
        item.lines = [line for line in item.lines if line.path not in left_off]
    for item in not_evaluable:
        rule = ruleset.rule(item.code)
        item.threshold_text = rule.threshold_text if rule else ""
        # Titled in words, never by code; every stored rule has a title.
        item.title = rule.title if rule else "A rule of this ruleset"
