"""An intake's FHIR Bundle: R4B, made from the declaration, no prescription."""

import base64
import json

import pytest
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from screening import questionnaire as declared
from screening.fhir.bundle import SCORES
from screening.fhir.codes import DATA_ABSENT, RULES, VERSION_TAG
from screening.fhir.questionnaire import questionnaire_json
from screening.models import Acknowledgement, ConsentRecord
from screening.services import consent, reviews
from screening.services.review_hashes import review_items
from tests.factories import published_consent
from tests.fhir.conftest import CASES, bundle_of, expected, link_ids, resources
from tests.services.test_reviews import fresh, signed

pytestmark = pytest.mark.django_db

ALLOWED = {
    "Patient",
    "QuestionnaireResponse",
    "Observation",
    "DetectedIssue",
    "RiskAssessment",
    "Provenance",
}
# What a prescription or a dose would be written with in FHIR.
NEVER = ("MedicationRequest", "CarePlan", "dosage", "doseAndRate", "doseQuantity")
SEVERITY = {"absolute": "high", "relative": "moderate", "caution": "low"}
TOTALS = {
    "phq9_total": "44261-6",
    "gad7_total": "70274-6",
    "audit_c_total": "75626-2",
    "dast10_total": "82667-7",
    "pcl5_total": "101698-9",
}


@pytest.mark.parametrize("name", CASES)
def test_it_writes_a_valid_r4b_bundle_for_every_vignette(name, imported, intake_staff):
    intake = imported(name)
    text = json.dumps(bundle_of(intake, intake_staff))

    bundle = Bundle.model_validate_json(text)

    assert bundle.type == "collection"
    found = json.loads(text)
    assert found["meta"]["tag"] == [VERSION_TAG]
    kinds = {entry["resource"]["resourceType"] for entry in found["entry"]}
    assert kinds <= ALLOWED
    assert not [word for word in NEVER if f'"{word}"' in text]


@pytest.mark.parametrize("name", CASES)
def test_it_reports_every_flag_and_the_outcome_of_the_vignette(
    name, imported, intake_staff
):
    bundle = bundle_of(imported(name), intake_staff)
    want = expected(name)

    issues = resources(bundle, "DetectedIssue")

    got = {(i["code"]["coding"][0]["code"], i.get("severity")) for i in issues}
    assert got == {(f["code"], SEVERITY.get(f["severity"])) for f in want["flags"]}
    assert all(i["code"]["coding"][0]["system"] == RULES for i in issues)
    (risk,) = resources(bundle, "RiskAssessment")
    assert risk["prediction"][0]["outcome"]["coding"][0]["code"] == want["outcome"]


@pytest.mark.parametrize("name", CASES)
def test_it_answers_with_the_questionnaires_link_ids(name, imported, intake_staff):
    bundle = bundle_of(imported(name), intake_staff)
    asked = set(link_ids(questionnaire_json()["item"]))

    (response,) = resources(bundle, "QuestionnaireResponse")

    answered = set(link_ids(response["item"]))
    assert answered
    assert answered <= asked


@pytest.mark.parametrize("name", CASES)
def test_it_codes_each_instrument_total_with_loinc_and_its_band(
    name, imported, intake_staff
):
    bundle = bundle_of(imported(name), intake_staff)
    derived = expected(name)["derived"]
    observations = {
        o["code"]["coding"][0]["code"]: o for o in resources(bundle, "Observation")
    }

    for total, loinc in TOTALS.items():
        if derived.get(total) is None:
            continue
        assert observations[loinc]["valueInteger"] == derived[total]
        band = total.replace("_total", "_band")
        if derived.get(band):
            interpretation = observations[loinc]["interpretation"][0]["coding"][0]
            assert interpretation["code"] == derived[band]


def test_it_puts_the_phq9_total_in_its_panel(imported, intake_staff):
    bundle = bundle_of(imported(CASES[0]), intake_staff)
    by_code = {
        o["code"]["coding"][0]["code"]: o for o in resources(bundle, "Observation")
    }
    urls = {id(e["resource"]): e["fullUrl"] for e in bundle["entry"]}

    panel = by_code["44249-1"]

    assert panel["hasMember"] == [{"reference": urls[id(by_code["44261-6"])]}]


def test_it_names_the_patient_by_the_clinics_mrn_only(imported, intake_staff):
    bundle = bundle_of(imported(CASES[0]), intake_staff)

    (patient,) = resources(bundle, "Patient")

    (identifier,) = patient["identifier"]
    assert identifier["value"] == "V01"
    assert identifier["system"] == "urn:screening:clinic:clinic-a:mrn"
    assert identifier["type"]["coding"][0]["code"] == "MR"
    assert set(patient) == {"resourceType", "identifier"}


def test_it_writes_the_vital_signs_with_their_loinc_codes(imported, intake_staff):
    intake = imported("V03-older-adult-bp-141-mi-9-months.json")
    vitals = intake.sections.get(kind="vitals").data
    bundle = bundle_of(intake, intake_staff)

    observations = {
        o["code"]["coding"][0]["code"]: o["valueQuantity"]
        for o in resources(bundle, "Observation")
        if o["category"][0]["coding"][0]["code"] == "vital-signs"
    }

    assert observations["8480-6"]["value"] == vitals["bp_systolic"]
    assert observations["8480-6"]["code"] == "mm[Hg]"
    assert observations["8462-4"]["value"] == vitals["bp_diastolic"]


