import copy
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from pypdf import PdfReader

from screening import pdf, worklist
from screening.intake_format import load_document
from screening.models import (
    Acknowledgement,
    AuditEvent,
    Disposition,
    Intake,
    IntakeSection,
    Screening,
    SectionRevision,
    SignOff,
)
from screening.review_summary import build_summary
from screening.services import intakes, reviews, rulesets
from screening.services.missing_data import is_missing_data_flag
from screening.services.review_hashes import review_items
from screening.worklist import Cursor, list_worklist_page
from tests.factories import intakes_from_documents, screened_intake
from tests.services.review_documents import (
    REALISTIC,
    with_aneurysm,
    with_high_suicide_risk,
)
from tests.services.test_reviews import page_hash

PASSWORD = "correct horse battery staple"


def url(name: str, intake: Intake) -> str:
    return reverse(f"screening:{name}", kwargs={"pk": intake.pk})


def fresh(intake: Intake) -> Intake:
    return Intake.objects.select_related("clinic", "patient", "current_screening").get(
        pk=intake.pk
    )


def clinician_of(client) -> object:
    return get_user_model().objects.get(pk=client.session["_auth_user_id"])


def current_code(user) -> str:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return f"{totp(device.bin_key):06d}"


def missing_paths(intake: Intake) -> list[str]:
    """Every answer a not-evaluable rule or a DATA-MISSING flag waits on."""
    result = fresh(intake).current_screening.result
    paths = [path for item in result["not_evaluable"] for path in item["needs"]]
    for flag in result["flags"]:
        if is_missing_data_flag(flag["code"]):
            paths += list(flag["evidence"]["answers"])
    return list(dict.fromkeys(paths))


def acknowledge_all(client, intake: Intake) -> None:
    """Acknowledge each flag, and accept each missing answer once as unknown."""
    for kind, item in review_items(fresh(intake).current_screening):
        if kind == "flag" and not is_missing_data_flag(item["code"]):
            response = client.post(
                url("review-acknowledge", intake),
                {
                    "kind": kind,
                    "code": item["code"],
                    "reason_code": "reviewed_will_monitor",
                    "note": "",
                },
            )
            assert response.status_code == 302, response.content
    for path in missing_paths(intake):
        response = client.post(
            url("review-missing-accept", intake),
            {"path": path, "reason_code": "records_unavailable", "note": ""},
        )
        assert response.status_code == 302, response.content


def choose_disposition(client, intake: Intake, **values) -> None:
    data = {"decision": "proceed", "rationale": "Benefit outweighs the risks."}
    data.update(values)
    response = client.post(url("review-disposition", intake), data)
    assert response.status_code == 302, response.content


def sign_post(client, intake: Intake, *, password: str = PASSWORD, code: str = ""):
    return client.post(
        url("review-sign", intake),
        {
            "page_sha256": page_hash(intake),
            "opened_at": timezone.now().isoformat(),
            "password": password,
            "otp_token": code or current_code(clinician_of(client)),
        },
    )


def review_and_sign(client, intake: Intake) -> SignOff:
    acknowledge_all(client, intake)
    choose_disposition(client, intake)
    response = sign_post(client, intake)
    assert response.status_code == 302, response.content
    return SignOff.objects.get(intake=intake)


@pytest.fixture
def intake(clinic, intake_staff):
    return screened_intake(clinic, REALISTIC, by=intake_staff)


@pytest.fixture
def doctor(client_as):
    return client_as("clinician")


