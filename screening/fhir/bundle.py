"""The FHIR Bundle (type `collection`) of one intake, from plain values.

`IntakeRecord` holds what the bundle says: the intake/1 document, the screening result
the clinician saw (the signed one once signed), the acknowledgement of each flag and
the sign-off. `build_bundle()` writes every resource as a dict, validates it through
its fhir.resources R4B model, and validates the bundle that holds them.
"""

import base64
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import quote

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.consent import Consent
from fhir.resources.R4B.detectedissue import DetectedIssue
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.provenance import Provenance
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from fhir.resources.R4B.resource import Resource
from fhir.resources.R4B.riskassessment import RiskAssessment

from screening import questionnaire as declared
from screening.fhir import codes
from screening.fhir.answers import response_items
from screening.questionnaire.labels import question_label
from screening.questionnaire.model import LOCAL, Code, Instrument
from screening.questionnaire.paths import parse_path, value_at

# The §11 derived values that hold each instrument's total and band.
SCORES: Final = {
    "PHQ9": ("phq9_total", "phq9_band"),
    "GAD7": ("gad7_total", "gad7_band"),
    "PCL5": ("pcl5_total", "pcl5_band"),
    "AUDITC": ("audit_c_total", "audit_c_positive"),
    "DAST10": ("dast10_total", "dast10_band"),
    "MADRS": ("madrs_total", "madrs_band"),
}
# The C-SSRS screener has a risk band, no total, and no LOINC code for it here.
CSSRS_RISK: Final = Code(
    LOCAL, "cssrs-screener-risk", "C-SSRS screener risk (clinician-entered)"
)
# Rule book §2 severities as DetectedIssue severities; an info flag has none.
SEVERITIES: Final = {"absolute": "high", "relative": "moderate", "caution": "low"}
OUTCOME_WORDS: Final = {
    "absolute_contraindication": "Absolute contraindication flagged",
    "needs_clinician_review": "Flags for the clinician to review",
    "no_flags": "No flags",
    "incomplete": "Screening incomplete - do not rely on it",
}
_BAND_WORDS: Final = {
    "probable_ptsd": "Probable PTSD",
    True: "Positive",
    False: "Negative",
}
_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "urn:screening:fhir-export")


@dataclass(frozen=True)
class Acknowledged:
    """A clinician's current acknowledgement of one flag (rule book §11)."""

    reason_code: str
    reason_words: str
    note: str
    username: str
    name: str
    at: datetime


@dataclass(frozen=True)
class Signed:
    """The active sign-off of the intake (security.md §3.4)."""

    username: str
    name: str
    at: datetime
    ruleset_version: str
    signature_sha256: str


@dataclass(frozen=True)
class Consented:
    """One consent record of the intake (#18): which version, how, when, who."""

    title: str
    version: str
    method: str
    method_words: str
    at: datetime
    recorded_by: str
    recorded_at: datetime


@dataclass(frozen=True)
class IntakeRecord:
    intake_id: int
    clinic_slug: str
    clinic_name: str
    mrn: str
    document: Mapping[str, Any]  # the intake/1 document
    is_in_progress: bool
    updated_at: datetime
    exported_at: datetime
    result: Mapping[str, Any] | None = None  # the §11 screening result
    screened_at: datetime | None = None
    acknowledgements: Mapping[str, Acknowledged] = field(default_factory=dict)
    signed: Signed | None = None
    consents: tuple[Consented, ...] = ()


class _Entries:
    """The bundle's entries, each validated through its model as it is added."""

    def __init__(self, record: IntakeRecord) -> None:
        self.record = record
        self.entries: list[dict[str, Any]] = []

    def url(self, kind: str, key: str = "") -> str:
        name = f"{self.record.clinic_slug}/{self.record.intake_id}/{kind}/{key}"
        return f"urn:uuid:{uuid.uuid5(_NAMESPACE, name)}"

    def add(self, model: type[Resource], url: str, resource: dict[str, Any]) -> str:
        validated = model.model_validate(resource)
        self.entries.append({"fullUrl": url, "resource": validated})
        return url


