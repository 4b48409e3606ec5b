"""Issue 13's sign-off findings through the pages: F1 (sign what you saw), F7 (signed
follows the sign-off row), F9 (identity corrections after signature)."""

import html
import io
import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from screening import pdf
from screening.models import Intake, Patient, SignOff
from screening.review_summary import build_summary
from screening.services import patients
from tests.conftest import _member
from tests.factories import screened_intake
from tests.services.review_documents import REALISTIC
from tests.services.signoff_tampering import behind_the_triggers
from tests.views.test_reviews import (
    PASSWORD,
    acknowledge_all,
    choose_disposition,
    current_code,
    fresh,
    review_and_sign,
    text_of,
    url,
)

SIGN_FORM = re.compile(r'<form[^>]*action="[^"]*/review/sign/"[^>]*>(.*?)</form>', re.S)
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
CHANGED = "This summary changed since you opened it"


@pytest.fixture
def intake(clinic, intake_staff):
    return screened_intake(clinic, REALISTIC, by=intake_staff)


@pytest.fixture
def first(client_as):
    return client_as("clinician")


@pytest.fixture
def second(client_for, clinic):
    return client_for(_member(clinic, "clinician", "dr-second"))


def user_of(client):
    return get_user_model().objects.get(pk=client.session["_auth_user_id"])


def opened_sign_form(client, intake: Intake) -> dict[str, str]:
    """The sign form's hidden fields as the page the clinician keeps open holds them."""
    page = client.get(url("review-summary", intake)).content.decode()
    form = SIGN_FORM.search(page)
    assert form, "the summary has no sign form"
    fields = {name: html.unescape(value) for name, value in HIDDEN.findall(form[1])}
    fields.pop("csrfmiddlewaretoken", None)
    return fields


def sign_with(client, intake: Intake, fields: dict[str, str], **extra):
    data = {
        **fields,
        "password": PASSWORD,
        "otp_token": current_code(user_of(client)),
        **extra,
    }
    return client.post(url("review-sign", intake), data)


def later(seconds: int = 31):
    """The next authenticator step: a code is never accepted twice."""
    return time_machine.travel(timezone.now() + timedelta(seconds=seconds))


# F1: the signer signs what the page showed


def test_it_refuses_a_disposition_the_signer_did_not_see__f1(first, second, intake):
    acknowledge_all(first, intake)
    choose_disposition(first, intake, decision="not_suitable", rationale="Recent MI.")
    kept_open = opened_sign_form(first, intake)
    choose_disposition(second, intake, decision="proceed", rationale="Cardiology ok.")

    response = sign_with(first, intake, kept_open)

    assert response.status_code == 409
    assert not SignOff.objects.exists()
    assert fresh(intake).status == Intake.Status.READY_FOR_REVIEW
    page = text_of(response)
    assert CHANGED in page
    assert "Not suitable at this time" in page
    assert "Proceed to clinical evaluation" in page
    assert "dr-second" in page


def test_it_refuses_an_acknowledgement_the_signer_did_not_see__f1(
    first, second, intake
):
    acknowledge_all(first, intake)
    choose_disposition(first, intake)
    kept_open = opened_sign_form(first, intake)
    response = second.post(
        url("review-acknowledge", intake),
        {
            "kind": "flag",
            "code": "CV-MI-12M",
            "reason_code": "not_relevant_for_patient",
            "note": "",
        },
    )
    assert response.status_code == 302

    response = sign_with(first, intake, kept_open)

    assert response.status_code == 409
    assert not SignOff.objects.exists()
    page = text_of(response)
    assert "CV-MI-12M" in page
    assert "Not relevant for this patient" in page


def test_it_never_shows_the_typed_password_on_the_changes_page__f1(
    first, second, intake
):
    acknowledge_all(first, intake)
    choose_disposition(first, intake)
    kept_open = opened_sign_form(first, intake)
    choose_disposition(second, intake, decision="needs_more_information")
    response = sign_with(first, intake, kept_open)
    assert response.status_code == 409
    assert PASSWORD not in response.content.decode()
    assert 'name="password"' not in response.content.decode()