def text_of(response) -> str:
    """The page's text without tags, white space collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


# Access


@pytest.mark.parametrize(
    ("role", "status"),
    [("clinician", 200), ("intake_staff", 403), ("rule_admin", 403), ("auditor", 403)],
)
def test_it_shows_the_summary_to_clinicians_only(client_as, intake, role, status):
    assert client_as(role).get(url("review-summary", intake)).status_code == status


def test_it_returns_404_for_another_clinics_intake__t_ac_01(
    client_for, other_clinic_clinician, intake
):
    client = client_for(other_clinic_clinician)
    for name in ("review-summary", "intake-addendum"):
        assert client.get(url(name, intake)).status_code == 404
    for name in (
        "review-acknowledge",
        "review-disposition",
        "review-sign",
        "review-pdf",
    ):
        assert client.post(url(name, intake), {}).status_code == 404
    assert not Acknowledgement.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [("clinician", 200), ("intake_staff", 403), ("rule_admin", 403), ("auditor", 403)],
)
def test_it_shows_the_worklist_to_clinicians_only(client_as, role, status):
    response = client_as(role).get(reverse("screening:review-worklist"))
    assert response.status_code == status


def test_it_links_the_worklist_for_clinicians_only(client_as):
    worklist = reverse("screening:review-worklist")
    home = reverse("screening:home")
    assert worklist in client_as("clinician").get(home).content.decode()
    assert worklist not in client_as("intake_staff").get(home).content.decode()


# The flagged summary


def test_it_shows_every_flag_with_its_evidence_source_and_entry(doctor, intake):
    response = doctor.get(url("review-summary", intake))
    page = text_of(response)
    for flag in fresh(intake).current_screening.result["flags"]:
        assert f"{flag['code']}@default-1" in page
    assert "Systolic blood pressure" in page
    assert "152" in page
    # Who entered the answer and when, from the field history.
    assert "intake, 20" in page
    assert "SPRAVATO" in page
    assert "Flags for the clinician to review" in page
    assert "flags for the clinician" in page
    assert AuditEvent.objects.filter(action="review.viewed").count() == 1


def test_it_lists_every_flag_on_one_line_absolute_first(doctor, clinic, intake_staff):
    intake = screened_intake(clinic, with_aneurysm(), by=intake_staff)
    body = doctor.get(url("review-summary", intake)).content.decode()
    lines = re.findall(r'<summary class="flag-line">(.*?)</summary>', body, re.S)
    severities = [re.search(r"severity-(\w+)", line).group(1) for line in lines]
    assert len(lines) == len(fresh(intake).current_screening.result["flags"])
    order = ["absolute", "relative", "caution", "info"]
    assert severities == sorted(severities, key=order.index)
    assert severities[0] == "absolute"
    first = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", lines[0])).strip()
    assert first.startswith("Absolute Aneurysmal vascular disease")
    assert "Not acknowledged" in first
    assert "Absolute contraindication flagged" in text_of(
        doctor.get(url("review-summary", intake))
    )


def test_it_shows_an_urgent_flag_as_same_day_safety_assessment(
    doctor, clinic, intake_staff
):
    intake = screened_intake(clinic, with_high_suicide_risk(), by=intake_staff)
    response = doctor.get(url("review-summary", intake))
    assert (
        'class="alert alert-danger banner banner-urgent"' in response.content.decode()
    )
    assert "Same-day safety assessment needed." in text_of(response)


def test_it_lists_each_missing_answer_once_with_what_waits_on_it(doctor, intake):
    response = doctor.get(url("review-summary", intake))
    body = response.content.decode()
    page = text_of(response)
    section = page[page.index("What is missing (") : page.index("Disposition")]
    # One item for the answer that one flag and one rule wait on.
    assert body.count('class="missing-item"') == 1
    assert section.startswith("What is missing (1 open of 1) Severe personality")
    assert (
        "Needed by: History questions unanswered; Severe personality disorder"
    ) in section
    assert "PSY-PERSONALITY" not in section  # the rule's title, not its code
    assert "Intake note: patient declined." in section
    link = reverse(
        "screening:intake-section-edit", args=[intake.pk, "psychiatric-history"]
    )
    assert f'href="{link}#div_id_severe_personality_disorder"' in body
    section_page = doctor.get(link).content.decode()
    assert 'id="div_id_severe_personality_disorder"' in section_page


def test_it_shows_scores_and_the_trd_table_in_words(doctor, intake):
    page = text_of(doctor.get(url("review-summary", intake)))
    assert "PHQ-9 17 (moderately severe)" in page
    assert "Citalopram Does not count not in the current episode" in page
    assert "bupropion Undetermined drug not in the dose table" in page
    assert "escitalopram Adequate failure all criteria met" in page


def test_it_never_shows_a_ketamine_dose_or_a_recommendation(doctor, intake):
    page = text_of(doctor.get(url("review-summary", intake))).lower()
    for words in ("recommend ", "recommended dose", "mg/kg", "infusion rate"):
        assert words not in page


# Acknowledgements and disposition


def test_it_acknowledges_a_flag(doctor, intake):
    response = doctor.post(
        url("review-acknowledge", intake),
        {
            "kind": "flag",
            "code": "CV-MI-12M",
            "reason_code": "reviewed_will_monitor",
            "note": "Cardiology letter on file.",
        },
    )
    assert response.status_code == 302
    ack = Acknowledgement.objects.get()
    assert (ack.rule_code, ack.note) == ("CV-MI-12M", "Cardiology letter on file.")
    assert AuditEvent.objects.filter(action="review.acknowledged").count() == 1
    page = text_of(doctor.get(url("review-summary", intake)))
    assert "Reviewed: will monitor. Cardiology letter on file." in page


def test_it_keeps_the_typed_values_when_other_has_no_note(doctor, intake):
    response = doctor.post(
        url("review-acknowledge", intake),
        {"kind": "flag", "code": "CV-MI-12M", "reason_code": "other", "note": ""},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "required when the reason is" in body
    assert re.search(r'value="other"[^>]*checked', body)
    assert not Acknowledgement.objects.exists()


def autofocused_ids(body: str) -> set[str]:
    focused = re.findall(
        r'id="(id_[^"]+)"[^>]*autofocus|autofocus[^>]*id="(id_[^"]+)"', body
    )
    return {name for pair in focused for name in pair if name}


def test_it_opens_on_the_flag_list_without_moving_the_focus(doctor, intake):
    body = doctor.get(url("review-summary", intake)).content.decode()
    assert autofocused_ids(body) == set()
    assert '<details id="flag-CV-MI-12M">' in body


def test_it_focuses_the_field_in_error_of_a_posted_form(doctor, intake):
    response = doctor.post(
        url("review-acknowledge", intake),
        {"kind": "flag", "code": "CV-MI-12M", "reason_code": "other", "note": ""},
    )
    body = response.content.decode()
    assert autofocused_ids(body) == {"id_flag_CV-MI-12M_note"}
    assert '<details id="flag-CV-MI-12M" open>' in body


def test_it_refuses_to_acknowledge_a_data_missing_flag_by_a_reason_alone(
    doctor, intake
):
    response = doctor.post(
        url("review-acknowledge", intake),
        {
            "kind": "flag",
            "code": "DATA-MISSING-HISTORY",
            "reason_code": "reviewed_will_monitor",
            "note": "",
        },
    )
    assert response.status_code == 400
    assert "What is missing" in response.content.decode()
    assert not Acknowledgement.objects.exists()


def test_it_accepts_a_missing_answer_once_for_every_item_waiting_on_it(doctor, intake):
    response = doctor.post(
        url("review-missing-accept", intake),
        {
            "path": "psychiatric_history.severe_personality_disorder",
            "reason_code": "patient_declined",
            "note": "Declined again at review.",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#missing")
    codes = set(Acknowledgement.objects.values_list("kind", "rule_code"))
    assert codes == {
        ("flag", "DATA-MISSING-HISTORY"),
        ("not_evaluable", "PSY-PERSONALITY"),
    }
    page = text_of(doctor.get(url("review-summary", intake)))
    assert "What is missing (0 open of 1)" in page
    assert "Accepted as unknown by clinician-user" in page
    assert "Patient declined. Declined again at review." in page


def test_it_refuses_a_missing_answer_accepted_as_other_without_a_note(doctor, intake):
    response = doctor.post(
        url("review-missing-accept", intake),
        {
            "path": "psychiatric_history.severe_personality_disorder",
            "reason_code": "other",
            "note": "",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "required when the reason is" in body
    assert re.search(r"<details class=\"missing-accept\" open>", body)
    assert not Acknowledgement.objects.exists()


def test_it_requires_an_override_rationale_to_proceed(doctor, clinic, intake_staff):
    intake = screened_intake(clinic, with_aneurysm(), by=intake_staff)
    response = doctor.post(
        url("review-disposition", intake),
        {"decision": "proceed", "rationale": "Patient wants to go ahead."},
    )
    assert response.status_code == 400
    assert "write why you proceed" in response.content.decode()
    assert not Disposition.objects.exists()
    choose_disposition(
        doctor, intake, override_rationale="Aneurysm repaired; vascular surgeon agrees."
    )
    response = doctor.get(url("review-summary", intake))
    assert 'banner banner-override"' in response.content.decode()
    assert "Proceeding despite an absolute contraindication." in text_of(response)


# Sign-off


def test_it_refuses_sign_off_while_a_flag_is_open(doctor, intake):
    choose_disposition(doctor, intake)
    response = sign_post(doctor, intake)
    assert response.status_code == 400
    assert "Acknowledge every flag" in response.content.decode()
    assert not SignOff.objects.exists()


def test_it_refuses_sign_off_with_a_wrong_password(doctor, intake):
    acknowledge_all(doctor, intake)
    choose_disposition(doctor, intake)
    response = sign_post(doctor, intake, password="not my password at all")
    assert response.status_code == 400
    assert "The password is not correct" in response.content.decode()
    assert not SignOff.objects.exists()
    assert AuditEvent.objects.filter(action="auth.reauth_failed").count() == 1
    assert fresh(intake).status == Intake.Status.READY_FOR_REVIEW


def test_it_refuses_sign_off_with_a_wrong_code(doctor, intake):
    acknowledge_all(doctor, intake)
    choose_disposition(doctor, intake)
    wrong = f"{(int(current_code(clinician_of(doctor))) + 1) % 1_000_000:06d}"
    response = sign_post(doctor, intake, code=wrong)
    assert response.status_code == 400
    assert "The code is wrong" in response.content.decode()
    assert not SignOff.objects.exists()
    assert AuditEvent.objects.filter(action="auth.reauth_failed").count() == 1


def test_it_signs_and_shows_who_signed(doctor, intake):
    signoff = review_and_sign(doctor, intake)
    assert fresh(intake).status == Intake.Status.SIGNED
    response = doctor.get(url("review-summary", intake))
    page = text_of(response)
    assert "Signed by clinician-user at" in page
    assert signoff.signature_sha256 in page
    assert "ALTERED SINCE SIGNATURE" not in page
    assert "review-acknowledge" not in response.content.decode()
    assert AuditEvent.objects.filter(action="review.signed").count() == 1


@pytest.mark.parametrize("table", ["screening_intakesection", "screening_screening"])
def test_it_shows_altered_since_signature(doctor, intake, table):
    review_and_sign(doctor, intake)
    if table == "screening_intakesection":
        section = IntakeSection.objects.get(intake=intake, kind="vitals")
        IntakeSection.objects.filter(pk=section.pk).update(
            data={**section.data, "bp_systolic": 120}
        )
    else:
        screening = Screening.objects.get(pk=intake.current_screening_id)
        result = copy.deepcopy(screening.result)
        result["flags"][0]["severity"] = "caution"
        Screening.objects.filter(pk=screening.pk).update(result=result)
    response = doctor.get(url("review-summary", intake))
    assert "ALTERED SINCE SIGNATURE" in response.content.decode()
    assert 'banner banner-altered"' in response.content.decode()


def test_it_refuses_every_edit_url_of_a_signed_intake__t_int_05(doctor, intake):
    review_and_sign(doctor, intake)
    rows_before = (
        Acknowledgement.objects.count(),
        Disposition.objects.count(),
        SectionRevision.objects.count(),
        SignOff.objects.count(),
    )
    posts = {
        "review-acknowledge": {
            "kind": "flag",
            "code": "CV-MI-12M",
            "reason_code": "other",
            "note": "late",
        },
        "review-disposition": {"decision": "not_suitable", "rationale": "late"},
        "review-sign": {"page_sha256": "0" * 64, "password": PASSWORD},
    }
    edit_urls = [(url(name, intake), data) for name, data in posts.items()]
    for name, kwargs in (
        ("intake-section-edit", {"section": "vitals"}),
        ("intake-clinician-edit", {}),
        ("intake-ready", {}),
    ):
        try:
            target = reverse(f"screening:{name}", kwargs={"pk": intake.pk, **kwargs})
        except NoReverseMatch:  # that page is not built yet
            continue
        edit_urls.append((target, {"bp_systolic": "120", "version": "99"}))
    for target, data in edit_urls:
        response = doctor.post(target, data)
        assert response.status_code == 403, target
        assert "signed and cannot be changed" in response.content.decode(), target
    rows_after = (
        Acknowledgement.objects.count(),
        Disposition.objects.count(),
        SectionRevision.objects.count(),
        SignOff.objects.count(),
    )
    assert rows_after == rows_before
    assert fresh(intake).status == Intake.Status.SIGNED


# Addenda


def test_it_amends_a_signed_intake_through_the_pages(doctor, intake, intake_staff):
    first = review_and_sign(doctor, intake)
    assert doctor.get(url("intake-addendum", intake)).status_code == 200
    response = doctor.post(
        url("intake-addendum", intake), {"reason": "Diastolic was mis-typed: 84."}
    )
    addendum = Intake.objects.get(amends=intake)
    assert response.status_code == 302
    assert response["Location"] == url("review-summary", addendum)
    assert AuditEvent.objects.filter(action="intake.amended").count() == 1

    vitals = IntakeSection.objects.get(intake=addendum, kind="vitals")
    intakes.do_save_section(
        vitals,
        {**vitals.data, "bp_systolic": 132, "bp_diastolic": 84},
        missing_reasons={},
        version=vitals.version,
        by=intake_staff,
    )
    page = text_of(doctor.get(url("review-summary", addendum)))
    assert f"Changes against the signed version (intake {intake.pk})" in page
    assert "Systolic blood pressure 152 132" in page
    assert "Removed CV-BP-ELEVATED" in page

    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        second = review_and_sign(doctor, addendum)
    first.refresh_from_db()
    assert first.status == SignOff.Status.SUPERSEDED
    assert second.supersedes_id == first.pk
    assert fresh(intake).status == Intake.Status.AMENDED
    original = text_of(doctor.get(url("review-summary", intake)))
    assert "superseded by an addendum" in original
    assert "ALTERED SINCE SIGNATURE" not in original
    assert re.search(rf"Intake {addendum.pk}\s*: signed, addendum: Diastolic", original)
    assert reviews.verify_signoffs() == []


def test_it_refuses_an_addendum_of_an_unsigned_intake(doctor, intake):
    response = doctor.post(url("intake-addendum", intake), {"reason": "Too early."})
    assert response.status_code == 200
    assert "Only the signed, current version" in response.content.decode()
    assert Intake.objects.count() == 1


# PDF


def test_it_prints_the_signed_summary_as_a_pdf(doctor, intake):
    signoff = review_and_sign(doctor, intake)
    response = doctor.post(url("review-pdf", intake))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
    )
    flat = re.sub(r"\s+", "", text)
    for flag in signoff.screening.result["flags"]:
        assert flag["code"] in flat
    assert "Sign-off hash" in text
    assert signoff.signature_sha256 in flat
    assert "default-1" in flat
    assert AuditEvent.objects.filter(action="review.printed").count() == 1


def test_it_puts_the_decision_on_the_first_page_of_the_pdf(doctor, intake):
    signoff = review_and_sign(doctor, intake)
    response = doctor.post(url("review-pdf", intake))
    pages = [
        page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
    ]
    first = re.sub(r"\s+", " ", pages[0])
    assert "Proceed to clinical evaluation" in first
    assert "Benefit outweighs the risks." in first
    for flag in signoff.screening.result["flags"]:
        assert flag["title"] in first, flag["title"]
    assert "Signed by clinician-user at" in first
    assert signoff.signature_sha256 in re.sub(r"\s+", "", pages[0])
    # The details follow, and the last page is not a stray footer.
    assert "Details of each flag" in pages[1]
    assert len(pages[-1].split()) > 40, pages[-1]


def test_it_prints_an_override_prominently_in_the_pdf(doctor, clinic, intake_staff):
    intake = screened_intake(clinic, with_aneurysm(), by=intake_staff)
    choose_disposition(doctor, intake, override_rationale="Repaired in 2019.")
    response = doctor.post(url("review-pdf", intake))
    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
    )
    assert "Proceeding despite an absolute contraindication" in text
    assert "CI-ANEURYSM" in re.sub(r"\s+", "", text)


def test_it_prints_the_shared_vignettes_when_present(doctor, clinic, intake_staff):
    folder = Path("/work/shared/vignettes")
    files = sorted(folder.glob("V0*.json")) if folder.is_dir() else []
    if not files:
        pytest.skip("the shared vignettes are not on this machine")
    for path in files:
        document = load_document(path.read_text(), today=None)
        intake = screened_intake(clinic, document, by=intake_staff)
        response = doctor.post(url("review-pdf", intake))
        flat = re.sub(
            r"\s+",
            "",
            "".join(
                p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages
            ),
        )
        for flag in fresh(intake).current_screening.result["flags"]:
            assert flag["code"] in flat, (path.name, flag["code"])


# Query counts


def _with_flags(intake: Intake, count: int) -> None:
    """Give the intake's current screening `count` flags and `count` trials."""
    screening = Screening.objects.get(pk=intake.current_screening_id)
    result = copy.deepcopy(screening.result)
    template = result["flags"][0]
    result["flags"] = [
        {**template, "code": f"TEST-FLAG-{n:03d}", "title": f"Flag {n}"}
        for n in range(count)
    ]
    result["derived"]["trial_assessments"] = [
        {"drug": f"drug {n}", "counted_as_adequate_failure": False, "reasons": []}
        for n in range(count)
    ]
    Screening.objects.filter(pk=screening.pk).update(result=result)


