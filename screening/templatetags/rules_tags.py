"""Template filters of the rule editor: how a value is shown."""

import json
from typing import Any

from django import template

from screening.json_numbers import AnswerEncoder

register = template.Library()


@register.filter
def as_json(value: Any) -> str:
    """A setting, test or source as compact JSON for a diff or a table cell."""
    return json.dumps(value, cls=AnswerEncoder, ensure_ascii=False, sort_keys=True)


@register.filter
def outcome_label(code: str) -> str:
    """ "needs_clinician_review" -> "needs clinician review"."""
    return str(code).replace("_", " ")
