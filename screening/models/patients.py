"""Patients, scoped to one clinic."""

from datetime import date

from django.conf import settings
from django.db import models


class Patient(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"

    clinic = models.ForeignKey(
        "screening.Clinic", on_delete=models.PROTECT, related_name="patients"
    )
    mrn = models.CharField("MRN", max_length=64)
    # Blank for a patient created by import: intake/1 carries only the MRN.
    given_name = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=200, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    # Sex that picks sex-specific cut-offs (AUDIT-C); blank = not recorded.
    sex_for_scoring = models.CharField(
        max_length=10, choices=Sex.choices, null=True, blank=True
    )
    # Deactivated, never deleted: audit rows point at patients (security.md §4).
    is_deleted = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "mrn"], name="mrn_unique_within_clinic"
            )
        ]
        indexes = [
            # The patient list's order (services.patients.list_patients): its first
            # page is read from the index, not sorted from every patient (#19).
            models.Index(
                fields=["clinic", "family_name", "given_name", "id"],
                condition=models.Q(is_deleted=False),
                name="patient_list_order",
            )
        ]

    def __str__(self) -> str:
        # Never a name, MRN or birth date: this reaches logs and exception reports.
        return f"Patient {self.pk}"

    @property
    def display_name(self) -> str:
        if not (self.family_name or self.given_name):
            return f"(no name) MRN {self.mrn}"
        return f"{self.family_name}, {self.given_name}".strip(", ")

    def age_on(self, day: date) -> int | None:
        """Whole years on `day` (intake/1 demographics.age); None without a DOB."""
        if self.date_of_birth is None:
            return None
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