def queries_of(client, target: str) -> int:
    client.get(target)  # warm the session and the compiled-ruleset cache
    with CaptureQueriesContext(connection) as captured:
        assert client.get(target).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("signed", [False, True])
def test_it_keeps_summary_queries_constant(
    client_as, clinic, intake_staff, signed, django_assert_max_num_queries
):
    doctor = client_as("clinician")
    counts = []
    for step, flags in enumerate((1, 10, 50)):
        intake = screened_intake(clinic, REALISTIC, by=intake_staff)
        if signed:
            # One TOTP code per 30-second step: each sign-off uses the next one.
            with time_machine.travel(timezone.now() + timedelta(seconds=31 * step)):
                review_and_sign(doctor, intake)
        _with_flags(intake, flags)
        counts.append(queries_of(doctor, url("review-summary", intake)))
        # The summary's own reads: sections, field history, acknowledgements,
        # dispositions, versions (and the active ruleset once signed), missing
        # answers accepted and the titles of the not-evaluable rules.
        with django_assert_max_num_queries(14):
            summary = build_summary(fresh(intake))
        assert len(summary.items) == flags
        assert len(summary.trials) == flags
    # The whole request also pays for the session, 2FA, audit row and navigation.
    assert counts[0] == counts[1] == counts[2], counts


