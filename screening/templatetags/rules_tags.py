"""Template filters of the rule editor: how a value is shown; the rules table's rows."""

import json
from collections.abc import Mapping
from typing import Any

from django import template
from django.utils.safestring import SafeString

from screening.json_numbers import AnswerEncoder
from screening.markup import html
from screening.models import Rule

register = template.Library()


@register.filter
def as_json(value: Any) -> str:
    """A setting, test or source as compact JSON for a diff or a table cell."""
    return json.dumps(value, cls=AnswerEncoder, ensure_ascii=False, sort_keys=True)


@register.filter
def outcome_label(code: str) -> str:
    """ "needs_clinician_review" -> "needs clinician review"."""
    return str(code).replace("_", " ")


_RULE_ROW = (
    "<tr>\n"
    "  <td><code>{}</code></td>\n"
    '  <td><span class="badge severity-{} text-bg-light border">{}</span></td>\n'
    "  <td>{}</td>\n"
    "  <td><small>{}{}</small></td>\n"
    "  <td>{}</td>\n"
    "</tr>"
)


# The columns rule_row shows: the rules index reads only these, as plain values.
RULE_ROW_FIELDS = ("code", "severity", "title", "source", "enabled", "is_retired")
_SEVERITY_LABELS = dict(Rule.Severity.choices)


@register.simple_tag
def rule_row(rule: Mapping[str, Any]) -> SafeString:
    """One row of the rules index from a rule's RULE_ROW_FIELDS, escaped by
    markup.html. Written here, not as five cells of template tags, and from values,
    not model objects: a ruleset's rows of them were two thirds of the page's time
    (#19), as the audit report's rows were (audit_tags.audit_row)."""
    source = rule["source"] or {}
    section = source.get("section")
    if rule["is_retired"]:
        state = "retired"
    elif not rule["enabled"]:
        state = "switched off"
    else:
        state = "in use"
    return html(
        _RULE_ROW,
        rule["code"],
        rule["severity"],
        _SEVERITY_LABELS.get(rule["severity"], rule["severity"]),
        rule["title"],
        source.get("title", ""),
        html(", {}", section) if section else "",
        state,
    )
