"""Models, one module per topic."""

from screening.models.audit import AuditEvent
from screening.models.clinics import Clinic, Membership
from screening.models.imports import ImportRecord
from screening.models.intakes import Intake, IntakeSection, SectionRevision
from screening.models.patients import Patient
from screening.models.rulesets import Rule, RulesetVersion
from screening.models.screenings import Screening

__all__ = [
    "AuditEvent",
    "Clinic",
    "ImportRecord",
    "Intake",
    "IntakeSection",
    "Membership",
    "Patient",
    "Rule",
    "RulesetVersion",
    "Screening",
    "SectionRevision",
]
