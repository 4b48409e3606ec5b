"""The lists above the worklist: which have open rows (screening/worklist.py)."""

import pytest
from django.utils import timezone

from screening import worklist
from screening.services import rereview, urgent
from tests.factories import screened_intake
from tests.services.test_rereview import CHANGES, eu_guide_published, signed_intake
from tests.services.test_reviews import fresh
from tests.services.test_urgent import HIGH, document

pytestmark = pytest.mark.django_db


def test_it_finds_no_open_list_in_a_clinic_with_none(
    clinic, other_clinic, intake_staff
):
    screened_intake(other_clinic, document(item9=0, cssrs=HIGH), by=intake_staff)

    assert worklist.open_lists(clinic) == worklist.OpenLists(False, False)
    assert worklist.open_lists(other_clinic) == worklist.OpenLists(True, False)


def test_it_says_an_urgent_marker_is_open_until_it_is_cleared(
    clinic, intake_staff, clinician
):
    intake = screened_intake(clinic, document(item9=0, cssrs=HIGH), by=intake_staff)
    assert worklist.open_lists(clinic) == worklist.OpenLists(True, False)

    urgent.do_clear_marker(
        fresh(intake),
        trigger="urgent_flag",
        resolution="assessment_done",
        note="Safety plan agreed with Dr Lee, 10:40.",
        by=clinician,
    )

    assert worklist.open_lists(clinic) == worklist.OpenLists(False, False)


def test_it_says_a_rereview_is_open_until_it_is_closed(clinic, intake_staff, clinician):
    intake = signed_intake(clinic, CHANGES, staff=intake_staff, clinician=clinician)
    rereview.do_queue_rereviews(eu_guide_published(clinic, published_at=timezone.now()))
    assert worklist.open_lists(clinic) == worklist.OpenLists(False, True)

    rereview.do_close_no_change(
        intake, reason="BP was 138/84 at the visit; the result stands.", by=clinician
    )

    assert worklist.open_lists(clinic) == worklist.OpenLists(False, False)
