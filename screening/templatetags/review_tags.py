"""Template tags of the clinician review: the summary's flags and acknowledgement
forms.

The flags and forms are written here with screening.markup instead of templates included
per flag: a summary carries one line, an evidence table, the rule in words and a form
per flag and per missing answer, and rendering those through the template engine was
most of the page's server time (#19). The markup is the templates' markup, escaped the
same way (markup.html escapes every value as `{{ }}` did, as format_html would,
without its lazy wrappers).
"""

from datetime import datetime
from typing import Any

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils.safestring import SafeString, mark_safe

from screening import links, rule_text
from screening.links import pk_url
from screening.markup import escape, html, html_join
from screening.templatetags.screening_tags import severity_text

register = template.Library()
_CSRF = CsrfTokenNode()


@register.simple_tag
def page_url(name: str, pk: int | None = None) -> str:
    """{% url name pk %} (or {% url name %}) with the pattern reversed once per
    process (screening/links.py): the summary links six of its pages (#19)."""
    return links.url(name) if pk is None else pk_url(name, pk)


def _csrf_input(context: template.Context) -> str:
    """What {% csrf_token %} writes (nothing without a token), written by its node."""
    return _CSRF.render(context)


def _errors_as_alerts(errors: Any) -> SafeString:
    return html_join(
        "", '<div class="alert alert-danger">{}</div>', ((e,) for e in errors)
    )


def _error_list(errors: Any) -> SafeString:
    return html_join("", "<strong>{}</strong> ", ((e,) for e in errors))


def _radios(reason: Any, wrapper: str) -> SafeString:
    """The reason's radio inputs, each in its form-check div (`wrapper` its class).
    What is the same for every option is escaped once, not per option (#19)."""
    invalid = " is-invalid" if reason.errors else ""
    current = reason.value()
    autofocus = " autofocus" if reason.field.widget.attrs.get("autofocus") else ""
    auto_id, name = escape(reason.auto_id), escape(reason.html_name)
    return SafeString(
        "\n".join(
            f'<div class="{wrapper}">\n<input type="radio" class="form-check-input'
            f'{invalid}" name="{name}" value="{escape(value)}" id="{auto_id}_{index}"'
            f" required{' checked' if value == current else ''}"
            f"{autofocus if index == 0 else ''}>\n"
            f'<label for="{auto_id}_{index}" class="form-check-label">'
            f"{escape(label)}</label>\n</div>"
            for index, (value, label) in enumerate(reason.field.choices)
        )
    )


def _note_input(note: Any, input_class: str, label_class: str) -> str:
    errors = note.errors
    auto_id = escape(note.auto_id)
    value = note.value()
    shown = f' value="{escape(value)}"' if value else ""
    if errors:
        invalid = f' aria-invalid="true" aria-describedby="{auto_id}_helptext'
        invalid += f' {auto_id}_error"'
        error = (
            f'<div id="{auto_id}_error" class="invalid-feedback">'
            f"{_error_list(errors)}</div>\n"
        )
    else:
        invalid, error = f' aria-describedby="{auto_id}_helptext"', ""
    autofocus = " autofocus" if note.field.widget.attrs.get("autofocus") else ""
    return (
        f'<label for="{auto_id}" class="{label_class}">{escape(note.label)}</label>\n'
        f'<input type="text" name="{escape(note.html_name)}" maxlength='
        f'"{note.field.max_length}" class="{input_class}'
        f'{" is-invalid" if errors else ""}"{shown}{invalid} id="{auto_id}"'
        f"{autofocus}>\n{error}"
        f'<div id="{auto_id}_helptext" class="form-text">{escape(note.help_text)}</div>'
    )


def _reason_error(reason: Any) -> str:
    if not reason.errors:
        return ""
    return (
        f'<div id="{escape(reason.auto_id)}_error" class="invalid-feedback d-block">'
        f"{_error_list(reason.errors)}</div>\n"
    )