def bulk_screened(clinic, created_by, counts: list[tuple[int, int, int]]) -> list:
    """Intakes ready for review with current screenings of the given flag counts."""
    documents = [REALISTIC] * len(counts)
    bulk = intakes_from_documents(
        clinic, documents, created_by=created_by, status="ready_for_review"
    )
    ruleset = rulesets.do_install_default_ruleset()
    now = timezone.now()
    screenings = Screening.objects.bulk_create(
        Screening(
            intake=intake,
            intake_version=intake.version,
            ruleset=ruleset,
            ruleset_version="default-1",
            outcome="absolute_contraindication" if a else "needs_clinician_review",
            absolute_count=a,
            relative_count=r,
            caution_count=c,
            result={"flags": [], "not_evaluable": [], "derived": {}},
            screened_at=now,
        )
        for intake, (a, r, c) in zip(bulk, counts, strict=True)
    )
    for intake, screening in zip(bulk, screenings, strict=True):
        intake.current_screening = screening
    Intake.objects.bulk_update(bulk, ["current_screening"], batch_size=500)
    return bulk


def test_it_keeps_worklist_queries_constant(
    client_as, clinic, intake_staff, django_assert_max_num_queries
):
    doctor = client_as("clinician")
    target = reverse("screening:review-worklist")
    counts = []
    for size in (10, 990):  # 10, then 1,000 intakes
        bulk_screened(
            clinic, intake_staff, [(n % 2, n % 5, n % 7) for n in range(size)]
        )
        counts.append(queries_of(doctor, target))
        body = doctor.get(target).content.decode()
        assert body.count('class="worklist-row"') == 25 if size > 10 else 10
        with django_assert_max_num_queries(1):
            page = list_worklist_page(clinic, status="ready_for_review")
        assert len(page.rows) == 25 if size > 10 else 10
    assert counts[0] == counts[1], counts


