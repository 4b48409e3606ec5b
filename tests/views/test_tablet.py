import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from screening.models import (
    AuditEvent,
    ConsentRecord,
    IntakeSection,
    PatientSettings,
    SectionRevision,
    SelfReport,
    SelfReportAnswer,
)
from screening.services import intakes, self_reports, text_packs
from tests.factories import IntakeFactory, PatientFactory, published_consent

pytestmark = pytest.mark.django_db

ENTRY = "/p/"


@pytest.fixture
def tablet_clinic(clinic, clinic_admin):
    text_packs.do_load_demo_packs(clinic, by=clinic_admin)
    PatientSettings.objects.create(clinic=clinic, languages=["en", "es"])
    return clinic


@pytest.fixture
def intake(tablet_clinic, intake_staff):
    patient = PatientFactory(clinic=tablet_clinic, created_by=intake_staff)
    return IntakeFactory(patient=patient, created_by=intake_staff)


def start(client, intake, **extra):
    url = reverse("screening:intake-self-report-start", args=[intake.pk])
    response = client.post(url, extra)
    assert response.status_code == 302
    page = client.get(reverse("screening:intake-self-report", args=[intake.pk]))
    code = re.search(r"data-self-report-code>([A-Z0-9-]+)<", page.content.decode())
    return code.group(1)


def enter(tablet, code, language="en"):
    return tablet.post(ENTRY, {"code": code, "language": language})


def staff_saves_the_medical_history_meanwhile(intake, staff_user) -> IntakeSection:
    """A colleague saves the section while the patient is still answering."""
    section = intake.sections.get(kind="medical_history")
    intakes.do_save_section(
        section,
        {**(section.data or {}), "seizure_disorder": True},
        missing_reasons={},
        version=section.version,
        by=staff_user,
    )
    return section


def answer_all(tablet, *, item9="0", audit_q1="1"):
    """Answer every page as it comes; returns the number of pages."""
    number = 1
    while True:
        page = tablet.get(reverse("tablet:question", args=[number]))
        if page.status_code == 302:
            return number - 1
        assert page.status_code == 200
        form = page.context["form"]
        field = form.fields["answer"]
        path = page.context["shown"]
        choices = getattr(field, "choices", None)
        if choices is None:
            value = "none"
        elif page.context["number"] == 9 and "Thoughts" in path.text:
            value = item9
        elif path.text.startswith("How often the patient has a drink"):
            value = audit_q1
        else:
            value = choices[0][0]
        response = tablet.post(
            reverse("tablet:question", args=[number]), {"answer": value}
        )
        assert response.status_code == 302, form.errors
        number += 1


def test_it_takes_a_patient_from_code_to_finish_into_the_intake(
    client_for, intake_staff, intake
):
    staff = client_for(intake_staff)
    code = start(staff, intake)
    tablet = Client()
    assert enter(tablet, code).status_code == 302
    pages = answer_all(tablet)
    # PHQ-9 9, GAD-7 7, AUDIT-C 3, seizures, pregnancy, allergies, medicines.
    assert pages == 23
    check = tablet.get(reverse("tablet:check"))
    assert "Check your answers" in check.content.decode()
    assert tablet.post(reverse("tablet:check")).status_code == 302
    done = tablet.get(reverse("tablet:done")).content.decode()
    assert "988 Suicide &amp; Crisis Lifeline" in done
    assert "score" not in done.lower()
    scales = intake.sections.get(kind="scales")
    assert scales.data["phq9"] == [0] * 9
    revision = SectionRevision.objects.filter(section=scales).latest("version")
    assert (revision.origin, revision.saved_by) == ("self_report", intake_staff)
    row = AuditEvent.objects.filter(action="intake.updated", data_category="scales")
    assert row.last().actor == intake_staff
    assert row.last().detail == {"source": "self_report"}
    pack = text_packs.current_pack(intake.clinic, "PHQ9", "en")
    assert (
        SelfReportAnswer.objects.filter(path="scales.phq9[0]").get().text_pack == pack
    )
    intake.refresh_from_db()
    assert intake.current_screening.intake_version == intake.version
    report = SelfReport.objects.get()
    assert report.status == "finished"
    assert self_reports.notes_of(report) == [
        ("Allergies", "none"),
        ("Medicines", "none"),
    ]


def test_it_raises_the_urgent_marker_when_item_9_is_stored(
    client_for, intake_staff, clinician, intake
):
    code = start(client_for(intake_staff), intake)
    tablet = Client()
    enter(tablet, code)
    for number in range(1, 9):
        tablet.post(reverse("tablet:question", args=[number]), {"answer": "0"})
    tablet.post(reverse("tablet:question", args=[9]), {"answer": "1"})
    intake.refresh_from_db()
    assert intake.is_urgent
    worklist = client_for(clinician).get(reverse("screening:review-worklist"))
    assert "C-SSRS needed before the patient leaves" in worklist.content.decode()
    assert intake.sections.get(kind="scales").data is None or not any(
        intake.sections.get(kind="scales").data.get("phq9") or []
    )


