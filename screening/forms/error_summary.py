"""The error summary at the top of a section page (GOV.UK / NHS error summary pattern).

One line per problem, in the page's order, each linking to the control to fix, so a
keyboard or screen-reader user hears every problem first and reaches each in one step.
"""

from dataclasses import dataclass

from django import forms
from django.forms.forms import NON_FIELD_ERRORS

from screening.forms.sections import SectionForm


@dataclass(frozen=True)
class ErrorLink:
    text: str
    target: str  # the id of the control to fix; "" for a problem of the whole page


def _control_id(bound: forms.BoundField) -> str:
    """The first focusable control of a field: its first option for a radio group."""
    if isinstance(bound.field.widget, forms.RadioSelect):
        return f"{bound.auto_id}_0"
    return str(bound.auto_id)


def _lines(form: forms.Form, row: str) -> list[ErrorLink]:
    links = [ErrorLink(f"{row}{error}", "") for error in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name == NON_FIELD_ERRORS or name not in form.fields:
            continue
        bound = form[name]
        target = "" if bound.is_hidden else _control_id(bound)
        label = bound.label or name
        links.extend(ErrorLink(f"{row}{label}: {error}", target) for error in errors)
    for name, warnings in getattr(form, "field_warnings", {}).items():
        if name in form.fields:
            bound = form[name]
            links.extend(
                ErrorLink(f"{row}{bound.label}: {text}", _control_id(bound))
                for text in warnings
            )
    return links


def error_summary(section_form: SectionForm) -> list[ErrorLink]:
    """Every problem of a bound section form and its rows, each with where to fix it."""
    if not section_form.is_bound or section_form.adding_row is not None:
        return []
    links = _lines(section_form, "")
    for block in section_form.blocks.values():
        formset = block.formset
        links.extend(ErrorLink(str(error), "") for error in formset.non_form_errors())
        for number, row in enumerate(formset.forms, start=1):
            links.extend(_lines(row, f"{block.noun} {number}, "))
    return links
