"""Clinics and the users' roles in them."""

from django.conf import settings
from django.db import models


class Clinic(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=50, unique=True)
    # A publish that would change a signed result sends the intakes signed within
    # this many months back to a clinician (issue #15, "re-review").
    rereview_months = models.PositiveSmallIntegerField(
        "re-review signed intakes of the last (months)", default=12
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role in one clinic; a user may belong to several clinics."""

    class Role(models.TextChoices):
        INTAKE_STAFF = "intake_staff", "Intake staff"
        CLINICIAN = "clinician", "Clinician"
        RULE_ADMIN = "rule_admin", "Rule admin"
        AUDITOR = "auditor", "Auditor"
        CLINIC_ADMIN = "clinic_admin", "Clinic admin"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    clinic = models.ForeignKey(
        Clinic, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    # A clinician may be granted the rule-governance approval (security.md §2.5).
    can_approve_rulesets = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "clinic"], name="one_role_per_user_and_clinic"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} @ {self.clinic_id}"
