"""Template filters of the rule editor: the nav entry and how a value is shown."""

import json
from typing import Any

from django import template

from screening import permissions
from screening.json_numbers import AnswerEncoder

register = template.Library()


@register.filter
def can_view_rules(user: Any) -> bool:
    """Whether the user may open the rules in any of their clinics (nav entry)."""
    return permissions.can_in_any_clinic(user, permissions.VIEW_RULES)


@register.filter
def as_json(value: Any) -> str:
    """A setting, test or source as compact JSON for a diff or a table cell."""
    return json.dumps(value, cls=AnswerEncoder, ensure_ascii=False, sort_keys=True)


@register.filter
def outcome_label(code: str) -> str:
    """ "needs_clinician_review" -> "needs clinician review"."""
    return str(code).replace("_", " ")
