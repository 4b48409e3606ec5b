"""Template filters for the clinic admin's navigation entry."""

from typing import Any

from django import template

from screening import permissions

register = template.Library()


@register.filter
def can_manage_clinic(user: Any) -> bool:
    """Whether the user is a clinic admin in any clinic (shows the nav entry)."""
    return permissions.can_in_any_clinic(user, permissions.MANAGE_CLINIC)
