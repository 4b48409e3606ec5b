"""Template filters for the account menu in the navigation bar."""

from typing import Any

from django import template

from screening.middleware import idle_seconds_left, needs_mfa

register = template.Library()


@register.filter
def is_fully_logged_in(user: Any) -> bool:
    """Past both login steps: until the second one, the page offers only "Log out"."""
    if not user.is_authenticated:
        return False
    return not needs_mfa(user) or user.is_verified()


@register.filter
def seconds_left(session: Any) -> int:
    """Seconds before the idle limit ends the session (session.js times its warning)."""
    return idle_seconds_left(session)