def test_it_skips_the_audit_c_drinks_after_never_and_scores_them_0(
    client_for, intake_staff, intake
):
    code = start(client_for(intake_staff), intake)
    tablet = Client()
    enter(tablet, code)
    assert answer_all(tablet, audit_q1="0") == 21
    tablet.post(reverse("tablet:check"))
    audit_c = intake.sections.get(kind="substance_use").data["audit_c"]
    assert audit_c == {"q1": 0, "q2": 0, "q3": 0}


def test_it_offers_the_pcl5_when_staff_tick_it(client_for, intake_staff, intake):
    code = start(client_for(intake_staff), intake, include_pcl5="1")
    tablet = Client()
    enter(tablet, code)
    assert answer_all(tablet) == 43


def test_it_leaves_a_section_staff_changed_to_staff(client_for, intake_staff, intake):
    staff = client_for(intake_staff)
    code = start(staff, intake)
    tablet = Client()
    enter(tablet, code)
    answer_all(tablet)
    staff_saves_the_medical_history_meanwhile(intake, intake_staff)
    tablet.post(reverse("tablet:check"))
    done = tablet.get(reverse("tablet:done")).content.decode()
    assert "medical_history" not in done
    assert SelfReport.objects.get().conflicts == ["medical_history"]
    assert intake.sections.get(kind="medical_history").data["seizure_disorder"] is True
    page = staff.get(reverse("screening:intake-self-report", args=[intake.pk]))
    assert "were not saved" in page.content.decode()


def test_it_binds_the_code_to_the_first_tablet_only(client_for, intake_staff, intake):
    code = start(client_for(intake_staff), intake)
    first, second = Client(), Client()
    assert enter(first, code).status_code == 302
    refused = enter(second, code)
    assert refused.status_code == 200
    assert "This code does not work" in refused.content.decode()
    assert second.get(reverse("tablet:question", args=[1])).status_code == 403
    assert first.get(reverse("tablet:question", args=[1])).status_code == 200


def test_it_limits_wrong_codes_per_address(client_for, intake_staff, intake):
    code = start(client_for(intake_staff), intake)
    tablet = Client()
    for _ in range(self_reports.MAX_FAILURES):
        assert enter(tablet, "ABCD-EFGH").status_code == 200
    assert enter(tablet, code).status_code == 429  # even the right code, for now
    assert AuditEvent.objects.filter(action="self_report.code_failed").count() == 5


@pytest.mark.parametrize("how", ["finish", "staff_end", "idle"])
def test_it_kills_the_code_and_the_tablet_session(
    how, client_for, intake_staff, intake, time_machine
):
    staff = client_for(intake_staff)
    code = start(staff, intake)
    tablet = Client()
    enter(tablet, code)
    if how == "finish":
        answer_all(tablet)
        tablet.post(reverse("tablet:check"))
    elif how == "staff_end":
        staff.post(reverse("screening:intake-self-report-end", args=[intake.pk]))
    else:
        time_machine.move_to(timezone.now() + self_reports.IDLE, tick=True)
    assert tablet.get(reverse("tablet:question", args=[1])).status_code == 403
    assert "This code does not work" in enter(Client(), code).content.decode()


def test_it_refuses_an_unused_code_after_staff_end_it(client_for, intake_staff, intake):
    staff = client_for(intake_staff)
    code = start(staff, intake)
    staff.post(reverse("screening:intake-self-report-end", args=[intake.pk]))
    assert "This code does not work" in enter(Client(), code).content.decode()


def test_it_speaks_spanish_when_the_patient_chooses_it(
    client_for, intake_staff, intake
):
    code = start(client_for(intake_staff), intake)
    tablet = Client()
    enter(tablet, code, language="es")
    page = tablet.get(reverse("tablet:question", args=[1])).content.decode()
    assert '<html lang="es">' in page
    assert "Pregunta 1 de 23" in page


def test_it_refuses_a_language_the_clinic_does_not_offer(
    client_for, intake_staff, intake
):
    PatientSettings.objects.filter(clinic=intake.clinic).update(languages=["en"])
    code = start(client_for(intake_staff), intake)
    tablet = Client()
    response = enter(tablet, code, language="es")
    assert response.status_code == 200
    assert response.context["form"].errors["language"]
    assert enter(tablet, code).status_code == 302  # the code still works


def test_it_offers_a_scored_instrument_only_with_a_pack_in_the_language(
    client_for, intake_staff, intake
):
    from screening.models import TextPack

    TextPack.objects.filter(instrument="GAD7", language="en").delete()
    code = start(client_for(intake_staff), intake)
    tablet = Client()
    enter(tablet, code)
    assert answer_all(tablet) == 16


def test_it_shows_the_code_only_on_the_staff_page_never_in_a_url(
    client_for, intake_staff, intake
):
    staff = client_for(intake_staff)
    url = reverse("screening:intake-self-report-start", args=[intake.pk])
    response = staff.post(url)
    assert response["Location"] == reverse(
        "screening:intake-self-report", args=[intake.pk]
    )
    code = start(staff, intake)
    report = SelfReport.objects.get(status="open")
    assert self_reports.normalise_code(code) not in report.code_sha256
    assert intake.patient.mrn not in code
    assert intake.patient.family_name not in code


