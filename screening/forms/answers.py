"""Answer fields: every question can be left "not answered" (null), with a reason.

A yes/no question is a radio group Yes / No / Not answered, never a bare checkbox
(intake-format.md 2.1: null is never false). Every nullable field gets a companion
`<name>__why` select (declined / unknown / not asked) that SectionForm adds and
stores in the section's `missing_reasons`. Each field's `initial_for(value)` turns a
stored intake/1 value into what the widget shows; `clean()` turns posted text back.
"""

import copy
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from django import forms
from django.forms import BoundField
from django.forms.renderers import BaseRenderer
from django.forms.widgets import ChoiceWidget
from django.utils.html import format_html
from django.utils.safestring import SafeString

from screening.forms.questions import EVENT_DATE, NOT_ANSWERED, REASONS, YES_NO, Choices
from screening.forms.written import chosen, first_index, kept
from screening.markup import escape

WHY = "__why"  # suffix of the reason companion of a nullable field
ON = "__on"  # suffix of the date companion of an event-date field
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]

T = TypeVar("T")


def shallow_copy(thing: T) -> T:
    """copy.copy of a field or widget (an object with only a __dict__ as its state),
    without copy's generic reduce protocol: each page copies every field of its form
    and each field's widget, some 250 objects on a scales page (#19 goal 2)."""
    copied = object.__new__(type(thing))
    copied.__dict__.update(thing.__dict__)
    return copied


def field_copy(field: T, memo: dict[int, Any]) -> T:
    """Django's Field.__deepcopy__ (its own widget, error messages and validators;
    shared choices stay shared), with shallow_copy for copy.copy."""
    copied: Any = shallow_copy(field)
    memo[id(field)] = copied
    widget = copied.widget
    if type(widget).__deepcopy__ is forms.Widget.__deepcopy__:
        copied.widget = shallow_copy(widget)
        copied.widget.attrs = widget.attrs.copy()
        memo[id(widget)] = copied.widget
    else:
        copied.widget = copy.deepcopy(widget, memo)
    copied.error_messages = copied.error_messages.copy()
    copied.validators = copied.validators[:]
    return copied  # type: ignore[no-any-return]


class _SharedChoicesWidget(ChoiceWidget):
    """A choice widget whose choices are its field's, fixed when declared: each form's
    copy shares them rather than copying and normalising them again (Django's copy
    does, per widget per form: a tenth of building a scales page). Its attributes are
    still the copy's own (errors and autofocus change them)."""

    def __deepcopy__(self, memo: dict[int, Any]) -> "_SharedChoicesWidget":
        copied = shallow_copy(self)
        copied.attrs = self.attrs.copy()
        memo[id(self)] = copied
        return copied

    def has_declared_choices(self) -> bool:
        """Whether the choices are still the ones its field declared: only their
        markup is kept (screening/forms/written.py), as they never change."""
        return self.choices is getattr(self, "declared_choices", None)


