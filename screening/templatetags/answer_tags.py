"""The answer field of the intake pages, written by one tag (issue #19).

An answer used to be templates/includes/_answer_field.html with two includes: about
60 template nodes, three `companion` filters and a `{% for %}` over the radio options
per question. A checklist or scales page has 50 to 120 answers, and that rendering was
most of the page's server time. The markup is the templates' own, element for element
(tests/templatetags/test_answer_tags.py compares it with them).
"""

from typing import Any

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString, mark_safe

from screening.forms.answers import ON, WHY, option_tag
from screening.forms.written import chosen, first_index, kept
from screening.markup import escape, html, html_join

register = template.Library()

DETAIL = "_detail"  # suffix of an answer's details note


@register.simple_tag
def answer_field(field: BoundField, form_show_errors: Any) -> SafeString:
    """One answer with its companions from the same form: the date of an event
    (`__on`), the reason it is not answered (`__why`) and a details note (`_detail`).
    """
    if field.is_hidden:
        return SafeString(escape(field))
    form = field.form
    why = _companion(form, field.name + WHY)
    kind = _widget_type(field)
    if kind == "radioselect":
        on = _companion(form, field.name + ON)
        answer = _radio_group(field, on, why, bool(form_show_errors))
    elif kind == "checkbox":
        answer = html(
            '<div class="form-check">\n{}\n'
            '<label class="form-check-label" for="{}">{}</label>\n</div>\n{}',
            field,
            field.id_for_label,
            field.label,
            _notes(field, bool(form_show_errors)),
        )
    else:
        unit = getattr(field.field, "unit", "")
        answer = html(
            '<div class="answer-grid">\n'
            '<label class="answer-label" for="{}">{}</label>\n'
            '<div class="answer-body">\n'
            '<div class="answer-input{}" data-answer-main>\n{}\n{}\n</div>\n'
            "{}\n{}\n</div>\n</div>",
            field.id_for_label,
            field.label,
            " input-group" if unit else "",
            field,
            html('<span class="input-group-text">{}</span>', unit) if unit else "",
            _reason(why),
            _notes(field, bool(form_show_errors)),
        )
    return html(
        '<div class="answer" id="div_{}" data-answer>\n{}\n</div>',
        field.auto_id,
        answer,
    )


def _widget_type(field: BoundField) -> str:
    """BoundField.widget_type, its regular expression run once per widget class."""
    widget_class = type(field.field.widget)
    kind = _WIDGET_TYPES.get(widget_class)
    if kind is None:
        kind = _WIDGET_TYPES[widget_class] = field.widget_type
    return kind


_WIDGET_TYPES: dict[type, str] = {}


def _companion(form: Any, name: str) -> BoundField | None:
    return form[name] if name in form.fields else None


def _radio_group(
    field: BoundField,
    on: BoundField | None,
    why: BoundField | None,
    show_errors: bool,
) -> SafeString:
    # A grid needs a real element for the question, so it names the group instead of
    # a legend.
    describedby = field.aria_describedby
    date_of = _date_of(on) if on is not None else ""
    return html(
        '<fieldset class="answer-grid" aria-labelledby="{}_label"{}>\n'
        '<div class="answer-label" id="{}_label">{}</div>\n'
        '<div class="answer-body">\n'
        '<div class="answer-options" data-answer-main>\n{}\n</div>\n'
        "{}\n{}\n</div>\n</fieldset>",
        field.auto_id,
        html(' aria-describedby="{}"', describedby) if describedby else "",
        field.auto_id,
        field.label,
        _options(field, date_of),
        _reason(why),
        _notes(field, show_errors),
    )


# One radio option in its wrapper: <input>, its label, and what follows the option.
_OPTION = (
    '<div class="form-check form-check-inline">\n{}\n'
    '<label class="form-check-label" for="{}">{}</label>\n{}\n</div>'
)
_OPTION_HEAD = _OPTION.removesuffix("{}\n</div>")


