"""Template filters for the clinician review: the worklist entry and reason words."""

from typing import Any

from django import template

from screening import permissions

register = template.Library()


@register.filter
def can_review(user: Any) -> bool:
    """Whether the user is a clinician in any clinic (shows the Worklist nav entry)."""
    return permissions.can_in_any_clinic(user, permissions.REVIEW_INTAKE)