class SharedChoicesField(forms.ChoiceField):
    """A ChoiceField whose choices are fixed when declared: each form's copy shares
    them (see _SharedChoicesWidget). Setting other choices on a copy still works: the
    setter replaces the list, it never changes the shared one."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.widget.declared_choices = self.widget.choices  # type: ignore[attr-defined]

    def __deepcopy__(self, memo: dict[int, Any]) -> "SharedChoicesField":
        return field_copy(self, memo)


class RadioSelect(_SharedChoicesWidget, forms.RadioSelect):
    """Django's RadioSelect, each option's <input> written here rather than rendered
    through four nested templates (radio_option, input_option, input, attrs): a scales
    page has about 200 options, and their template rendering was a third of the page's
    server time. The markup is the templates' own (tests/forms/test_widgets.py)."""

    def _render(
        self,
        template_name: str,
        context: dict[str, Any],
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        if template_name != self.option_template_name:
            return super()._render(template_name, context, renderer)
        option = context["widget"]
        tag = option_tag(option)
        if not option.get("wrap_label"):
            return tag
        label_for = option["attrs"].get("id")
        return format_html(
            # The newline is the one input.html ends with, so the markup is the same.
            "<label{}>{}\n {}</label>",
            format_html(' for="{}"', label_for) if label_for else "",
            tag,
            option["label"],
        )

    def option_attrs(self, field: BoundField) -> dict[str, Any]:
        """The attributes each option's <input> has, as iterating the bound field
        gives them (the id gets the option's index)."""
        id_ = self.attrs.get("id") or field.auto_id
        return self.build_attrs(
            self.attrs, field.build_widget_attrs({"id": id_} if id_ else {})
        )

    def option_inputs(
        self, name: str, attrs: dict[str, Any]
    ) -> list[tuple[Any, str, Any, SafeString, SafeString]] | None:
        """(value, id, label, <input>, <input> checked) of each option, for the
        field's html name and option_attrs(); None for grouped choices."""
        if _grouped(self.choices):
            return None
        options = []
        for index, (value, label) in enumerate(self.choices):
            value = "" if value is None else value
            own = dict(attrs)
            if "id" in own:
                own["id"] = f"{own['id']}_{index}"
            option = {"type": self.input_type, "name": name, "value": value}
            # "checked" comes after the other attributes, where Django adds it.
            options.append(
                (
                    value,
                    own.get("id", ""),
                    label,
                    option_tag({**option, "attrs": own}),
                    option_tag({**option, "attrs": {**own, "checked": True}}),
                )
            )
        return options


class Select(_SharedChoicesWidget, forms.Select):
    """Django's Select, written here rather than through its templates (select.html
    and, per option, select_option.html and attrs.html) and without the option
    dictionaries they are given: every nullable answer has a reason select, about 50
    on a checklist page, and they were a quarter of its server time. The markup is the
    templates' own (tests/forms/test_widgets.py); grouped choices go to Django."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        if self.allow_multiple_selected:
            return super().render(name, value, attrs, renderer)
        final = self.build_attrs(self.attrs, attrs)
        if self.has_declared_choices():
            key = (Select, id(self.choices), name, *final.items())
            written = kept(key, self.choices, lambda: self._written(name, final))
        else:
            written = self._written(name, final)
        if written is None:  # grouped choices
            return super().render(name, value, attrs, renderer)
        head, values, plain, marked = written
        index = chosen(values, self.format_value(value))
        options = "".join(
            marked[at] if at == index else option for at, option in enumerate(plain)
        )
        return SafeString(f"{head}{options}\n</select>")

    def _written(
        self, name: str, attrs: dict[str, Any]
    ) -> tuple[str, dict[str, int], list[str], list[str]] | None:
        """The <select> tag, each option's first position, and each option unmarked
        and marked selected."""
        if _grouped(self.choices):
            return None
        plain, marked, values = [], [], []
        for option, label in self.choices:
            text = "" if option is None else str(option)
            values.append(text)
            quoted, shown = escape(text), escape(label)
            plain.append(f'\n  <option value="{quoted}">{shown}</option>\n')
            marked.append(f'\n  <option value="{quoted}" selected>{shown}</option>\n')
        head = f'<select name="{escape(name)}"{attributes(attrs)}>'
        return head, first_index(values), plain, marked


def _grouped(choices: Any) -> bool:
    return any(isinstance(label, (list, tuple)) for _, label in choices)


def option_tag(option: dict[str, Any]) -> SafeString:
    """One option's <input> (an entry of a RadioSelect's optgroups), as
    input.html writes it."""
    value = option["value"]
    shown = f' value="{escape(str(value))}"' if value is not None else ""
    return SafeString(
        f'<input type="{escape(option["type"])}" name="{escape(option["name"])}"'
        f"{shown}{attributes(option['attrs'])}>"
    )


def attributes(attrs: dict[str, Any]) -> SafeString:
    """HTML attributes as django/forms/widgets/attrs.html writes them, in order."""
    return SafeString("".join(_attribute(*item) for item in attrs.items()))


def _attribute(name: str, value: Any) -> str:
    if value is False:
        return ""
    if value is True:
        return f" {escape(name)}"
    return f' {escape(name)}="{escape(str(value))}"'


def radio() -> forms.RadioSelect:
    return RadioSelect(attrs={"class": "form-check-input"})


class AnswerField:
    """Mixin: a question's answer. A nullable answer gets a reason companion."""

    nullable = True
    unit = ""

    @property
    def has_reason(self) -> bool:
        return self.nullable and getattr(self, "reason", True)

    def __deepcopy__(self, memo: dict[int, Any]) -> "AnswerField":
        return field_copy(self, memo)

    def initial_for(self, value: Any) -> Any:
        return value


class YesNoField(AnswerField, SharedChoicesField):
    def __init__(self, *, label: str, nullable: bool = True, **kwargs: Any) -> None:
        self.nullable = nullable
        choices = YES_NO + ([("", NOT_ANSWERED)] if nullable else [])
        kwargs.setdefault("error_messages", {"required": "Choose Yes or No."})
        super().__init__(
            choices=choices,
            required=not nullable,
            widget=radio(),
            label=label,
            **kwargs,
        )

    def clean(self, value: Any) -> bool | None:
        text = super().clean(value)
        return {"yes": True, "no": False}.get(text)

    def initial_for(self, value: Any) -> str:
        return {True: "yes", False: "no"}.get(value, "") if value is not None else ""


