"""Template tags of the audit report: its rows."""

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString

from screening.markup import html
from screening.models import AuditEvent

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
def audit_row(event: AuditEvent) -> SafeString:
    """One row of the report, escaped by markup.html (format_html's escaping without
    its lazy wrappers). Written here, not as thirteen cells of template filters:
    fifty rows of them were most of the page's rendering (#19). Times in the current
    time zone (UTC), as the date filter shows them."""
    return html(
        _ROW,
        event.seq,
        timezone.localtime(event.occurred_at).strftime("%Y-%m-%d %H:%M:%S"),
        event.actor_username or NONE,
        event.actor_role or NONE,
        event.clinic_id or NONE,
        event.patient_id or NONE,
        event.action,
        event.data_category or NONE,
        event.object_type or NONE,
        event.object_id or NONE,
        event.outcome,
        event.source_ip or NONE,
        _short(event.request_id) or NONE,
    )


def _short(text: str) -> str:
    """The first 8 characters and an ellipsis, as truncatechars:9 shortens an id."""
    return text if len(text) <= 9 else f"{text[:8]}…"
