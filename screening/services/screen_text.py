"""A screening result as text for a terminal (`manage.py screen --format text`)."""

from typing import Any

OUTCOME_WORDS = {
    "absolute_contraindication": "ABSOLUTE CONTRAINDICATION",
    "needs_clinician_review": "NEEDS CLINICIAN REVIEW",
    "no_flags": "NO FLAGS",
}
SEVERITY_ORDER = ("absolute", "relative", "caution", "info")


def _value(value: Any) -> str:
    return "not answered" if value is None else str(value)


def render(result: dict[str, Any]) -> str:
    """Outcome, flags by severity with evidence and source, not evaluable, derived."""
    lines = [
        f"Outcome: {OUTCOME_WORDS.get(result['outcome'], result['outcome'])}",
        f"Ruleset: {result['ruleset_version']}",
        "Flags for the clinician (no dosing, no treatment recommendation):",
    ]
    flags = sorted(
        result["flags"], key=lambda flag: SEVERITY_ORDER.index(flag["severity"])
    )
    if not flags:
        lines.append("  none")
    for flag in flags:
        urgent = "  URGENT: same-day safety assessment" if flag.get("urgent") else ""
        lines.append(f"  [{flag['severity']}] {flag['code']}: {flag['title']}{urgent}")
        for path, value in flag["evidence"].get("answers", {}).items():
            lines.append(f"      {path} = {_value(value)}")
        if flag["evidence"].get("threshold") is not None:
            lines.append(f"      threshold: {flag['evidence']['threshold']}")
        source = flag["source"]
        lines.append(
            f"      source: {source['title']} ({source['year']}), {source['section']}"
        )
    lines.append("Not evaluable:")
    if not result["not_evaluable"]:
        lines.append("  none")
    for item in result["not_evaluable"]:
        lines.append(f"  {item['code']}: needs {', '.join(item['needs'])}")
    lines.append("Derived:")
    for name, value in result["derived"].items():
        if name != "trial_assessments":
            lines.append(f"  {name}: {_value(value)}")
    for trial in result["derived"].get("trial_assessments") or []:
        verdict = {True: "counts", False: "does not count", None: "undetermined"}[
            trial["counted_as_adequate_failure"]
        ]
        reasons = ", ".join(trial["reasons"]) or "adequate failure"
        lines.append(f"  trial {trial['drug']}: {verdict} ({reasons})")
    return "\n".join(lines)
