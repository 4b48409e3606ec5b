"""Template filters for the intake/1 import and export links."""

from typing import Any

from django import template

from screening import permissions

register = template.Library()


@register.filter
def can_import_intakes(user: Any) -> bool:
    """Whether the user may import intakes in any of their clinics (the nav link)."""
    return permissions.can_in_any_clinic(user, permissions.IMPORT_INTAKE)