def build_bundle(record: IntakeRecord) -> Bundle:
    """The intake as a FHIR R4B Bundle; every resource validated."""
    entries = _Entries(record)
    patient = entries.add(Patient, entries.url("Patient"), _patient(record))
    subject = {"reference": patient}
    response = entries.add(
        QuestionnaireResponse,
        entries.url("QuestionnaireResponse"),
        _response(record, subject),
    )
    targets = [response]
    for index, consented in enumerate(record.consents):
        targets.append(
            entries.add(
                Consent,
                entries.url("Consent", str(index)),
                _consent(record, consented, subject),
            )
        )
    if record.result is not None:
        targets += _observations(entries, record, subject, response)
        issues = _issues(entries, record, subject, response)
        targets += issues
        targets.append(_risk(entries, record, subject, [*issues, response]))
    if record.signed is not None:
        _provenance(entries, record.signed, targets)
    return Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "meta": {"tag": [codes.VERSION_TAG]},
            "identifier": {
                "system": "urn:screening:fhir-export",
                "value": entries.url("Bundle").removeprefix("urn:uuid:"),
            },
            "type": "collection",
            "timestamp": _instant(record.exported_at),
            "entry": entries.entries,
        }
    )


def bundle_json(record: IntakeRecord) -> str:
    """The bundle as JSON text, parsed back through the model before it is returned."""
    text = build_bundle(record).model_dump_json(indent=2)
    Bundle.model_validate_json(text)
    return text + "\n"


def _consent(
    record: IntakeRecord, consented: Consented, subject: dict[str, Any]
) -> dict[str, Any]:
    """A Consent: the document version as its policy, the method as an extension."""
    return {
        "resourceType": "Consent",
        "extension": [
            {
                "url": codes.CONSENT_METHOD,
                "valueCoding": {
                    "system": codes.CONSENT_METHOD,
                    "code": consented.method,
                    "display": consented.method_words,
                },
            }
        ],
        "status": "active",
        "scope": {"coding": [codes.CONSENT_SCOPE]},
        "category": [{"coding": [codes.CONSENT_CATEGORY]}],
        "patient": subject,
        "dateTime": _instant(consented.at),
        "policy": [
            {
                "uri": f"{codes.CONSENT_DOCUMENT}:{record.clinic_slug}:"
                f"{quote(consented.title)}:{quote(consented.version)}"
            }
        ],
        "sourceAttachment": {
            "title": f"{consented.title}, version {consented.version}"
        },
        "verification": [
            {
                "verified": True,
                "verificationDate": _instant(consented.recorded_at),
            }
        ],
    }


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _status(record: IntakeRecord) -> str:
    # A result the clinician has not signed is preliminary.
    return "final" if record.signed is not None else "preliminary"


def _patient(record: IntakeRecord) -> dict[str, Any]:
    # The clinic's MRN only: the receiving record matches on it (minimum necessary).
    return {
        "resourceType": "Patient",
        "identifier": [
            {
                "use": "usual",
                "type": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                            "code": "MR",
                            "display": "Medical record number",
                        }
                    ]
                },
                "system": f"urn:screening:clinic:{record.clinic_slug}:mrn",
                "value": record.mrn,
                "assigner": {"display": record.clinic_name},
            }
        ],
    }


def _response(record: IntakeRecord, subject: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": codes.QUESTIONNAIRE_URL,
        "status": "in-progress" if record.is_in_progress else "completed",
        "subject": subject,
        "authored": _instant(record.updated_at),
        "item": response_items(record.document),
    }


def _observations(
    entries: _Entries, record: IntakeRecord, subject: dict[str, Any], response: str
) -> list[str]:
    """A survey Observation per instrument total (in its panel), and the vital signs."""
    derived = (record.result or {}).get("derived") or {}
    common = {
        "resourceType": "Observation",
        "status": _status(record),
        "subject": subject,
        "effectiveDateTime": record.document["intake_date"],
        "derivedFrom": [{"reference": response}],
    }
    if record.screened_at is not None:
        common["issued"] = _instant(record.screened_at)
    made: list[str] = []
    for each in declared.instruments():
        made += _score(entries, each, derived, common)
    made += _vitals(entries, record, common)
    return made


def _category(code: str, display: str) -> list[dict[str, Any]]:
    return [
        {
            "coding": [
                {"system": codes.OBSERVATION_CATEGORY, "code": code, "display": display}
            ]
        }
    ]