def test_it_pages_by_keyset_every_intake_once_in_order(doctor, clinic, intake_staff):
    counts = [(n % 2, n % 3, (n * 7) % 4) for n in range(61)]
    rows = bulk_screened(clinic, intake_staff, counts)
    expected = sorted(
        zip(counts, (intake.pk for intake in rows), strict=True),
        key=lambda row: (-row[0][0], -row[0][1], -row[0][2], row[1]),
    )
    expected_ids = [pk for _, pk in expected]
    worklist = reverse("screening:review-worklist")

    seen, query, pages = [], "", 0
    while True:
        body = doctor.get(f"{worklist}{query}").content.decode()
        seen += [int(pk) for pk in re.findall(r'data-intake="(\d+)"', body)]
        pages += 1
        found = re.search(r'rel="next" href="([^"]+)"', body)
        if not found:
            break
        query = found.group(1).replace("&amp;", "&")
    assert seen == expected_ids
    assert pages == 3

    # And back again with the previous-page cursors.
    back = []
    while True:
        found = re.search(r'rel="prev" href="([^"]+)"', body)
        if not found:
            break
        body = doctor.get(f"{worklist}{found.group(1).replace('&amp;', '&')}").content
        body = body.decode()
        back = [int(pk) for pk in re.findall(r'data-intake="(\d+)"', body)] + back
    assert back == expected_ids[:50]


