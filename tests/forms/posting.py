"""Build the POST a browser would send for a section form, as tests start from."""

import datetime
from decimal import Decimal
from typing import Any

from django import forms

from screening.forms.sections import SectionForm


def _text(value: Any) -> str | None:
    if value is None or value is False:
        return None
    if value is True:
        return "on"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal | int | float):
        return str(value)
    return str(value)


def _form_data(form: forms.Form) -> dict[str, str]:
    data = {}
    for bound in form:
        text = _text(bound.value())
        if text is not None:
            data[bound.html_name] = text
    return data


def browser_post(form: SectionForm, **changes: Any) -> dict[str, str]:
    """What submitting the unchanged page posts, with `changes` (html name -> value)."""
    data = _form_data(form)
    for block in form.blocks.values():
        data.update(_form_data(block.formset.management_form))
        for row in block.formset.forms:
            data.update(_form_data(row))
    for name, value in changes.items():
        text = _text(value)
        if text is None:
            data.pop(name, None)
        else:
            data[name] = text
    return data
