"""Filters of the patient and intake pages: answer companions, labels, outcomes."""

from typing import Any

from django import template
from django.forms import BoundField

from screening.questionnaire.labels import answer_text
from screening.questionnaire.labels import question_label as label_of

register = template.Library()

OUTCOMES = {
    "absolute_contraindication": ("Absolute contraindication", "alert-danger"),
    "needs_clinician_review": ("Needs clinician review", "alert-warning"),
    "no_flags": ("No flags", "alert-success"),
    # The engine failed: never presented as "no flags" (security.md T-ERR-04).
    "incomplete": ("Screening incomplete \u2013 do not rely", "alert-danger"),
}
# The badge's colours are its CSS class (includes/_severity_badge.html, app.css).
SEVERITIES = {
    "absolute": "Absolute",
    "relative": "Relative",
    "caution": "Caution",
    "info": "Info",
}


@register.filter
def companion(field: BoundField, suffix: str) -> BoundField | None:
    """The field's companion (`__why` reason, `__on` date, `_detail` note), if any."""
    name = field.name + suffix
    return field.form[name] if name in field.form.fields else None


@register.filter
def companions(field: BoundField) -> list[BoundField]:
    """Every companion of the field, for showing their errors beside it."""
    found = (companion(field, suffix) for suffix in ("__on", "__why", "_detail"))
    return [bound for bound in found if bound is not None]


@register.filter
def field_warnings(field: BoundField) -> list[str]:
    """Unconfirmed intake-format.md 4.2 warnings attached to this field."""
    return getattr(field.form, "field_warnings", {}).get(field.name, [])


@register.filter
def show_errors(form: Any) -> bool:
    helper = getattr(form, "helper", None)
    return helper is None or helper.form_show_errors


@register.filter
def web_link(url: Any) -> str:
    """A source URL safe to link: http(s) only; anything else is not linked."""
    text = str(url or "")
    return text if text.startswith(("https://", "http://")) else ""


@register.filter
def lowerfirst(text: str) -> str:
    """ "Vital signs" -> "vital signs", but "C-SSRS ..." and "PHQ-9" keep their case."""
    text = str(text)
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


@register.filter
def question_label(path: str) -> str:
    return label_of(str(path))


@register.filter
def answer_for(value: Any, path: str) -> str:
    """A stored answer in the form's words: Yes, No, Never, Not answered, a label."""
    return answer_text(str(path), value)


@register.filter
def outcome_text(outcome: str) -> str:
    return OUTCOMES.get(outcome, OUTCOMES["incomplete"])[0]


@register.filter
def outcome_css(outcome: str) -> str:
    return OUTCOMES.get(outcome, OUTCOMES["incomplete"])[1]


@register.filter
def severity_text(severity: str) -> str:
    return SEVERITIES.get(severity, severity)
