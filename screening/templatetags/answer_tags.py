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
    kind = field.widget_type
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
    options = html_join(
        "\n",
        '<div class="form-check form-check-inline">\n{}\n'
        '<label class="form-check-label" for="{}">{}</label>\n{}\n</div>',
        (
            (tag, option_id, label, date_of if value == "date" else "")
            for value, option_id, label, tag in _options(field)
        ),
    )
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
        options,
        _reason(why),
        _notes(field, show_errors),
    )


def _options(field: BoundField) -> list[tuple[Any, str, Any, SafeString]]:
    """(value, id, label, <input>) of each radio option."""
    widget = field.field.widget
    written = getattr(widget, "written_options", None)
    options = written(field) if written is not None else None
    if options is None:
        options = [
            (
                radio.data["value"],
                radio.id_for_label,
                radio.choice_label,
                option_tag(radio.data),
            )
            for radio in field
        ]
    return options


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
        if field.errors:
            parts.append(
                html(
                    '<div class="invalid-feedback d-block" id="{}_error">\n{}\n</div>',
                    field.auto_id,
                    html_join(
                        "", '<p class="mb-0">{}</p>', ((e,) for e in field.errors)
                    ),
                )
            )
        for suffix in (ON, WHY, DETAIL):
            companion = _companion(form, field.name + suffix)
            if companion is not None and companion.errors:
                parts.append(
                    html_join(
                        "",
                        '<div class="invalid-feedback d-block">{}</div>',
                        ((e,) for e in companion.errors),
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
