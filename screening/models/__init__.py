"""Models, one module per topic."""

from screening.models.audit import AuditEvent
from screening.models.clinics import Clinic, Membership
from screening.models.consent import (
    ConsentDocument,
    ConsentRecord,
    PublishedConsentDocumentError,
)
from screening.models.drafts import SectionDraft
from screening.models.imports import ImportRecord
from screening.models.intakes import (
    CarryState,
    Intake,
    IntakeSection,
    SectionRevision,
)
from screening.models.missing_data import MissingAnswerAcceptance
from screening.models.patients import Patient
from screening.models.rescreen import RescreenJob
from screening.models.reviews import (
    Acknowledgement,
    Addendum,
    Disposition,
    ReviewRecordIsImmutableError,
    SignOff,
)
from screening.models.rulesets import (
    ClinicTestCase,
    ImpactPreview,
    PublishedRulesetError,
    Rule,
    RulesetVersion,
    TestCaseExpectation,
)
from screening.models.screenings import Screening
from screening.models.security import RecoveryCode, RecoveryCodeDevice
from screening.models.urgent import ReReview, UrgentMarker

__all__ = [
    "Acknowledgement",
    "Addendum",
    "AuditEvent",
    "CarryState",
    "Clinic",
    "ClinicTestCase",
    "ConsentDocument",
    "ConsentRecord",
    "Disposition",
    "ImpactPreview",
    "ImportRecord",
    "Intake",
    "IntakeSection",
    "Membership",
    "MissingAnswerAcceptance",
    "Patient",
    "PublishedConsentDocumentError",
    "PublishedRulesetError",
    "ReReview",
    "RecoveryCode",
    "RecoveryCodeDevice",
    "RescreenJob",
    "ReviewRecordIsImmutableError",
    "Rule",
    "RulesetVersion",
    "Screening",
    "SectionDraft",
    "SectionRevision",
    "SignOff",
    "TestCaseExpectation",
    "UrgentMarker",
]
