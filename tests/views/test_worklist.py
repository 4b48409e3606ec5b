"""The worklist, the landing pages and the urgent / re-review pages (issue #15)."""

import datetime
import re

from django.urls import reverse
from django.utils import timezone

from screening.models import AuditEvent, Patient, ReReview, UrgentMarker
from screening.services import rereview
from tests.factories import screened_intake
from tests.services.test_rereview import CHANGES, eu_guide_published, signed_intake
from tests.services.test_urgent import HIGH, NO_CSSRS, document
from tests.views.test_reviews import bulk_screened

WORKLIST = reverse("screening:review-worklist")


def row_ids(body: str, attribute: str = "data-intake") -> list[int]:
    return [int(pk) for pk in re.findall(rf'{attribute}="(\d+)"', body)]


def all_row_ids(body: str) -> list[int]:
    """Every row's intake, in page order, whichever group it is in."""
    found = re.findall(r'data-(?:urgent-intake|rereview-intake|intake)="(\d+)"', body)
    return [int(pk) for pk in found]


def test_it_shows_mrn_and_date_of_birth_to_tell_namesakes_apart(
    client_as, clinic, intake_staff
):
    first, second = bulk_screened(clinic, intake_staff, [(0, 1, 0), (0, 1, 0)])
    Patient.objects.filter(pk=first.patient_id).update(
        mrn="MRN-0001", date_of_birth=datetime.date(1981, 3, 4)
    )
    Patient.objects.filter(pk=second.patient_id).update(
        mrn="MRN-0002", date_of_birth=datetime.date(1990, 11, 12)
    )

    body = client_as("clinician").get(WORKLIST).content.decode()

    assert '<th scope="col">MRN</th>' in body
    assert '<th scope="col">Date of birth</th>' in body
    for text in ("MRN-0001", "1981-03-04", "MRN-0002", "1990-11-12"):
        assert text in body


def test_it_colours_outcome_and_severity_and_says_them_in_words(
    client_as, clinic, intake_staff
):
    bulk_screened(clinic, intake_staff, [(2, 1, 3)])

    body = client_as("clinician").get(WORKLIST).content.decode()

    assert "worklist-outcome-absolute_contraindication" in body
    assert "Absolute contraindication</span>" in body
    assert 'worklist-severity-absolute">2 absolute</span>' in body
    assert 'worklist-severity-relative">1 relative</span>' in body
    assert 'worklist-severity-caution">3 caution</span>' in body


def test_it_shows_what_needs_a_clinician_now_by_default(
    client_as, clinic, intake_staff
):
    (ready,) = bulk_screened(clinic, intake_staff, [(0, 1, 0)])
    in_progress = screened_intake(
        clinic, document(item9=0, cssrs=None), by=intake_staff, ready=False
    )
    signed_intake(clinic, CHANGES, staff=intake_staff, clinician=intake_staff)
    doctor = client_as("clinician")

    body = doctor.get(WORKLIST).content.decode()

    assert 'value="needs_clinician" selected' in body
    assert row_ids(body) == [ready.pk]
    assert in_progress.pk not in all_row_ids(body)
    assert in_progress.pk in row_ids(doctor.get(f"{WORKLIST}?status=").content.decode())


def test_it_puts_urgent_intakes_first_whatever_their_status(
    client_as, clinic, intake_staff
):
    bulk_screened(clinic, intake_staff, [(3, 2, 1), (1, 0, 0)])
    urgent = screened_intake(
        clinic, document(item9=0, cssrs=HIGH), by=intake_staff, ready=False
    )
    doctor = client_as("clinician")

    for query in ("", "?status=", "?status=signed", "?outcome=no_flags"):
        body = doctor.get(f"{WORKLIST}{query}").content.decode()
        assert all_row_ids(body)[0] == urgent.pk, query
        assert row_ids(body, "data-urgent-intake") == [urgent.pk]
    assert "Same-day safety assessment needed" in body
    assert 'class="badge urgent-marker">Urgent</span>' in body


def test_it_marks_an_urgent_intake_in_the_ready_list_too(
    client_as, clinic, intake_staff
):
    urgent = screened_intake(clinic, document(item9=1, cssrs=NO_CSSRS), by=intake_staff)

    body = client_as("clinician").get(WORKLIST).content.decode()

    assert row_ids(body, "data-urgent-intake") == [urgent.pk]
    assert row_ids(body) == [urgent.pk]
    assert body.count("C-SSRS needed before the patient leaves") == 1
    assert body.count('class="badge urgent-marker"') == 2


def test_it_lists_rereviews_with_their_difference_before_the_ready_ones(
    client_for, clinic, intake_staff, clinician
):
    (ready,) = bulk_screened(clinic, intake_staff, [(1, 0, 0)])
    changed = signed_intake(clinic, CHANGES, staff=intake_staff, clinician=clinician)
    rereview.do_queue_rereviews(eu_guide_published(clinic, published_at=timezone.now()))

    body = client_for(clinician).get(WORKLIST).content.decode()

    assert all_row_ids(body) == [changed.pk, ready.pk]
    assert "You signed it" in body
    assert "removes Blood pressure above 140/90 mmHg" in body


