"""Template tags of the audit report: its headers, rows and fields' errors.

Each writes what the template wrote with a loop (and an included partial for the
errors), to the byte, whitespace included: one tag instead of a loop's variables and
filters per item (#19).
"""

import functools
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from django import template
from django.forms import BoundField
from django.utils import timezone
from django.utils.safestring import SafeString

register = template.Library()

# The report's empty cell.
NONE = "\u2013"  # an en dash, as the template wrote it
_ROW = (
    "<tr>\n"
    "  <td>{}</td>\n"
    '  <td class="text-nowrap">{}</td>\n'
    "  <td>{}</td>\n"
    "  <td>{}</td>\n"
    "  <td>{}</td>\n"
    "  <td>{}</td>\n"
    "  <td><code>{}</code></td>\n"
    "  <td>{}</td>\n"
    "  <td>{}</td>\n"
    "  <td>{}</td>\n"
    "  <td>{}</td>\n"
    "  <td>{}</td>\n"
    '  <td><small class="font-monospace">{}</small></td>\n'
    "</tr>"
)


@register.simple_tag
def audit_headers(headers: Iterable[dict[str, str]]) -> SafeString:
    """A header cell per column (views/audit.py's _headers: label, query, sort): a
    link sorting by it, its aria-sort state, an arrow when sorted."""
    return SafeString(
        "".join(
            _HEADER.format(
                escape(header["sort"]),
                escape(header["query"]),
                escape(header["label"]),
                _ARROWS.get(header["sort"], ""),
            )
            for header in headers
        )
    )


_HEADER = (
    '\n              <th scope="col" aria-sort="{}"><a href="?{}">{}{}</a></th>'
    "\n            "
)
_ARROWS = {"ascending": " \u25b2", "descending": " \u25bc"}


@register.simple_tag
def field_errors(field: BoundField) -> SafeString:
    """A field's errors as crispy-forms wrote them, the id its widget's
    aria-describedby names (forms/audit.py's marked())."""
    if not field.errors:
        return SafeString("\n\n")
    auto_id = escape(field.auto_id)
    spans = "".join(
        f'<span id="error_{number}_{auto_id}"><strong>{escape(str(text))}</strong>'
        "</span>"
        for number, text in enumerate(field.errors, start=1)
    )
    return SafeString(
        f'\n\n  <div id="{auto_id}_error" class="invalid-feedback">\n    {spans}'
        "\n  </div>\n\n"
    )


@register.simple_tag
def audit_rows(rows: Iterable[Sequence[Any]]) -> SafeString:
    """The report's rows, one audit_row each, between them the whitespace its
    template's loop wrote (the same markup to the byte): one tag for the fifty rows,
    not a loop and a tag per row (#19: they cost as much as writing the rows)."""
    return SafeString(ROW_GAP.join(audit_row(row) for row in rows))


# The whitespace between two rows as `{% for %}` in the template wrote it.
ROW_GAP = "\n          \n            "


@register.simple_tag
def audit_row(row: Sequence[Any]) -> SafeString:
    """One row of the report from its values in COLUMNS' order (forms/audit.py), not
    an AuditEvent: fifty model instances cost the page more than its table (#19).

    Written here, not as thirteen cells of template filters: fifty rows of them were
    most of the page's rendering (#19). Text is escaped as format_html escapes it;
    the few words a log repeats (actions, roles, users, addresses) are escaped once
    per process. Times in the current time zone (UTC), as the date filter shows
    them."""
    (
        seq,
        occurred_at,
        username,
        role,
        clinic_id,
        patient_id,
        action,
        category,
        object_type,
        object_id,
        outcome,
        source_ip,
        request_id,
    ) = row
    return SafeString(
        _ROW.format(
            seq,
            timezone.localtime(occurred_at).strftime("%Y-%m-%d %H:%M:%S"),
            _word(username) if username else NONE,
            _word(role) if role else NONE,
            clinic_id or NONE,
            patient_id or NONE,
            _word(action),
            _word(category) if category else NONE,
            _word(object_type) if object_type else NONE,
            escape(object_id) if object_id else NONE,
            _word(outcome),
            _word(source_ip) if source_ip else NONE,
            escape(_short(request_id)) if request_id else NONE,
        )
    )


# The words a log repeats, escaped once each (no PHI: audit rows hold ids and codes).
_word = functools.lru_cache(maxsize=1024)(escape)


def _short(text: str) -> str:
    """The first 8 characters and an ellipsis, as truncatechars:9 shortens an id."""
    return text if len(text) <= 9 else f"{text[:8]}…"