def _described_by_error(reason: Any) -> str:
    if not reason.errors:
        return ""
    return f' aria-describedby="{escape(reason.auto_id)}_error"'


def _hidden(field: Any) -> str:
    return (
        f'<input type="hidden" name="{escape(field.html_name)}"'
        f' value="{escape(field.value())}" id="{escape(field.auto_id)}">\n'
    )


# The tags below write each value escaped once, in an f-string: through html() each
# argument, fixed words and markup included, went through escape() (#19).


@register.simple_tag(takes_context=True)
def ack_form(context: template.Context, item: Any, intake: Any) -> SafeString:
    """The acknowledgement form of one item (crispy-bootstrap5's markup for the same
    fields, except that only the first reason carries autofocus)."""
    form = item.form
    reason, note = form["reason_code"], form["note"]
    is_flag = item.kind == "flag"
    if is_flag:
        button = "Acknowledge again" if item.acknowledgement else "Acknowledge"
    else:
        button = "Accept as unknown"
    reason_id = escape(reason.auto_id)
    action = pk_url("screening:review-acknowledge", intake.pk)
    return SafeString(
        f'<form method="post" action="{action}"'
        ' novalidate class="ack-form mt-2 pt-2 border-top d-print-none"'
        f' aria-label="{"Acknowledge" if is_flag else "Accept as unknown"}'
        f' {escape(item.code)}">\n{_csrf_input(context)}\n'
        f"{_errors_as_alerts(form.non_field_errors())}"
        f"{_errors_as_alerts(form['kind'].errors)}"
        f"{_errors_as_alerts(form['code'].errors)}"
        "<fieldset>\n"
        f'<div id="div_{reason_id}" class="mb-3">\n<fieldset'
        f"{_described_by_error(reason)}>\n"
        f'<legend class="fs-6 form-label requiredField">{escape(reason.label)}'
        '<span class="asteriskField">*</span></legend>\n<div>\n'
        f"{_radios(reason, 'form-check form-check-inline')}\n</div>\n"
        f"{_reason_error(reason)}</fieldset>\n</div>\n"
        f'<div id="div_{escape(note.auto_id)}" class="mb-3">\n'
        f"{_note_input(note, 'textinput form-control', 'form-label')}\n</div>\n"
        f"{_hidden(form['kind'])}{_hidden(form['code'])}</fieldset>\n"
        f'<button type="submit" class="btn btn-primary btn-sm">{button}</button>\n'
        "</form>"
    )


@register.simple_tag(takes_context=True)
def missing_form(context: template.Context, missing: Any, intake: Any) -> SafeString:
    """Accept one missing answer as unknown for every rule waiting on it."""
    form = missing.form
    reason, note = form["reason_code"], form["note"]
    action = pk_url("screening:review-missing-accept", intake.pk)
    return SafeString(
        f'<form method="post" action="{action}" novalidate class="missing-form mt-1"'
        f' aria-label="Accept “{escape(missing.label)}” as unknown">\n'
        f"{_csrf_input(context)}\n{_errors_as_alerts(form.non_field_errors())}"
        f"{_errors_as_alerts(form['path'].errors)}"
        f'<fieldset class="mb-2"{_described_by_error(reason)}>\n'
        f'<legend class="fs-6 form-label mb-1">{escape(reason.label)}</legend>\n'
        f"{_radios(reason, 'form-check')}\n{_reason_error(reason)}</fieldset>\n"
        '<div class="mb-2">\n'
        f"{_note_input(note, 'form-control form-control-sm', 'form-label mb-0')}\n"
        f"</div>\n{_hidden(form['path'])}"
        '<button type="submit" class="btn btn-primary btn-sm">'
        "Accept as unknown for every rule waiting on it</button>\n</form>"
    )


def _status(item: Any) -> SafeString:
    """The flag line's status words."""
    if not item.needs_answer:
        return mark_safe('<span class="status-info">For information</span>')
    if item.acknowledgement and not item.is_pending:
        return mark_safe('<span class="status-done">✓ Acknowledged</span>')
    if item.is_missing_data:
        return mark_safe('<span class="status-open">Open: answers missing</span>')
    if item.acknowledgement:
        return mark_safe('<span class="status-open">Changed: acknowledge again</span>')
    return mark_safe('<span class="status-open">Not acknowledged</span>')


