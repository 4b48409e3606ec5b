"""The role x action table and the can_*() predicates (security.md §2.5).

Every view asks `can(user, action, clinic=...)`; the table below is the one place
that says which role may do what. Tests walk every URL against it.
"""

from typing import Any, Final

from django.db import router
from django.db.models import QuerySet

from screening import compiled
from screening.logs import current_request
from screening.models import Clinic, Membership

Role = Membership.Role

VIEW_PATIENT: Final = "view_patient"
EDIT_PATIENT: Final = "edit_patient"
VIEW_INTAKE: Final = "view_intake"
EDIT_INTAKE: Final = "edit_intake"
EDIT_CLINICIAN_SECTION: Final = "edit_clinician_section"
IMPORT_INTAKE: Final = "import_intake"
EXPORT_INTAKE: Final = "export_intake"
REVIEW_INTAKE: Final = "review_intake"
SIGN_OFF: Final = "sign_off"
VIEW_RULES: Final = "view_rules"
EDIT_RULES: Final = "edit_rules"
APPROVE_RULESET: Final = "approve_ruleset"
VIEW_AUDIT: Final = "view_audit"
# The clinic's own settings: instrument text packs, languages offered to patients,
# crisis text (issue #17); consent documents and the admin CSV join it (#18).
MANAGE_CLINIC: Final = "manage_clinic"

PERMISSIONS: Final[dict[str, frozenset[str]]] = {
    VIEW_PATIENT: frozenset({Role.INTAKE_STAFF, Role.CLINICIAN}),
    EDIT_PATIENT: frozenset({Role.INTAKE_STAFF, Role.CLINICIAN}),
    VIEW_INTAKE: frozenset({Role.INTAKE_STAFF, Role.CLINICIAN}),
    EDIT_INTAKE: frozenset({Role.INTAKE_STAFF, Role.CLINICIAN}),
    # C-SSRS screener and MADRS total are clinician-entered (rule book §9).
    EDIT_CLINICIAN_SECTION: frozenset({Role.CLINICIAN}),
    IMPORT_INTAKE: frozenset({Role.INTAKE_STAFF, Role.CLINICIAN}),
    EXPORT_INTAKE: frozenset({Role.INTAKE_STAFF, Role.CLINICIAN}),
    REVIEW_INTAKE: frozenset({Role.CLINICIAN}),
    SIGN_OFF: frozenset({Role.CLINICIAN}),
    VIEW_RULES: frozenset({Role.RULE_ADMIN, Role.CLINICIAN}),
    EDIT_RULES: frozenset({Role.RULE_ADMIN}),
    # Clinicians only when granted (Membership.can_approve_rulesets).
    APPROVE_RULESET: frozenset({Role.RULE_ADMIN}),
    VIEW_AUDIT: frozenset({Role.AUDITOR}),
    # The clinic admin sees no intake and no patient: only the clinic's settings.
    MANAGE_CLINIC: frozenset({Role.CLINIC_ADMIN}),
}


# Request attribute holding {user id: {clinic id: Membership}} for that request.
_MEMBERSHIPS_ATTRIBUTE: Final = "_screening_memberships"


def memberships_of(user: Any) -> dict[int, Membership]:
    """The user's memberships by clinic id (clinic loaded), in clinic id order.

    Read once per request: the view's checks, the navigation and the audit row's role
    share one read (one query instead of one per check). The next request reads them
    again, so a membership removed mid-session counts at once (T-AC-05). Outside a
    request (services, commands, tests) every call reads them.
    """
    if not getattr(user, "is_authenticated", False):
        return {}
    request = current_request.get()
    cache = getattr(request, _MEMBERSHIPS_ATTRIBUTE, None)
    if cache is not None and user.pk in cache:
        return cache[user.pk]
    alias = router.db_for_read(Membership)
    found = {
        membership.clinic_id: membership
        for membership in compiled.instances(
            memberships_query, compiled.PLACEHOLDER_PK, user.pk, alias
        )
    }
    if request is not None:
        if cache is None:
            cache = {}
            setattr(request, _MEMBERSHIPS_ATTRIBUTE, cache)
        cache[user.pk] = found
    return found


def memberships_query(user_pk: Any) -> QuerySet[Membership]:
    """A user's memberships with their clinics, in clinic id order: the statement
    memberships_of() runs compiled once (screening/compiled.py)."""
    return (
        Membership.objects.filter(user_id=user_pk)
        .select_related("clinic")
        .order_by("clinic_id")
    )


def role_in(user: Any, clinic: Clinic) -> str | None:
    membership = memberships_of(user).get(getattr(clinic, "pk", 0))
    return membership.role if membership else None


def can(user: Any, action: str, *, clinic: Clinic) -> bool:
    """Whether the user's role in this clinic allows the action."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    membership = memberships_of(user).get(getattr(clinic, "pk", 0))
    if membership is None:
        return False
    if action == APPROVE_RULESET and membership.can_approve_rulesets:
        return membership.role in (Role.CLINICIAN, Role.RULE_ADMIN)
    return membership.role in PERMISSIONS[action]


def can_in_any_clinic(user: Any, action: str) -> bool:
    """Whether the user may do the action in one of their clinics (navigation links)."""
    return any(
        can(user, action, clinic=membership.clinic)
        for membership in memberships_of(user).values()
    )