class ChoiceAnswerField(AnswerField, SharedChoicesField):
    """One of a fixed list (an intake/1 enum), or not answered."""

    def __init__(
        self,
        *,
        choices: Choices,
        label: str,
        nullable: bool = True,
        null_label: str = NOT_ANSWERED,
        select: bool = False,
        coerce: type = str,
        reason: bool = True,
        **kwargs: Any,
    ) -> None:
        self.nullable = nullable
        self.coerce = coerce
        # False where null is itself an answer ("No override"), not a missing one.
        self.reason = reason
        if select:
            full = (
                [("", f"— {null_label} —")] if nullable else [("", "— Choose —")]
            ) + choices
            widget: forms.Widget = Select(attrs={"class": "form-select"})
        else:
            full = choices + ([("", null_label)] if nullable else [])
            widget = radio()
        kwargs.setdefault("error_messages", {"required": "Choose one of the answers."})
        super().__init__(
            choices=full, required=not nullable, widget=widget, label=label, **kwargs
        )

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        return None if text in ("", None) else self.coerce(text)

    def initial_for(self, value: Any) -> str:
        return "" if value is None else str(value)


class GivenField(ChoiceAnswerField):
    """Administered / Not administered: a whole instrument, null when not given."""

    def __init__(
        self,
        *,
        label: str,
        given: str = "Administered",
        not_given: str = "Not administered",
    ) -> None:
        super().__init__(choices=[("yes", given)], null_label=not_given, label=label)

    def clean(self, value: Any) -> bool | None:
        return True if super().clean(value) else None

    def initial_for(self, value: Any) -> str:
        return "" if value is None else "yes"


class ReasonField(SharedChoicesField):
    """Why a question is not answered; stored only while its answer is null."""

    def __init__(self) -> None:
        super().__init__(
            choices=[("", "— No reason given —"), *REASONS],
            required=False,
            label="Reason not answered",
            widget=Select(attrs={"class": "form-select form-select-sm"}),
        )

    def clean(self, value: Any) -> str | None:
        return super().clean(value) or None

    @staticmethod
    def copied() -> "ReasonField":
        """A new reason field, a copy of one built once: building one normalises its
        choices again each time (every nullable answer of every form has one)."""
        return copy.deepcopy(_REASON)


_REASON = ReasonField()


def _number_messages(
    whole: bool, minimum: Any, maximum: Any, unit: str, exclusive_minimum: bool
) -> dict[str, str]:
    kind = "a whole number" if whole else "a number"
    measured = f" in {unit}" if unit else ""
    if unit == "%":
        kind, measured = "a percentage", ""
    low = f"above {minimum}" if exclusive_minimum else f"from {minimum}"
    between = f"Enter {kind}{measured} {low} up to {maximum}."
    return {
        "invalid": f"Enter {kind}{measured}, using digits only.",
        "min_value": between,
        "max_value": between,
        "required": f"Enter {kind}{measured}.",
    }


class IntegerAnswerField(AnswerField, forms.IntegerField):
    def __init__(
        self,
        *,
        label: str,
        min_value: int,
        max_value: int,
        unit: str = "",
        nullable: bool = True,
        **kwargs: Any,
    ) -> None:
        self.nullable, self.unit = nullable, unit
        super().__init__(
            label=label,
            min_value=min_value,
            max_value=max_value,
            required=not nullable,
            error_messages=_number_messages(True, min_value, max_value, unit, False),
            # Text, not type=number: arrow keys and the wheel never change the value.
            widget=forms.TextInput(
                attrs={"class": "form-control", "inputmode": "numeric", "size": 6}
            ),
            **kwargs,
        )