def _badges(item: Any) -> str:
    """includes/_severity_badge.html for a flag."""
    severity = escape(item.severity or "info")
    badge = (
        f'<span class="badge severity severity-{severity}">'
        f"{escape(severity_text(item.severity))}</span>"
    )
    if item.is_urgent:
        return (
            f'{badge} <span class="badge severity severity-urgent">'
            "Urgent: same-day safety assessment</span>"
        )
    return badge


def _minute(at: datetime) -> str:
    """What the `date:"Y-m-d H:i"` filter writes for a stored time (in its own zone,
    UTC, as the filter called from Python does), without its per-letter formatter:
    a summary writes one for every answer shown (#19)."""
    return f"{at.year:04d}-{at.month:02d}-{at.day:02d} {at.hour:02d}:{at.minute:02d}"


def _entered(entry: Any) -> str:
    if not entry:
        return "not entered"
    source = f" ({escape(entry.source)})" if entry.source else ""
    return f"{escape(entry.by)}, {_minute(entry.at)}{source}"


def _missing_reason(words: str) -> str:
    if not words:
        return ""
    return f' <span class="missing-reason">({escape(words)})</span>'


def _answers_table(item: Any) -> str:
    if not item.lines:
        return ""
    rows = "\n".join(
        f"<tr>\n<td>{escape(line.label)}</td>\n<td>{escape(line.value)}"
        f"{_missing_reason(line.missing_reason)}</td>\n"
        f"<td>{_entered(line.entered)}</td>\n</tr>"
        for line in item.lines
    )
    return (
        '<table class="table table-sm answers">\n'
        f'<caption class="visually-hidden">Answers behind {escape(item.title)}'
        "</caption>\n<thead>\n"
        '<tr><th scope="col">Question</th><th scope="col">Answer</th>'
        '<th scope="col">Entered</th></tr>\n'
        f"</thead>\n<tbody>\n{rows}\n</tbody>\n</table>\n"
    )


def _rule_lines(item: Any) -> SafeString:
    """The rule behind a flag, in words: its threshold line, the clinic settings it
    read and its source. The condition itself is on the rule pages."""
    parts = []
    if item.threshold_text:
        parts.append(
            html(
                '<p class="mb-1 threshold-line">Flagged when: {}</p>',
                item.threshold_text,
            )
        )
    if item.settings:
        parts.append(
            html(
                '<p class="mb-1 settings-line">Clinic settings:\n{}\n</p>',
                "; ".join(rule_text.settings_words(item.settings or {})),
            )
        )
    if item.source:
        url = item.source.get("url")
        parts.append(
            html(
                '<p class="mb-1 source text-break">Source: {}{}</p>',
                rule_text.source_line(item.source or {}),
                html(': <a href="{}" rel="noopener noreferrer">{}</a>', url, url)
                if url
                else "",
            )
        )
    return html_join("\n", "{}", ((part,) for part in parts))


def _resolution(item: Any) -> SafeString | str:
    ack = item.acknowledgement
    if ack and not item.is_pending:
        return html(
            '<p class="mb-0 acknowledged">\n{}\nby {} on {}:\n{}{}\n</p>\n',
            "Resolved: its answers accepted as unknown"
            if item.is_missing_data
            else "Acknowledged",
            ack.acknowledged_by.get_username(),
            _minute(ack.acknowledged_at),
            item.reason_words,
            html(". {}", ack.note) if ack.note else "",
        )
    if item.is_missing_data and item.is_pending:
        return mark_safe(
            '<p class="mb-0 open-item"><a href="#missing">Enter each answer it lists,'
            " or accept it as unknown, under “What is missing”</a>: the flag counts as"
            " acknowledged once every one is resolved.</p>\n"
        )
    if ack and item.is_pending:
        return mark_safe(
            '<p class="mb-0 open-item">Changed since it was acknowledged:'
            " acknowledge it again.</p>\n"
        )
    return ""