def test_a_clinicians_home_page_is_the_worklist(client_as, clinic, intake_staff):
    urgent = screened_intake(clinic, document(item9=1, cssrs=NO_CSSRS), by=intake_staff)

    response = client_as("clinician").get(reverse("screening:home"))

    assert response.status_code == 200
    assert row_ids(response.content.decode(), "data-urgent-intake") == [urgent.pk]


def test_a_rule_admins_home_page_is_the_rules_page(client_as):
    response = client_as("rule_admin").get(reverse("screening:home"))

    assert response.status_code == 200
    assert "screening/rules/index.html" in [t.name for t in response.templates]


def test_intake_staff_keep_their_start_page(client_as):
    response = client_as("intake_staff").get(reverse("screening:home"))

    assert "screening/home/home.html" in [t.name for t in response.templates]


# The intake overview and the clearance


def test_it_shows_the_urgent_marker_on_the_intake_overview(
    client_as, clinic, intake_staff
):
    intake = screened_intake(clinic, document(item9=0, cssrs=HIGH), by=intake_staff)
    detail = reverse("screening:intake-detail", args=[intake.pk])

    staff_page = client_as("intake_staff").get(detail).content.decode()
    doctor_page = client_as("clinician").get(detail).content.decode()

    for body in (staff_page, doctor_page):
        assert "data-urgent-marker" in body
        assert "Same-day safety assessment needed" in body
    assert "Tell a clinician now." in staff_page
    assert reverse("screening:intake-urgent-clear", args=[intake.pk]) in doctor_page
    assert "intake-urgent-clear" not in staff_page


def test_it_clears_a_marker_with_a_note_and_keeps_the_note_on_the_overview(
    client_as, clinic, intake_staff
):
    intake = screened_intake(clinic, document(item9=0, cssrs=HIGH), by=intake_staff)
    doctor = client_as("clinician")
    clear = reverse("screening:intake-urgent-clear", args=[intake.pk])
    fields = {"trigger": "urgent_flag", "resolution": "assessment_done"}

    refused = doctor.post(clear, {**fields, "note": ""})
    assert refused.status_code == 400
    assert UrgentMarker.objects.get().is_open

    response = doctor.post(clear, {**fields, "note": "Seen at 11:05; safety plan."})
    assert response.status_code == 302
    body = doctor.get(response["Location"]).content.decode()
    assert "data-urgent-marker" not in body
    assert "Seen at 11:05; safety plan." in body


def test_intake_staff_cannot_clear_a_marker(client_as, clinic, intake_staff):
    intake = screened_intake(clinic, document(item9=0, cssrs=HIGH), by=intake_staff)
    clear = reverse("screening:intake-urgent-clear", args=[intake.pk])

    response = client_as("intake_staff").post(
        clear,
        {"trigger": "urgent_flag", "resolution": "assessment_done", "note": "Done."},
    )

    assert response.status_code == 403
    assert UrgentMarker.objects.get().is_open


def test_it_closes_a_rereview_from_its_page(
    client_for, clinic, intake_staff, clinician
):
    intake = signed_intake(clinic, CHANGES, staff=intake_staff, clinician=clinician)
    rereview.do_queue_rereviews(eu_guide_published(clinic, published_at=timezone.now()))
    doctor = client_for(clinician)
    page = reverse("screening:intake-rereview", args=[intake.pk])

    body = doctor.get(page).content.decode()
    assert "CV-BP-ELEVATED" in body
    assert reverse("screening:intake-addendum", args=[intake.pk]) in body

    response = doctor.post(page, {"reason": "Rechecked at the visit: 138/84."})
    assert response.status_code == 302
    assert ReReview.objects.get().closure == "no_change"


def test_it_shows_the_urgent_banner_on_the_section_pages_and_the_summary(
    client_as, clinic, intake_staff
):
    intake = screened_intake(clinic, document(item9=1, cssrs=NO_CSSRS), by=intake_staff)
    section = reverse("screening:intake-section-edit", args=[intake.pk, "scales"])
    summary = reverse("screening:review-summary", args=[intake.pk])

    for client, page in (
        (client_as("intake_staff"), section),
        (client_as("clinician"), summary),
    ):
        body = client.get(page).content.decode()
        assert "data-urgent-banner" in body
        assert "C-SSRS needed before the patient leaves" in body


def test_it_shows_no_urgent_banner_without_a_marker(client_as, clinic, intake_staff):
    intake = screened_intake(clinic, document(item9=0, cssrs=NO_CSSRS), by=intake_staff)
    section = reverse("screening:intake-section-edit", args=[intake.pk, "scales"])

    assert (
        "data-urgent-banner"
        not in client_as("intake_staff").get(section).content.decode()
    )


def test_it_audits_each_patient_the_urgent_and_rereview_rows_show(
    client_for, clinic, intake_staff, clinician
):
    urgent = screened_intake(
        clinic, document(item9=1, cssrs=NO_CSSRS), by=intake_staff, ready=False
    )
    changed = signed_intake(clinic, CHANGES, staff=intake_staff, clinician=clinician)
    rereview.do_queue_rereviews(eu_guide_published(clinic, published_at=timezone.now()))

    client_for(clinician).get(WORKLIST)

    viewed = AuditEvent.objects.filter(action="patient.viewed", actor=clinician)
    assert set(viewed.values_list("patient_id", flat=True)) == {
        urgent.patient_id,
        changed.patient_id,
    }