def _band(band: Any) -> list[dict[str, Any]]:
    if band is None or band in ("incomplete", "not_administered"):
        return []
    words = _BAND_WORDS.get(band) or str(band).replace("_", " ").capitalize()
    code = {True: "positive", False: "negative"}.get(band, band)
    return [
        {
            "coding": [{"system": codes.BANDS, "code": code, "display": words}],
            "text": words,
        }
    ]


def _score(
    entries: _Entries,
    each: Instrument,
    derived: Mapping[str, Any],
    common: dict[str, Any],
) -> list[str]:
    survey = {**common, "category": _category("survey", "Survey")}
    if each.key == "CSSRS":
        risk = derived.get("cssrs_risk")
        if risk is None:
            return []
        return [
            entries.add(
                Observation,
                entries.url("Observation", each.key),
                {
                    **survey,
                    "code": {
                        "coding": [codes.coding(CSSRS_RISK)],
                        "text": CSSRS_RISK.display,
                    },
                    "valueCodeableConcept": _band(risk)[0],
                },
            )
        ]
    total_name, band_name = SCORES[each.key]
    total = derived.get(total_name)
    if total is None or not each.total_codes:
        return []
    observation = {
        **survey,
        "code": {
            "coding": [codes.coding(code) for code in each.total_codes],
            "text": f"{each.name} total score",
        },
        "valueInteger": int(total),
    }
    interpretation = _band(derived.get(band_name))
    if interpretation:
        observation["interpretation"] = interpretation
    made = [entries.add(Observation, entries.url("Observation", each.key), observation)]
    if each.panel_codes:
        panel = {
            **survey,
            "code": {
                "coding": [codes.coding(code) for code in each.panel_codes],
                "text": each.name,
            },
            "hasMember": [{"reference": made[0]}],
        }
        made.append(
            entries.add(
                Observation, entries.url("Observation", f"{each.key}-panel"), panel
            )
        )
    return made


def _vitals(
    entries: _Entries, record: IntakeRecord, common: dict[str, Any]
) -> list[str]:
    """An Observation per answered question that has a LOINC code (BP, HR, BMI)."""
    made = []
    for question in declared.questions():
        coded = [code for code in question.codes if code.system != LOCAL]
        value = value_at(record.document, parse_path(question.path))
        if (
            not coded
            or value is None
            or isinstance(value, bool)
            or "[" in question.path
        ):
            continue
        if not isinstance(value, int | float) and not hasattr(value, "as_tuple"):
            continue
        quantity = {"value": value, **codes.unit_coding(question.unit)}
        quantity["unit"] = quantity.pop("display")
        observation = {
            **common,
            "category": _category("vital-signs", "Vital Signs"),
            "code": {
                "coding": [codes.coding(code) for code in coded],
                "text": question.label,
            },
            "valueQuantity": quantity,
        }
        made.append(
            entries.add(
                Observation, entries.url("Observation", question.path), observation
            )
        )
    return made


def _issues(
    entries: _Entries, record: IntakeRecord, subject: dict[str, Any], response: str
) -> list[str]:
    """A DetectedIssue per flag: our rule code, its severity, the answers that fired it
    and the clinician's acknowledgement as its mitigation."""
    made = []
    for flag in (record.result or {}).get("flags", []):
        title = flag.get("title") or flag["code"]
        issue: dict[str, Any] = {
            "resourceType": "DetectedIssue",
            "status": _status(record),
            "code": {
                "coding": [
                    {"system": codes.RULES, "code": flag["code"], "display": title}
                ],
                "text": title,
            },
            "patient": subject,
            "evidence": _evidence(flag, response),
            "detail": _detail(flag),
        }
        severity = SEVERITIES.get(flag["severity"])
        if severity is not None:
            issue["severity"] = severity
        if record.screened_at is not None:
            issue["identifiedDateTime"] = _instant(record.screened_at)
        url = (flag.get("source") or {}).get("url")
        if url:
            issue["reference"] = url
        acknowledged = record.acknowledgements.get(flag["code"])
        if acknowledged is not None:
            issue["mitigation"] = [_mitigation(acknowledged)]
        made.append(
            entries.add(
                DetectedIssue, entries.url("DetectedIssue", flag["code"]), issue
            )
        )
    return made


