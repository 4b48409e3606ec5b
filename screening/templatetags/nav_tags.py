"""The main navigation, written by one tag (#19 goal 2: every page renders it)."""

from typing import Any, Final

from django import template
from django.utils.safestring import SafeString

from screening import links, permissions
from screening.markup import html, html_join

register = template.Library()

# Each entry: its words, its URL name and the action that shows it (None: everyone).
ENTRIES: Final = (
    ("Home", "screening:home", None),
    ("Patients", "screening:patient-list", permissions.VIEW_PATIENT),
    ("Import", "screening:intake-import", permissions.IMPORT_INTAKE),
    ("Worklist", "screening:review-worklist", permissions.REVIEW_INTAKE),
    ("Rules", "screening:rule-index", permissions.VIEW_RULES),
    ("Audit log", "screening:audit-list", permissions.VIEW_AUDIT),
    ("Clinic settings", "screening:clinic-admin", permissions.MANAGE_CLINIC),
)


@register.simple_tag
def main_nav(user: Any) -> SafeString:
    """Home, then each page one of the user's roles may open, as links.

    One tag rather than a template of six permission filters and seven `{% url %}`
    tags: it was most of what every page's navigation cost. The same entries and
    markup; each URL is reversed once per process (links.url).
    """
    shown = (
        (links.url(name), words)
        for words, name, action in ENTRIES
        if action is None or permissions.can_in_any_clinic(user, action)
    )
    items = html_join(
        "\n", '  <li class="nav-item"><a class="nav-link" href="{}">{}</a></li>', shown
    )
    return html('<ul class="navbar-nav">\n{}\n</ul>', items)
