"""Template filters for the account menu in the navigation bar."""

from typing import Any

from django import template

from screening.middleware import needs_mfa
from screening.services import accounts

register = template.Library()


@register.filter
def is_fully_logged_in(user: Any) -> bool:
    """Past both login steps: until the second one, the page offers only "Log out"."""
    if not user.is_authenticated:
        return False
    return not needs_mfa(user) or user.is_verified()


@register.filter
def has_authenticator(user: Any) -> bool:
    """Whether the user has an authenticator app, so has recovery codes to renew."""
    if user.is_verified():  # verified with a device: no query on every page
        return True
    return accounts.has_confirmed_device(user)
