"""The code systems, extensions and units the FHIR export writes."""

from typing import Any, Final

from screening.questionnaire.model import Code, Option, Question, When
from screening.questionnaire.paths import pattern_of

FHIR_VERSION: Final = "4.3.0"
# The media type of a download (FHIR R4B http: "fhirVersion" names the release).
MEDIA_TYPE: Final = "application/fhir+json; fhirVersion=4.3"
# Says on every bundle and questionnaire which FHIR release it is written in.
VERSION_TAG: Final = {
    "system": "urn:screening:fhir-version",
    "code": FHIR_VERSION,
    "display": "FHIR R4B 4.3.0; readable by R4 (4.0.1) systems",
}

QUESTIONNAIRE_URL: Final = "urn:screening:questionnaire:intake-1"
RULES: Final = "urn:screening:rule"  # our rule codes (CV-BP-UNCONTROLLED, ...)
OUTCOMES: Final = "urn:screening:outcome"  # absolute_contraindication, ...
BANDS: Final = "urn:screening:band"  # an instrument's band (moderately_severe, ...)
ACK_REASONS: Final = "urn:screening:acknowledgement-reason"  # rule book §11
RULESET_VERSIONS: Final = "urn:screening:ruleset-version"
USERS: Final = "urn:screening:user"  # a clinic user, by username
# Consent (#18): the clinic's document versions, and how the patient consented.
CONSENT_DOCUMENT: Final = "urn:screening:consent-document"
CONSENT_METHOD: Final = "urn:screening:consent-method"
CONSENT_SCOPE: Final = {
    "system": "http://terminology.hl7.org/CodeSystem/consentscope",
    "code": "treatment",
    "display": "Treatment",
}
CONSENT_CATEGORY: Final = {
    "system": "http://loinc.org",
    "code": "59284-0",
    "display": "Patient Consent",
}

# Our extensions: who may enter an answer, and an instrument shown by topic only.
ENTERED_BY: Final = "urn:screening:fhir:entered-by"
TOPICS_ONLY: Final = "urn:screening:fhir:topics-only"

DATA_ABSENT: Final = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
# intake/1 missing_reasons -> data-absent-reason codes.
ABSENT_CODES: Final = {
    "declined": "asked-declined",
    "unknown": "asked-unknown",
    "not_asked": "not-asked",
}
UNIT_EXTENSION: Final = "http://hl7.org/fhir/StructureDefinition/questionnaire-unit"
ITEM_CONTROL: Final = (
    "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
)
MIN_VALUE: Final = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE: Final = "http://hl7.org/fhir/StructureDefinition/maxValue"
ORDINAL: Final = "http://hl7.org/fhir/StructureDefinition/ordinalValue"

UCUM: Final = "http://unitsofmeasure.org"
# The declared units in UCUM; a unit not listed is written by its words only.
UCUM_CODES: Final = {
    "mmHg": "mm[Hg]",
    "bpm": "/min",
    "kg/m²": "kg/m2",
    "years": "a",
    "weeks": "wk",
    "mg/day": "mg/d",
    "%": "%",
    "points": "{score}",
}
OBSERVATION_CATEGORY: Final = (
    "http://terminology.hl7.org/CodeSystem/observation-category"
)


def coding(code: Code) -> dict[str, Any]:
    return {"system": code.system, "code": code.code, "display": code.display}


def answer_system(question: Question) -> str:
    """The code system of a question's options: `urn:screening:answer:<path>`."""
    return "urn:screening:answer:" + pattern_of(question.path).replace("[]", "")


def option_coding(question: Question, option: Option) -> dict[str, Any]:
    return {
        "system": answer_system(question),
        "code": _code_text(option.value),
        "display": option.label,
    }


def value_coding(question: Question, value: Any) -> dict[str, Any]:
    """The coding of a stored choice: the option's, or the bare code if none fits."""
    for option in question.options:
        if When(question.path, "=", option.value).holds({question.path: value}):
            return option_coding(question, option)
    return {"system": answer_system(question), "code": _code_text(value)}


def _code_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def unit_coding(unit: str) -> dict[str, Any]:
    code = UCUM_CODES.get(unit)
    if code is None:
        return {"display": unit}
    return {"system": UCUM, "code": code, "display": unit}


def user_reference(username: str, display: str) -> dict[str, Any]:
    """A clinic user named in the bundle: their name, and their username as id."""
    return {
        "identifier": {"system": USERS, "value": username},
        "display": display or username,
    }