# The consent page (#18): typed name on the tablet.


def test_it_asks_for_consent_first_when_the_clinic_has_a_published_document(
    client_for, intake_staff, intake
):
    document = published_consent(intake.clinic)
    tablet = Client()
    response = enter(tablet, start(client_for(intake_staff), intake))
    assert response.url == reverse("tablet:consent")
    page = tablet.get(response.url).content.decode()
    assert document.title in page
    assert document.text in page

    # Ticked but no name: the message beside the field, the tick kept.
    refused = tablet.post(reverse("tablet:consent"), {"agree": "on", "typed_name": " "})
    assert refused.status_code == 200
    assert refused.context["form"].errors == {"typed_name": ["Type your full name."]}
    assert 'id="id_agree" checked' in refused.content.decode()

    agreed = tablet.post(
        reverse("tablet:consent"), {"agree": "on", "typed_name": "Ana Ruiz"}
    )
    assert agreed.url == reverse("tablet:question", args=[1])
    # Question 1 goes back to the consent page; the check page shows the agreement.
    first = tablet.get(agreed.url)
    assert first.context["back_url"] == reverse("tablet:consent")
    answer_all(tablet)
    check = tablet.get(reverse("tablet:check")).content.decode()
    assert "You agreed, signed as Ana Ruiz" in check
    tablet.post(reverse("tablet:check"))

    made = ConsentRecord.objects.get(intake=intake)
    assert (made.method, made.typed_name, made.recorded_by) == (
        "tablet_typed_name",
        "Ana Ruiz",
        intake_staff,
    )


def test_talking_to_staff_first_goes_on_to_the_questions(
    client_for, intake_staff, intake
):
    published_consent(intake.clinic)
    tablet = Client()
    enter(tablet, start(client_for(intake_staff), intake))
    response = tablet.post(reverse("tablet:consent"), {"skip": "1"})
    assert response.url == reverse("tablet:question", args=[1])
    answer_all(tablet)
    check = tablet.get(reverse("tablet:check")).content.decode()
    assert "You would like to talk to staff first" in check
    assert tablet.post(reverse("tablet:check")).url == reverse("tablet:done")
    assert not ConsentRecord.objects.exists()


def test_there_is_no_consent_page_without_a_document_or_with_consent_on_record(
    client_for, intake_staff, intake
):
    tablet = Client()
    response = enter(tablet, start(client_for(intake_staff), intake))
    assert response.url == reverse("tablet:question", args=[1])
    assert tablet.get(reverse("tablet:consent")).url == response.url


def test_the_consent_page_speaks_spanish(client_for, intake_staff, intake):
    published_consent(intake.clinic)
    tablet = Client()
    enter(tablet, start(client_for(intake_staff), intake), language="es")
    page = tablet.get(reverse("tablet:consent")).content.decode()
    assert "Su nombre completo" in page
    assert "Prefiero hablar antes con el personal" in page
    refused = tablet.post(reverse("tablet:consent"), {"typed_name": "Ana"})
    assert "Marque" in refused.content.decode()


# The intake overview says what the tablet is doing (#17).


def overview(staff, intake) -> str:
    return staff.get(
        reverse("screening:intake-detail", args=[intake.pk])
    ).content.decode()


def test_the_overview_shows_a_running_session_then_the_finished_one(
    client_for, intake_staff, intake
):
    staff = client_for(intake_staff)
    assert "data-self-report-status" not in overview(staff, intake)
    code = start(staff, intake)
    assert "waiting for the code on the tablet" in overview(staff, intake)
    tablet = Client()
    enter(tablet, code)
    answer_all(tablet)
    assert "the patient is answering" in overview(staff, intake)
    tablet.post(reverse("tablet:check"))

    page = overview(staff, intake)
    assert "data-self-report-running" not in page
    assert "The patient sent their answers on" in page
    assert "data-self-report-conflicts" not in page
    # The code is never on the overview.
    assert code not in page
    assert code.replace("-", "") not in page


def test_the_overview_says_when_answers_wait_for_staff_until_they_save_the_section(
    client_for, intake_staff, intake
):
    staff = client_for(intake_staff)
    tablet = Client()
    enter(tablet, start(staff, intake))
    answer_all(tablet)
    section = staff_saves_the_medical_history_meanwhile(intake, intake_staff)
    tablet.post(reverse("tablet:check"))

    page = overview(staff, intake)
    notice = page[page.index("data-self-report-conflicts") :].split("</div>")[0]
    assert "Staff changed Medical history while the patient was answering" in notice
    link = reverse("screening:intake-self-report", args=[intake.pk])
    assert f'href="{link}"' in notice

    # Staff enter the patient's answers: the notice goes.
    section.refresh_from_db()
    intakes.do_save_section(
        section,
        section.data,
        missing_reasons=section.missing_reasons,
        version=section.version,
        by=intake_staff,
    )
    page = overview(staff, intake)
    assert "data-self-report-conflicts" not in page
    assert "some were left for staff" in page
