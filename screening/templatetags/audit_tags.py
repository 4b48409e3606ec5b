"""Template filters for the audit report's navigation entry."""

from typing import Any

from django import template

from screening import audit

register = template.Library()


@register.filter
def can_view_audit(user: Any) -> bool:
    """Whether the user is an auditor in any clinic (shows the nav entry)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return audit.clinics_audited_by(user).exists()
