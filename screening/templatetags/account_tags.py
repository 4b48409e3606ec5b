"""Template filters for the account menu in the navigation bar."""

from typing import Any

from django import template

from screening.middleware import needs_mfa

register = template.Library()


@register.filter
def is_fully_logged_in(user: Any) -> bool:
    """Past both login steps: until the second one, the page offers only "Log out"."""
    if not user.is_authenticated:
        return False
    return not needs_mfa(user) or user.is_verified()