def _evidence(flag: Mapping[str, Any], response: str) -> list[dict[str, Any]]:
    answers = (flag.get("evidence") or {}).get("answers") or {}
    return [
        {
            "code": [
                {
                    "coding": [{"system": codes.QUESTIONNAIRE_URL, "code": path}],
                    "text": f"{question_label(path)}: {_words(path, value)}",
                }
            ],
            "detail": [{"reference": response}],
        }
        for path, value in answers.items()
    ]


def _words(path: str, value: Any) -> str:
    """An answer in words: its option's words where it has options."""
    if value is None:
        return "not answered"
    question = declared.question(path)
    words = question.option_label(value) if question is not None else None
    if words is not None:
        return words
    return json.dumps(value, default=str, ensure_ascii=False).strip('"')


def _detail(flag: Mapping[str, Any]) -> str:
    lines = [flag.get("message") or flag.get("title") or flag["code"]]
    threshold = (flag.get("evidence") or {}).get("threshold")
    if threshold:
        lines.append(f"Threshold: {threshold}")
    if flag.get("urgent"):
        lines.append("Urgent: a same-day safety assessment is needed.")
    if flag.get("ruleset_version"):
        lines.append(f"Ruleset {flag['ruleset_version']}")
    return "\n".join(lines)


def _mitigation(acknowledged: Acknowledged) -> dict[str, Any]:
    action: dict[str, Any] = {
        "coding": [
            {
                "system": codes.ACK_REASONS,
                "code": acknowledged.reason_code,
                "display": acknowledged.reason_words,
            }
        ],
        "text": acknowledged.note or acknowledged.reason_words,
    }
    return {
        "action": action,
        "date": _instant(acknowledged.at),
        "author": codes.user_reference(acknowledged.username, acknowledged.name),
    }


def _risk(
    entries: _Entries, record: IntakeRecord, subject: dict[str, Any], basis: list[str]
) -> str:
    result = record.result or {}
    outcome = result.get("outcome", "incomplete")
    words = OUTCOME_WORDS.get(outcome, outcome)
    version = result.get("ruleset_version") or ""
    risk: dict[str, Any] = {
        "resourceType": "RiskAssessment",
        "status": _status(record),
        "subject": subject,
        "code": {
            "text": "Screening for contraindications to ketamine-assisted therapy"
        },
        "basis": [{"reference": url} for url in basis],
        "prediction": [
            {
                "outcome": {
                    "coding": [
                        {"system": codes.OUTCOMES, "code": outcome, "display": words}
                    ],
                    "text": words,
                }
            }
        ],
        "note": [
            {"text": "A screening outcome for the clinician; not a treatment decision."}
        ],
    }
    if version:
        risk["method"] = {
            "coding": [{"system": codes.RULESET_VERSIONS, "code": version}],
            "text": f"Screening rules, ruleset {version}",
        }
    if record.screened_at is not None:
        risk["occurrenceDateTime"] = _instant(record.screened_at)
    return entries.add(RiskAssessment, entries.url("RiskAssessment"), risk)


def _provenance(entries: _Entries, signed: Signed, targets: list[str]) -> str:
    signer = codes.user_reference(signed.username, signed.name)
    # The sign-off hash (security.md §3.4) as the signature's data: "sha256:<hex>".
    data = base64.b64encode(f"sha256:{signed.signature_sha256}".encode()).decode()
    provenance = {
        "resourceType": "Provenance",
        "target": [{"reference": url} for url in targets],
        "recorded": _instant(signed.at),
        "activity": {"text": "Clinician sign-off of the screening summary"},
        "agent": [
            {
                "type": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
                            "code": "verifier",
                            "display": "Verifier",
                        }
                    ]
                },
                "who": signer,
            }
        ],
        "entity": [
            {
                "role": "source",
                "what": {
                    "identifier": {
                        "system": codes.RULESET_VERSIONS,
                        "value": signed.ruleset_version,
                    },
                    "display": f"Ruleset {signed.ruleset_version}",
                },
            }
        ],
        "signature": [
            {
                "type": [
                    {
                        "system": "urn:iso-astm:E1762-95:2013",
                        "code": "1.2.840.10065.1.12.1.5",
                        "display": "Verification Signature",
                    }
                ],
                "when": _instant(signed.at),
                "who": signer,
                "sigFormat": "text/plain",
                "data": data,
            }
        ],
    }
    return entries.add(Provenance, entries.url("Provenance"), provenance)
