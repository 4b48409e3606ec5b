"""Template filters for the clinician review: the worklist entry and reason words."""

from typing import Any

from django import template

from screening.models import Membership

register = template.Library()


@register.filter
def can_review(user: Any) -> bool:
    """Whether the user is a clinician in any clinic (shows the Worklist nav entry)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(user=user, role=Membership.Role.CLINICIAN).exists()
