"""What a clinic may change in its rules (rule book §6.1), checked on the server.

The baseline is the shipped default ruleset, never the draft's own `locked` flags: an
imported document could clear those. Each check returns messages by form field, so the
editor shows them beside the field that broke the lock.
"""

import json
from functools import cache
from typing import Any, Final

from screening import rule_text
from screening.engine.rulesets import DEFAULT_RULESET_PATH

SEVERITY_RANK: Final = {"info": 0, "caution": 1, "relative": 2, "absolute": 3}

ABSOLUTE = "absolute"
MISSING_DATA = "missing_data"
CONDITION = "condition"


@cache
def baseline_rules() -> dict[str, dict[str, Any]]:
    """The shipped default rules by code (fixtures/default_ruleset.json)."""
    document = json.loads(DEFAULT_RULESET_PATH.read_text(encoding="utf-8"))
    return {rule["code"]: rule for rule in document["rules"]}


def lock_of(code: str) -> str | None:
    """Why a rule is locked: an absolute rule, a missing-data rule, or a condition that
    holds a BP number or an instrument cut-off (the default marks those `locked`)."""
    base = baseline_rules().get(code)
    if base is None:
        return None
    if base["severity"] == ABSOLUTE:
        return ABSOLUTE
    if code.startswith("DATA-MISSING-"):
        return MISSING_DATA
    if base.get("locked"):
        return CONDITION
    return None


def _same_condition(a: str, b: str) -> bool:
    # Re-spacing a condition changes nothing it decides.
    return " ".join(a.split()) == " ".join(b.split())


LOCK_REASONS: Final = {
    ABSOLUTE: "an absolute contraindication",
    MISSING_DATA: "a missing-data rule",
    CONDITION: "a rule whose condition holds a BP number or an instrument cut-off",
}


def rule_change_problems(
    code: str, *, expression: str, severity: str, enabled: bool
) -> dict[str, str]:
    """Messages, by field, for a change §6.1 does not allow to this rule."""
    base = baseline_rules().get(code)
    if base is None:  # a clinic's own rule: any condition, any severity
        return {}
    lock = lock_of(code)
    problems: dict[str, str] = {}
    if lock and not _same_condition(expression, base["expression"]):
        problems["expression"] = (
            f"{code} is {LOCK_REASONS[lock]}, so its condition is locked (rule book "
            f"§6.1). Put back: {base['expression']}"
        )
    if lock in (ABSOLUTE, MISSING_DATA) and severity != base["severity"]:
        problems["severity"] = (
            f"{code} is {LOCK_REASONS[lock]}, so its severity stays "
            f"{base['severity']} (rule book §6.1)."
        )
    elif SEVERITY_RANK[severity] < SEVERITY_RANK[base["severity"]]:
        problems["severity"] = (
            f"A severity may be raised but never lowered below the default: choose "
            f"{base['severity']} or higher for {code} (rule book §6.1)."
        )
    if lock and not enabled:
        problems["enabled"] = (
            f"{code} is {LOCK_REASONS[lock]} and cannot be switched off "
            "(rule book §6.1)."
        )
    return problems


def retire_problem(code: str) -> str | None:
    """Why this rule may not be retired, or None."""
    lock = lock_of(code)
    if lock is None:
        return None
    return f"{code} is {LOCK_REASONS[lock]} and cannot be retired (rule book §6.1)."


def threshold_line_problem(code: str, text: str) -> str | None:
    """Why a locked rule's plain threshold line may not be published, or None.

    The rule book locks the numbers of these rules (§6.1), so the words a clinician
    reads must state the condition's numbers and no others: a line saying "above 150/90"
    over a condition that fires above 140/90 would mislead at the bedside. The locked
    condition is the shipped one (a changed one is refused on its own field).
    """
    if lock_of(code) is None:
        return None
    expression = baseline_rules()[code]["expression"]
    stated = rule_text.numbers_in_line(text)
    required = rule_text.numbers_in_condition(expression)
    if required <= stated <= rule_text.allowed_numbers(expression):
        return None
    return (
        f"The threshold line of {code} must state the numbers of its condition, which "
        f"the rule book locks (§6.1): {rule_text.number_list(required)}. The line "
        f"states {rule_text.number_list(stated)}. Write the line with the "
        "condition's numbers."
    )