class DecimalAnswerField(AnswerField, forms.DecimalField):
    """A number that may have a fraction; kept as Decimal, never a binary float."""

    def __init__(
        self,
        *,
        label: str,
        min_value: int,
        max_value: int,
        unit: str = "",
        exclusive_minimum: bool = False,
        max_places: int | None = None,
        nullable: bool = True,
        **kwargs: Any,
    ) -> None:
        self.nullable, self.unit = nullable, unit
        self.max_places = max_places
        self.exclusive_minimum = exclusive_minimum
        self.messages = _number_messages(
            False, min_value, max_value, unit, exclusive_minimum
        )
        super().__init__(
            label=label,
            min_value=None if exclusive_minimum else min_value,
            max_value=max_value,
            required=not nullable,
            error_messages=self.messages,
            widget=forms.TextInput(
                attrs={"class": "form-control", "inputmode": "decimal", "size": 8}
            ),
            **kwargs,
        )
        self.exclusive_bound = min_value

    def clean(self, value: Any) -> int | Decimal | None:
        number = super().clean(value)
        if number is None:
            return None
        if self.exclusive_minimum and number <= self.exclusive_bound:
            raise forms.ValidationError(self.messages["min_value"], code="min_value")
        # 150 stays the JSON integer 150; 12.50 is stored as 12.5.
        if number == number.to_integral_value():
            return int(number)
        number = number.normalize()
        places = -int(number.as_tuple().exponent)
        if self.max_places is not None and places > self.max_places:
            raise forms.ValidationError(
                f"Enter at most {self.max_places} decimal "
                f"place{'s' if self.max_places != 1 else ''} "
                f"(you entered {places}).",
                code="max_decimal_places",
            )
        return number


class DateAnswerField(AnswerField, forms.DateField):
    """A calendar date, typed as YYYY-MM-DD (or DD/MM/YYYY); never after `latest`."""

    def __init__(self, *, label: str, nullable: bool = True, **kwargs: Any) -> None:
        self.nullable = nullable
        self.latest: date | None = None
        super().__init__(
            label=label,
            required=not nullable,
            input_formats=DATE_FORMATS,
            error_messages={
                "invalid": "Enter a real date as YYYY-MM-DD, for example 2025-03-14.",
                "required": "Enter the date as YYYY-MM-DD.",
            },
            widget=forms.DateInput(
                format="%Y-%m-%d",
                attrs={
                    "class": "form-control",
                    "placeholder": "YYYY-MM-DD",
                    "size": 11,
                    "autocomplete": "off",
                    "data-date": "",
                },
            ),
            **kwargs,
        )

    def clean(self, value: Any) -> str | None:
        day = super().clean(value)
        if day is None:
            return None
        if self.latest is not None and day > self.latest:
            raise forms.ValidationError(
                f"Enter a date on or before the intake date ({self.latest:%Y-%m-%d}): "
                "answers describe the intake day or earlier.",
                code="after_intake",
            )
        return day.isoformat()

    def initial_for(self, value: Any) -> Any:
        return value


class EventDateField(ChoiceAnswerField):
    """Never / Date: … / Not answered (medical history items 5 and 6).

    The typed date lives in the `<name>__on` companion; SectionForm combines the two
    into the intake/1 value: a date string, false (never) or null.
    """

    def __init__(self, *, label: str, **kwargs: Any) -> None:
        super().__init__(choices=EVENT_DATE, label=label, **kwargs)

    def initial_for(self, value: Any) -> str:
        if value is False:
            return "never"
        return "" if value is None else "date"


class TextAnswerField(AnswerField, forms.CharField):
    """Free text (1-2000 characters); empty means null. Notes carry no reason."""

    nullable = False

    def __init__(
        self,
        *,
        label: str,
        max_length: int = 2000,
        rows: int = 0,
        required_message: str = "Enter this text.",
        **kwargs: Any,
    ) -> None:
        widget: forms.Widget = (
            forms.Textarea(attrs={"class": "form-control", "rows": rows})
            if rows
            else forms.TextInput(attrs={"class": "form-control"})
        )
        kwargs.setdefault("required", False)
        super().__init__(
            label=label,
            max_length=max_length,
            widget=widget,
            error_messages={
                "max_length": f"Shorten this text to at most {max_length} characters.",
                "required": required_message,
            },
            **kwargs,
        )

    def clean(self, value: Any) -> str | None:
        return super().clean(value) or None


class LinesField(TextAnswerField):
    """A list of texts, typed one per line (other_conditions)."""

    def __init__(self, *, label: str, **kwargs: Any) -> None:
        super().__init__(
            label=label,
            max_length=40_000,
            rows=3,
            help_text="One condition per line.",
            **kwargs,
        )

    def clean(self, value: Any) -> list[str]:  # type: ignore[override]
        text = forms.CharField.clean(self, value) or ""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if any(len(line) > 2000 for line in lines):
            raise forms.ValidationError("Shorten each line to at most 2000 characters.")
        return lines

    def initial_for(self, value: Any) -> str:
        return "\n".join(value or [])