def test_it_filters_the_worklist_by_outcome_and_status(
    doctor, clinic, other_clinic, intake_staff
):
    bulk_screened(clinic, intake_staff, [(1, 0, 0), (0, 1, 0), (0, 0, 1)])
    # Another clinic's intakes never show, whatever their severity (T-AC-04).
    bulk_screened(other_clinic, intake_staff, [(3, 3, 3)] * 4)
    worklist_url = reverse("screening:review-worklist")
    rows = 'class="worklist-row"'
    assert doctor.get(worklist_url).content.decode().count(rows) == 3
    body = doctor.get(f"{worklist_url}?outcome=absolute_contraindication").content
    assert body.decode().count(rows) == 1
    assert doctor.get(f"{worklist_url}?status=signed").content.decode().count(rows) == 0


def test_it_uses_the_keyset_index_on_postgresql(doctor, clinic, intake_staff):
    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN plans: PostgreSQL only")
    bulk_screened(clinic, intake_staff, [(n % 2, n % 3, n % 5) for n in range(300)])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE screening_screening")
        # With a few hundred rows a sort is cheapest; forbid it to see that the
        # index alone can serve the page: in order, starting at the cursor.
        cursor.execute("SET LOCAL enable_sort = off")
        rows = worklist.current_screenings(clinic, status="ready_for_review")
        page = worklist._ordered(
            rows.filter(worklist._beyond(Cursor(1, 1, 1, 10**9), after=True)),
            descending=True,
        )[:26]
        sql, params = page.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Scan Backward using screening_worklist_order_idx" in plan, plan
    assert "Index Cond: (ROW(absolute_count, relative_count, caution_count" in plan