def test_it_leaves_out_what_was_not_asked_and_says_why_an_answer_is_missing(
    imported, intake_staff
):
    # V07: a patient who cannot become pregnant (pregnancy status not asked), and
    # an AUDIT-C item the patient declined to answer.
    bundle = bundle_of(
        imported("V07-missing-bp-and-checklist-answers.json"), intake_staff
    )
    (response,) = resources(bundle, "QuestionnaireResponse")
    items = {}
    stack = list(response["item"])
    while stack:
        item = stack.pop()
        items[item["linkId"]] = item
        stack += item.get("item", [])

    assert "demographics.pregnancy_status" not in items
    declined = items["substance_use.audit_c.q3"]
    assert "answer" not in declined
    assert declined["extension"] == [
        {"url": DATA_ABSENT, "valueCode": "asked-declined"}
    ]


def test_it_gives_an_info_flag_no_severity(imported, intake_staff):
    bundle = bundle_of(imported(CASES[0]), intake_staff)

    (issue,) = resources(bundle, "DetectedIssue")

    assert issue["code"]["coding"][0]["code"] == "SUIT-TRD-MET"
    assert "severity" not in issue


def test_it_cites_the_answers_that_fired_a_flag_as_its_evidence(imported, intake_staff):
    intake = imported("V03-older-adult-bp-141-mi-9-months.json")
    flags = {f["code"]: f for f in intake.current_screening.result["flags"]}
    bundle = bundle_of(intake, intake_staff)

    for issue in resources(bundle, "DetectedIssue"):
        code = issue["code"]["coding"][0]["code"]
        cited = [e["code"][0]["coding"][0]["code"] for e in issue["evidence"]]
        assert cited == list(flags[code]["evidence"]["answers"])


def test_it_writes_the_acknowledgement_as_the_flags_mitigation(
    imported, intake_staff, clinician
):
    intake = imported("V03-older-adult-bp-141-mi-9-months.json")
    kind, flag = next(
        (k, i) for k, i in review_items(intake.current_screening) if k == "flag"
    )
    reviews.do_acknowledge(
        fresh(intake),
        kind=kind,
        rule_code=flag["code"],
        reason_code=Acknowledgement.FlagReason.WILL_MONITOR,
        note="Repeat BP at the evaluation visit.",
        by=clinician,
    )

    bundle = bundle_of(fresh(intake), intake_staff)

    issues = {
        i["code"]["coding"][0]["code"]: i for i in resources(bundle, "DetectedIssue")
    }
    (mitigation,) = issues[flag["code"]]["mitigation"]
    assert mitigation["action"]["coding"][0]["code"] == "reviewed_will_monitor"
    assert mitigation["action"]["text"] == "Repeat BP at the evaluation visit."
    assert mitigation["author"]["identifier"]["value"] == clinician.get_username()
    others = [i for code, i in issues.items() if code != flag["code"]]
    assert others
    assert not [i for i in others if "mitigation" in i]
    assert not resources(bundle, "Provenance")


def test_it_names_the_signer_time_ruleset_and_hash_of_a_signed_intake(
    imported, intake_staff, clinician
):
    intake = imported("V03-older-adult-bp-141-mi-9-months.json")
    consent.do_record_consent(  # a "proceed" is signed only with it (#18)
        intake,
        document=published_consent(intake.clinic),
        method=ConsentRecord.Method.PAPER_SCANNED,
        consented_at=timezone.now(),
        by=intake_staff,
    )
    signoff = signed(intake, clinician)

    bundle = bundle_of(fresh(intake), intake_staff)

    (provenance,) = resources(bundle, "Provenance")
    (signature,) = provenance["signature"]
    assert signature["who"]["identifier"]["value"] == clinician.get_username()
    assert provenance["agent"][0]["who"] == signature["who"]
    assert provenance["recorded"] == signoff.signed_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert provenance["entity"][0]["what"]["identifier"]["value"] == (
        signoff.ruleset_version
    )
    data = base64.b64decode(signature["data"]).decode()
    assert data == f"sha256:{signoff.signature_sha256}"
    targets = {t["reference"] for t in provenance["target"]}
    urls = {
        e["fullUrl"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"]
        in {"QuestionnaireResponse", "DetectedIssue", "RiskAssessment"}
    }
    assert urls <= targets
    assert all(
        i["mitigation"] for i in resources(bundle, "DetectedIssue") if "severity" in i
    )
    assert {i["status"] for i in resources(bundle, "DetectedIssue")} == {"final"}


def test_it_knows_where_the_screening_keeps_every_coded_instruments_total():
    # A new instrument with a total code needs its derived names in SCORES.
    coded = {each.key for each in declared.instruments() if each.total_codes}
    assert coded <= set(SCORES)
