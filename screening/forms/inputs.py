"""Django's text, number, date and hidden inputs written in Python (#19 goal 2).

The same markup as Django's input.html and attrs.html (tests/forms/test_inputs.py
compares them), without a template render per input: the audit report's filter
has five and each cost more than a row of its table. answers.Select does the same
for a select.
"""

from typing import Any

from django import forms
from django.forms.renderers import BaseRenderer
from django.utils.safestring import SafeString

from screening.forms.answers import option_tag


def input_tag(kind: str, name: str, value: Any, attrs: dict[str, Any]) -> str:
    """An <input> as input.html writes it: `value` as the widget formatted it (None:
    no value attribute), then the attributes in order (answers.option_tag writes it)."""
    return option_tag({"type": kind, "name": name, "value": value, "attrs": attrs})


class WrittenInput:
    """Renders an Input widget by answers.option_tag(), from the context Django
    gives its template."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        return option_tag(self.get_context(name, value, attrs)["widget"])  # type: ignore[attr-defined]


class TextInput(WrittenInput, forms.TextInput):
    pass


class NumberInput(WrittenInput, forms.NumberInput):
    pass


class DateInput(WrittenInput, forms.DateInput):
    pass


class HiddenInput(WrittenInput, forms.HiddenInput):
    pass
