"""Server-side drafts of section pages (security.md T-SES-06, #13 F15), Save and
continue, and the error summary."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from screening.models import AuditEvent, Intake, Screening, SectionDraft
from screening.services import section_drafts
from screening.services.documents import intake_document
from tests.conftest import logged_in_client
from tests.factories import IntakeFactory, PatientFactory
from tests.views.test_intakes import VITALS, page_post, section_url

MARKED_VALUE = "173"  # a systolic pressure nobody else types in these tests


@pytest.fixture
def intake(clinic, intake_staff) -> Intake:
    patient = PatientFactory(clinic=clinic, created_by=intake_staff)
    return IntakeFactory(patient=patient, created_by=intake_staff)


def draft_url(intake: Intake, slug: str = "vitals", *, at_timeout=False) -> str:
    name = "intake-section-draft-at-timeout" if at_timeout else "intake-section-draft"
    return reverse(f"screening:{name}", args=[intake.pk, slug])


def typed(intake: Intake) -> dict[str, str]:
    return page_post(intake, "vitals", bp_systolic=MARKED_VALUE)


def test_it_keeps_typing_as_a_draft_and_restores_it_with_a_notice__f15(
    intake, intake_staff
):
    client = logged_in_client(intake_staff)

    response = client.post(draft_url(intake), typed(intake))

    assert response.status_code == 204
    # A new session (after the idle logout) gets the values back from the server.
    page = logged_in_client(intake_staff).get(section_url(intake, "vitals"))
    html = page.content.decode()
    assert "Restored your unsaved changes from" in html
    assert f'value="{MARKED_VALUE}"' in html


def test_it_never_screens_or_counts_a_draft(intake, intake_staff):
    client = logged_in_client(intake_staff)
    version, screenings = intake.version, Screening.objects.count()

    client.post(draft_url(intake), typed(intake))

    intake.refresh_from_db()
    assert intake.version == version
    assert Screening.objects.count() == screenings
    assert intake_document(intake)["vitals"]["bp_systolic"] is None
    overview = client.get(reverse("screening:intake-detail", args=[intake.pk]))
    row = overview.content.decode().split('data-section-row="vitals"')[1]
    assert "Not started" in row.split("</li>")[0]


def test_it_audits_a_draft_write_without_its_values(intake, intake_staff):
    logged_in_client(intake_staff).post(draft_url(intake), typed(intake))

    row = AuditEvent.objects.get(action="intake.draft_saved")
    assert row.data_category == "vitals"
    assert row.clinic_id == intake.clinic_id
    # Only the row's texts could carry a typed value; numbers the system made (keys,
    # sequence, timestamps' microseconds) and random hex (the request id, the chain's
    # hashes) may hold the value's digits by chance, and so may the section's key.
    made = {"request_id", "row_hash", "prev_hash", "user_agent_hash", "object_id"}
    texts = [
        value
        for name, value in row.__dict__.items()
        if isinstance(value, (str, dict, list)) and name not in made
    ]
    assert texts, "the row has texts to search"
    assert MARKED_VALUE not in str(texts)


def test_it_discards_the_draft_when_the_section_is_saved(intake, intake_staff):
    client = logged_in_client(intake_staff)
    client.post(draft_url(intake), typed(intake))

    client.post(section_url(intake, "vitals"), page_post(intake, "vitals", **VITALS))

    assert not SectionDraft.objects.exists()
    assert (
        b"Restored your unsaved"
        not in client.get(section_url(intake, "vitals")).content
    )


def test_it_shows_a_draft_only_to_the_person_who_typed_it(
    intake, intake_staff, client_as
):
    logged_in_client(intake_staff).post(draft_url(intake), typed(intake))

    html = client_as("intake_staff").get(section_url(intake, "vitals")).content
    assert b"Restored your unsaved" not in html
    assert f'value="{MARKED_VALUE}"'.encode() not in html


def test_it_refuses_a_draft_of_another_clinics_intake(
    other_clinic, other_clinic_clinician, intake_staff
):
    patient = PatientFactory(clinic=other_clinic, created_by=other_clinic_clinician)
    theirs = IntakeFactory(patient=patient, created_by=other_clinic_clinician)

    response = logged_in_client(intake_staff).post(draft_url(theirs), typed(theirs))

    assert response.status_code == 404
    assert not SectionDraft.objects.exists()


def test_it_refuses_a_draft_from_an_auditor(intake, client_as):
    response = client_as("auditor").post(draft_url(intake), typed(intake))

    assert response.status_code == 403
    assert not SectionDraft.objects.exists()


def test_it_drops_a_draft_past_its_retention(intake, intake_staff):
    client = logged_in_client(intake_staff)
    client.post(draft_url(intake), typed(intake))
    old = timezone.now() - section_drafts.DRAFT_RETENTION - datetime.timedelta(hours=1)
    SectionDraft.objects.update(saved_at=old)

    assert (
        b"Restored your unsaved"
        not in client.get(section_url(intake, "vitals")).content
    )
    client.post(draft_url(intake, "demographics"), page_post(intake, "demographics"))
    assert SectionDraft.objects.count() == 1  # the old one purged, the new one kept


def test_it_shows_a_restored_drafts_validation_messages(intake, intake_staff):
    client = logged_in_client(intake_staff)
    client.post(
        draft_url(intake),
        page_post(intake, "vitals", bp_systolic="120", bp_diastolic="130"),
    )

    html = client.get(section_url(intake, "vitals")).content.decode()

    assert "data-error-summary" in html
    assert 'href="#id_bp_diastolic"' in html
    assert "Diastolic pressure must be lower than systolic" in html


def test_it_opens_the_next_section_after_save_and_continue(client_as, intake):
    posted = {**page_post(intake, "vitals", **VITALS), "continue": "1"}

    response = client_as("intake_staff").post(section_url(intake, "vitals"), posted)

    assert response.url == section_url(intake, "medical-history")


def first_submit_button(html: str) -> str:
    form = html.split("data-intake-form", 1)[1]
    return "<button" + form.split('<button type="submit"', 1)[1].split(">", 1)[0]


def test_enter_in_a_box_saves_and_continues_like_the_primary_button(client_as, intake):
    # The browser sends a form submitted by Enter with its first submit button.
    html = client_as("intake_staff").get(section_url(intake, "vitals")).content
    assert 'name="continue" value="1"' in first_submit_button(html.decode())


def test_enter_on_the_last_section_saves_it_as_its_only_button_does(client_as, intake):
    html = client_as("intake_staff").get(section_url(intake, "scales")).content
    assert "continue" not in first_submit_button(html.decode())


def test_it_lists_each_error_in_a_summary_linking_to_its_field(client_as, intake):
    posted = page_post(intake, "vitals", bp_systolic="120", bp_diastolic="130")

    response = client_as("intake_staff").post(section_url(intake, "vitals"), posted)

    html = response.content.decode()
    summary = html.split("data-error-summary", 1)[1].split("</div>", 1)[0]
    assert 'href="#id_bp_diastolic"' in summary
    assert "Diastolic pressure must be lower than systolic" in summary
    assert "<title>Error:" in html


def test_it_autofocuses_no_option_of_a_section_page(client_as, intake):
    for slug in ("medical-history", "antidepressant-trials", "vitals"):
        html = client_as("intake_staff").get(section_url(intake, slug)).content
        assert b"autofocus" not in html


def test_it_keeps_no_draft_typed_on_a_version_saved_since(intake, intake_staff):
    client = logged_in_client(intake_staff)
    late = typed(intake)  # posted by the page before its own save, arriving after it
    client.post(section_url(intake, "vitals"), page_post(intake, "vitals", **VITALS))

    response = client.post(draft_url(intake), late)

    assert response.status_code == 409
    assert not SectionDraft.objects.exists()


def test_it_drops_a_draft_that_raced_its_own_save(intake, intake_staff):
    client = logged_in_client(intake_staff)
    client.post(draft_url(intake), typed(intake))
    section = intake.sections.get(kind="vitals")
    late = SectionDraft.objects.get()
    client.post(section_url(intake, "vitals"), page_post(intake, "vitals", **VITALS))
    late.pk = None  # written back as if its post had committed after the save
    late.save()

    html = client.get(section_url(intake, "vitals")).content
    assert b"Restored your unsaved" not in html
    assert not SectionDraft.objects.filter(section=section).exists()


def test_it_renews_the_idle_timer_for_a_typed_draft_not_for_the_timeout_one__f15(
    intake, intake_staff, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    client = logged_in_client(intake_staff)
    client.get(section_url(intake, "vitals"))
    key = client.session.session_key
    expires = Session.objects.get(session_key=key).expire_date

    time_machine.shift(datetime.timedelta(minutes=14, seconds=40))
    response = client.post(draft_url(intake, at_timeout=True), typed(intake))

    assert response.status_code == 204
    assert SectionDraft.objects.count() == 1  # kept, yet the person is not at work
    assert Session.objects.get(session_key=key).expire_date == expires
    client.post(draft_url(intake), typed(intake))  # a key press: the person is working
    assert Session.objects.get(session_key=key).expire_date > expires


def test_it_offers_mark_the_rest_no_on_checklist_pages_only(client_as, intake):
    client = client_as("intake_staff")
    for slug, offered in (("medical-history", True), ("vitals", False)):
        html = client.get(section_url(intake, slug)).content
        assert (b"data-mark-rest-no" in html) is offered, slug