@register.simple_tag(takes_context=True)
def flag_item(
    context: template.Context, item: Any, expanded: bool = False
) -> SafeString:
    """One flag as one line: severity badge, plain title, the answers that fired it
    in words and whether it is acknowledged. Its details (evidence, rule,
    acknowledgement form) open on demand: <details> works without JavaScript, and
    print.css opens it on paper. It shows open for a form just posted with an error,
    or when `expanded` (the PDF). Needs `intake` in the context for its form."""
    form = item.form
    is_open = (form is not None and form.is_bound) or expanded
    message = f'<p class="mb-2">{escape(item.message)}</p>\n' if item.message else ""
    return SafeString(
        f'<li class="flag-item flag-{escape(item.severity or "info")}">\n'
        f'<details id="{escape(item.anchor)}"{" open" if is_open else ""}>\n'
        '<summary class="flag-line">\n'
        f'<span class="flag-badges">{_badges(item)}</span>\n'
        f'<span class="flag-title">{escape(item.title)}</span>\n'
        f'<span class="flag-answers">{escape(item.answer_words)}</span>\n'
        f'<span class="flag-status">\n{_status(item)}\n</span>\n</summary>\n'
        f'<div class="flag-details">\n{message}{_answers_table(item)}'
        f"{_rule_lines(item)}\n"
        '<p class="mb-1 rule-ref">Rule <code class="rule-code">'
        f"{escape(item.code)}@{escape(item.ruleset_version)}</code></p>\n"
        f"{_resolution(item)}"
        f"{ack_form(context, item, context.get('intake')) if form else ''}"
        "\n</div>\n</details>\n</li>"
    )


def _missing_note(missing: Any) -> SafeString | str:
    """How a missing answer was resolved, or what the intake noted about it."""
    acceptance = missing.acceptance
    if acceptance and not missing.is_open:
        return html(
            '<div class="missing-accepted">Accepted as unknown by {} on {}:'
            " {}{}</div>\n",
            acceptance.accepted_by.get_username(),
            _minute(acceptance.accepted_at),
            missing.reason_words,
            html(". {}", acceptance.note) if acceptance.note else "",
        )
    if acceptance:
        return html(
            '<div class="missing-accepted open-item">Accepted earlier ({}), but the'
            " screening changed since: accept it again or enter it.</div>\n",
            missing.reason_words.lower(),
        )
    if missing.missing_reason:
        return html(
            '<div class="missing-accepted">Intake note: {}.</div>\n',
            missing.missing_reason,
        )
    return ""


@register.simple_tag(takes_context=True)
def missing_item(context: template.Context, missing: Any) -> SafeString:
    """One missing answer of "What is missing": the rules and flags waiting on it,
    and, while it can be resolved, a link to the question and its acceptance form.
    Needs `intake` in the context for its form."""
    form = missing.form
    actions: SafeString | str = ""
    if form:
        actions = html(
            '<div class="missing-actions d-print-none">\n'
            '<a href="{}">Enter the answer</a>\n'
            '<details class="missing-accept"{}>\n'
            "<summary>Accept as unknown…</summary>\n{}\n</details>\n</div>\n",
            missing.url,
            mark_safe(" open") if form.is_bound else "",
            missing_form(context, missing, context.get("intake")),
        )
    return html(
        '<li class="missing-item" id="{}">\n<div class="missing-line">\n'
        '<span class="missing-label">{}</span>\n{}\n</div>\n'
        '<div class="missing-waiting">Needed by: {}</div>\n{}{}</li>',
        missing.anchor,
        missing.label,
        mark_safe('<span class="status-open">Open</span>')
        if missing.is_open
        else mark_safe('<span class="status-done">✓ Resolved</span>'),
        missing.waiting_words,
        _missing_note(missing),
        actions,
    )