def test_it_signs_once_the_changes_are_reviewed__f1(first, second, intake):
    acknowledge_all(first, intake)
    choose_disposition(first, intake)
    kept_open = opened_sign_form(first, intake)
    choose_disposition(second, intake, decision="not_suitable", rationale="MI.")
    assert sign_with(first, intake, kept_open).status_code == 409

    with later():
        reopened = opened_sign_form(first, intake)
        response = sign_with(first, intake, reopened, confirm_disposition="on")

    assert response.status_code == 302, text_of(response)
    signoff = SignOff.objects.get(intake=intake)
    assert signoff.signer == user_of(first)


def test_it_requires_confirming_a_disposition_recorded_by_someone_else__f1(
    first, second, intake
):
    acknowledge_all(first, intake)
    choose_disposition(second, intake, decision="proceed", rationale="Cleared.")
    summary = first.get(url("review-summary", intake))
    page = text_of(summary)
    assert "recorded by dr-second" in page
    assert 'name="confirm_disposition"' in summary.content.decode()
    fields = opened_sign_form(first, intake)

    refused = sign_with(first, intake, fields)

    assert refused.status_code == 400
    assert not SignOff.objects.exists()
    assert "Confirm that you sign the disposition dr-second recorded" in text_of(
        refused
    )
    with later():
        response = sign_with(first, intake, fields, confirm_disposition="on")
    assert response.status_code == 302, text_of(response)


def test_it_asks_no_confirmation_of_the_signers_own_disposition(first, intake):
    acknowledge_all(first, intake)
    choose_disposition(first, intake)
    summary = first.get(url("review-summary", intake)).content.decode()
    assert 'name="confirm_disposition"' not in summary
    assert sign_with(first, intake, opened_sign_form(first, intake)).status_code == 302


# F7: whether an intake is signed follows from its sign-off row


def test_it_keeps_an_intake_signed_when_its_status_is_flipped__f7(first, intake):
    review_and_sign(first, intake)
    with behind_the_triggers():
        Intake.objects.filter(pk=intake.pk).update(status=Intake.Status.IN_PROGRESS)

    summary = first.get(url("review-summary", intake))
    assert "Signed by" in text_of(summary)
    assert 'status says "In progress"' in text_of(summary)
    assert SIGN_FORM.search(summary.content.decode()) is None
    section = reverse(
        "screening:intake-section-edit", kwargs={"pk": intake.pk, "section": "vitals"}
    )
    assert first.post(section, {"bp_systolic": "120"}).status_code == 403
    with later():
        again = sign_with(first, intake, {"page_sha256": "0" * 64})
    assert again.status_code == 403
    assert SignOff.objects.count() == 1


# F9: one rule for MRN, name and date of birth


IDENTITY_CORRECTIONS = [
    ("mrn", "MRN-CORRECTED-1"),
    ("family_name", "Corrected"),
    ("given_name", "Corrected"),
    ("date_of_birth", timezone.datetime(1971, 2, 3).date()),
]


@pytest.mark.parametrize(("field", "value"), IDENTITY_CORRECTIONS)
def test_it_shows_an_audited_identity_correction_after_signature__f9(
    first, intake, intake_staff, field, value
):
    review_and_sign(first, intake)
    patient = Patient.objects.get(pk=intake.patient_id)
    patients.do_update_patient(patient, {field: value}, by=intake_staff)

    page = text_of(first.get(url("review-summary", intake)))

    assert "ALTERED SINCE SIGNATURE" not in page
    assert "Patient details corrected after signature (by intake" in page
    document = pdf.render_summary_pdf(build_summary(fresh(intake)))
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(document)).pages)
    assert "corrected after signature" in " ".join(text.split())
    assert "ALTERED SINCE SIGNATURE" not in text


@pytest.mark.parametrize(("field", "value"), IDENTITY_CORRECTIONS)
def test_it_raises_the_alarm_for_an_unaudited_identity_change__f9(
    first, intake, field, value
):
    review_and_sign(first, intake)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE screening_patient SET {field} = %s WHERE id = %s",  # noqa: S608 - fixed names
            [value, intake.patient_id],
        )

    page = text_of(first.get(url("review-summary", intake)))

    assert "ALTERED SINCE SIGNATURE" in page
    assert "corrected after signature" not in page
