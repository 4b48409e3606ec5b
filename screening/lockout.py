"""What django-axes counts a failed login against."""

from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The typed username, cut to the longest a username can be.

    Django's login form sets its username max_length after the field is built, so no
    length validator runs and any length reaches authenticate(); axes would then store
    it in a 255-character column (a 500 on PostgreSQL). No real user is longer.
    """
    source: Any = credentials if credentials is not None else request.POST
    username = source.get("username") or ""
    if not isinstance(username, str):
        username = str(username)
    user_model = get_user_model()
    longest = user_model._meta.get_field(user_model.USERNAME_FIELD).max_length or 150
    return username[:longest]
