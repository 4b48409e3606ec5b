"""Template filters for the audit report's navigation entry."""

from typing import Any

from django import template

from screening import permissions

register = template.Library()


@register.filter
def can_view_audit(user: Any) -> bool:
    """Whether the user is an auditor in any clinic (shows the nav entry)."""
    return permissions.can_in_any_clinic(user, permissions.VIEW_AUDIT)