def _options(field: BoundField, date_of: str) -> SafeString:
    """The radio options, each in its wrapper; the typed date of an event follows its
    "Date" option."""
    widget = field.field.widget
    option_attrs = getattr(widget, "option_attrs", None)
    written = None
    if option_attrs is not None:
        name, attrs = field.html_name, option_attrs(field)
        if widget.has_declared_choices():
            key = (_options, id(widget.choices), name, *attrs.items())
            written = kept(key, widget.choices, lambda: _wrapped(widget, name, attrs))
        else:
            written = _wrapped(widget, name, attrs)
    if written is None:  # not our widget, or grouped choices: Django's own options
        return html_join(
            "\n",
            _OPTION,
            (
                (
                    option_tag(radio.data),
                    radio.id_for_label,
                    radio.choice_label,
                    date_of if radio.data["value"] == "date" else "",
                )
                for radio in field
            ),
        )
    values, rows = written
    index = chosen(values, widget.format_value(field.value()))
    return SafeString(
        "\n".join(
            (marked if at == index else plain)
            + (date_of if value == "date" else "")
            + "\n</div>"
            for at, (value, plain, marked) in enumerate(rows)
        )
    )


def _wrapped(
    widget: Any, name: str, attrs: dict[str, Any]
) -> tuple[dict[str, int], list[tuple[Any, str, str]]] | None:
    """Each option's first position, and each option's markup up to what follows
    the option, unchecked and checked."""
    inputs = widget.option_inputs(name, attrs)
    if inputs is None:
        return None
    rows = [
        (
            value,
            html(_OPTION_HEAD, tag, option_id, label),
            html(_OPTION_HEAD, checked, option_id, label),
        )
        for value, option_id, label, tag, checked in inputs
    ]
    return first_index([str(value) for value, *_ in inputs]), rows


def _date_of(on: BoundField) -> SafeString:
    """The typed date of an event, beside its "Date" option."""
    return html(
        '<label class="visually-hidden" for="{}">{}</label>\n{}',
        on.id_for_label,
        on.label,
        on,
    )


def _reason(why: BoundField | None) -> SafeString | str:
    if why is None:
        return ""
    return html(
        '<div class="answer-reason" data-answer-reason>\n'
        '<label class="form-label small mb-0" for="{}">If not answered, why?</label>\n'
        "{}\n</div>",
        why.id_for_label,
        why,
    )


def _notes(field: BoundField, show_errors: bool) -> SafeString:
    """What follows an answer: its details note, help text, errors and unconfirmed
    warnings."""
    form = field.form
    parts: list[SafeString] = []
    detail = _companion(form, field.name + DETAIL)
    if detail is not None:
        parts.append(
            html(
                '<div class="answer-detail">\n'
                '<label class="form-label small mb-0" for="{}">Details</label>\n'
                "{}\n</div>",
                detail.id_for_label,
                detail,
            )
        )
    if field.help_text:
        parts.append(
            html(
                '<div class="form-text" id="{}_helptext">{}</div>',
                field.auto_id,
                field.help_text,
            )
        )
    if show_errors:
        # The form's own error lists: what each BoundField.errors would look up.
        errors = form.errors
        own = errors.get(field.name)
        if own:
            parts.append(
                html(
                    '<div class="invalid-feedback d-block" id="{}_error">\n{}\n</div>',
                    field.auto_id,
                    html_join("", '<p class="mb-0">{}</p>', ((e,) for e in own)),
                )
            )
        for suffix in (ON, WHY, DETAIL):
            name = field.name + suffix
            companion = errors.get(name) if name in form.fields else None
            if companion:
                parts.append(
                    html_join(
                        "",
                        '<div class="invalid-feedback d-block">{}</div>',
                        ((e,) for e in companion),
                    )
                )
    warnings = getattr(form, "field_warnings", {}).get(field.name, [])
    parts.extend(
        html(
            '<div class="answer-warning" role="status">'
            "<strong>Check:</strong> {}</div>",
            warning,
        )
        for warning in warnings
    )
    return mark_safe("\n".join(parts))  # noqa: S308 - each part is escaped above