# Safety of what is shown and fetched


def test_it_escapes_free_text_on_the_summary_and_in_the_pdf__t_val_02(doctor, intake):
    script = "<script>alert(1)</script>"
    doctor.post(
        url("review-acknowledge", intake),
        {"kind": "flag", "code": "CV-MI-12M", "reason_code": "other", "note": script},
    )
    body = doctor.get(url("review-summary", intake)).content.decode()
    assert script not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    printed = doctor.post(url("review-pdf", intake)).content
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(printed)).pages)
    assert "<script>alert(1)</script>" in text  # shown as text, never run


@pytest.mark.parametrize(
    "address",
    [
        "https://example.org/static/css/print.css",
        "file:///etc/passwd",
        f"{pdf.BASE_URL}static/../config/settings.py",
        f"{pdf.BASE_URL}static/css/missing.css",
        f"{pdf.BASE_URL}admin/",
    ],
)
def test_it_lets_the_pdf_fetch_only_our_static_files(address):
    with pytest.raises(pdf.StaticFilesOnlyError):
        pdf.static_file(address)
    assert pdf.static_file(f"{pdf.BASE_URL}static/css/print.css").name == "print.css"


def test_it_previews_the_clinics_newer_ruleset_on_a_signed_summary(doctor, intake):
    review_and_sign(doctor, intake)
    document = rulesets.ruleset_document(rulesets.do_install_default_ruleset())
    for rule in document["rules"]:
        if rule["code"] == "CV-MI-12M":
            rule["severity"] = "absolute"
    rulesets.do_load_ruleset_document(
        document, clinic=intake.clinic, label="clinic-a-1", status="published"
    )
    page = text_of(doctor.get(url("review-summary", intake)))
    assert "Screening under ruleset clinic-a-1" in page
    assert "CV-MI-12M : relative → absolute" in page
    assert "ALTERED SINCE SIGNATURE" not in page
