"""Nothing changes behind a signature: re-reviews after a publish (issue #15)."""

import copy
import itertools
import json
from datetime import timedelta

import pytest
from django.test import TestCase
from django.utils import timezone

from screening.models import AuditEvent, Intake, ReReview, RulesetVersion, UrgentMarker
from screening.services import drafts, impact, publishing, rereview, reviews, rulesets
from tests.factories import MembershipFactory, UserFactory, screened_intake
from tests.services.ruleset_cases import older_adult
from tests.services.test_reviews import fresh, signed
from tests.services.test_urgent import HIGH, document

# Rule book §5.2 and §6: an older adult at 145/85 has CV-BP-ELEVATED under the US
# reading and loses it under the EU guide (> 150/90 from 65); at 135/85 neither fires.
CHANGES, STAYS = older_adult(145, 85), older_adult(135, 85)
EU_GUIDE = {"bp_guide_age_banded": True}
_labels = itertools.count(90)


@pytest.fixture
def second_admin(clinic):
    user = UserFactory(username="second-admin")
    MembershipFactory(user=user, clinic=clinic, role="rule_admin")
    return user


@pytest.fixture
def colleague(clinic):
    user = UserFactory(username="dr-colleague")
    MembershipFactory(user=user, clinic=clinic, role="clinician")
    return user


def signed_intake(clinic, document, *, staff, clinician):
    intake = screened_intake(clinic, copy.deepcopy(document), by=staff)
    signed(intake, clinician)
    return fresh(intake)


def publish_eu_guide(clinic, rule_admin, approver) -> RulesetVersion:
    """Draft, preview, approve and publish; the re-screen job runs on commit."""
    draft = drafts.do_create_draft(clinic, by=rule_admin)
    drafts.do_update_settings(draft, EU_GUIDE, revision=1, by=rule_admin)
    draft.refresh_from_db()
    impact.do_show_impact_preview(draft, by=rule_admin)
    with TestCase.captureOnCommitCallbacks(execute=True):
        return publishing.do_publish_ruleset(
            draft, by=approver, reason="EU guide for older adults.", revision=2
        )


def eu_guide_published(clinic, *, published_at) -> RulesetVersion:
    """The default ruleset with the EU guide, published (as if) at a given time."""
    document = rulesets.ruleset_document(rulesets.do_install_default_ruleset())
    document["settings"] = {**document.get("settings", {}), **EU_GUIDE}
    ruleset = rulesets.do_load_ruleset_document(
        document,
        clinic=clinic,
        label=f"clinic-a-{next(_labels)}",
        status="published",
    )
    ruleset.published_at = published_at  # a published version is never saved again
    return ruleset


def test_it_queues_a_signed_intake_whose_result_the_publish_changes(
    clinic, intake_staff, clinician, rule_admin, second_admin
):
    changed = signed_intake(clinic, CHANGES, staff=intake_staff, clinician=clinician)
    unchanged = signed_intake(clinic, STAYS, staff=intake_staff, clinician=clinician)

    published = publish_eu_guide(clinic, rule_admin, second_admin)

    item = ReReview.objects.get()
    assert (item.intake_id, item.signer, item.ruleset) == (
        changed.pk,
        clinician,
        published,
    )
    assert [flag["code"] for flag in item.diff["removed"]] == ["CV-BP-ELEVATED"]
    assert item.diff["added"] == []
    assert item.is_open
    assert not ReReview.objects.filter(intake=unchanged).exists()
    # The signed result itself never changes.
    assert fresh(changed).current_screening_id == changed.signoff.screening_id
    finished = AuditEvent.objects.get(action="ruleset.rescreen_finished")
    assert finished.detail["rereviews"] == 1


def test_it_lists_each_signed_intake_the_draft_would_change_in_the_preview(
    clinic, intake_staff, clinician, rule_admin
):
    changed = signed_intake(clinic, CHANGES, staff=intake_staff, clinician=clinician)
    signed_intake(clinic, STAYS, staff=intake_staff, clinician=clinician)
    draft = drafts.do_create_draft(clinic, by=rule_admin)
    drafts.do_update_settings(draft, EU_GUIDE, revision=1, by=rule_admin)
    draft.refresh_from_db()

    signed_part = impact.compute_impact(draft)["signed"]

    assert (signed_part["checked"], signed_part["changed"]) == (2, 1)
    (row,) = signed_part["rows"]
    assert row["intake"] == changed.pk
    assert row["removed"] == ["CV-BP-ELEVATED"]
    assert row["added"] == []
    assert (row["old_outcome"], row["new_outcome"]) == (
        "needs_clinician_review",
        "needs_clinician_review",
    )
    # Rule admins see intake numbers and rule codes, never answers or names.
    text = json.dumps(signed_part)
    patient = changed.patient
    for leak in ("145", patient.family_name, patient.mrn, "bp_systolic"):
        assert leak not in text


def test_it_leaves_intakes_signed_before_the_window_alone(
    clinic, intake_staff, clinician
):
    signed_intake(clinic, CHANGES, staff=intake_staff, clinician=clinician)
    later = timezone.now() + timedelta(days=400)  # 12 months and more after signing

    assert (
        rereview.do_queue_rereviews(eu_guide_published(clinic, published_at=later)) == 0
    )
    clinic.rereview_months = 24
    clinic.save(update_fields=["rereview_months"])
    assert (
        rereview.do_queue_rereviews(eu_guide_published(clinic, published_at=later)) == 1
    )


def test_it_queues_each_rereview_once_when_the_job_runs_again(
    clinic, intake_staff, clinician
):
    signed_intake(clinic, CHANGES, staff=intake_staff, clinician=clinician)
    ruleset = eu_guide_published(clinic, published_at=timezone.now())

    assert rereview.do_queue_rereviews(ruleset) == 1
    assert rereview.do_queue_rereviews(ruleset) == 0
    assert ReReview.objects.count() == 1


def test_it_closes_a_rereview_as_reviewed_no_change_with_a_reason(
    clinic, intake_staff, clinician, colleague
):
    intake = signed_intake(clinic, CHANGES, staff=intake_staff, clinician=clinician)
    rereview.do_queue_rereviews(eu_guide_published(clinic, published_at=timezone.now()))

    with pytest.raises(rereview.ReReviewError):
        rereview.do_close_no_change(intake, reason="  ", by=colleague)
    rereview.do_close_no_change(
        intake, reason="BP was 138/84 at the visit; the result stands.", by=colleague
    )

    item = ReReview.objects.get()
    assert (item.closure, item.closed_by) == ("no_change", colleague)
    assert item.reason == "BP was 138/84 at the visit; the result stands."
    assert rereview.open_for_intake(intake) == []
    event = AuditEvent.objects.filter(action="review.acknowledged").latest("seq")
    assert "138/84" not in str(AuditEvent.objects.filter(pk=event.pk).values().get())
    with pytest.raises(rereview.ReReviewError):
        rereview.do_close_no_change(intake, reason="Again, by mistake.", by=colleague)


def test_it_closes_a_rereview_when_an_addendum_is_signed(
    clinic, intake_staff, clinician
):
    intake = signed_intake(clinic, CHANGES, staff=intake_staff, clinician=clinician)
    rereview.do_queue_rereviews(eu_guide_published(clinic, published_at=timezone.now()))
    addendum = reviews.do_start_addendum(
        intake, reason="Re-review: BP rule changed.", by=clinician
    )
    assert ReReview.objects.get().is_open  # an addendum under way is not a closure

    signed(addendum, clinician)

    item = ReReview.objects.get()
    assert (item.closure, item.closed_by) == ("addendum", clinician)


def test_it_lists_the_users_own_rereviews_first(
    clinic, intake_staff, clinician, colleague
):
    theirs = signed_intake(clinic, CHANGES, staff=intake_staff, clinician=colleague)
    mine = signed_intake(clinic, CHANGES, staff=intake_staff, clinician=clinician)
    rereview.do_queue_rereviews(eu_guide_published(clinic, published_at=timezone.now()))

    listed = rereview.list_open(clinic, user=clinician)

    assert [item.intake_id for item in listed] == [mine.pk, theirs.pk]
    assert [item.intake_id for item in rereview.list_open(clinic, user=colleague)] == [
        theirs.pk,
        mine.pk,
    ]


def test_the_rescreen_after_a_publish_raises_the_urgent_markers_it_finds(
    clinic, intake_staff, rule_admin, second_admin
):
    # An open intake with a high-risk C-SSRS whose marker is missing (as if screened
    # before this release, or raised only by the new rules): the re-screen marks it.
    intake = screened_intake(
        clinic, document(item9=0, cssrs=HIGH), by=intake_staff, ready=False
    )
    UrgentMarker.objects.all().delete()
    Intake.objects.update(urgent_since=None)

    publish_eu_guide(clinic, rule_admin, second_admin)

    marker = UrgentMarker.objects.get(intake=intake)
    assert (marker.trigger, marker.is_open) == ("urgent_flag", True)
    assert fresh(intake).urgent_since is not None
