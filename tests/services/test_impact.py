"""The impact preview service."""

import json

from screening.models import AuditEvent
from screening.services import drafts, impact, screenings
from tests.factories import intakes_from_documents
from tests.services.ruleset_cases import case_document, older_adult

# Impact preview -------------------------------------------------------------------


def test_it_counts_the_intakes_that_would_lose_a_flag(clinic, draft, rule_admin):
    # Three older adults at 145/85 and two at 135/85 (hand-checked, rule book §5.2):
    # with the EU guide (> 150/90 from 65) the three lose CV-BP-ELEVATED; the two
    # never had it. All five keep CV-AGE-65 (caution), so no outcome changes.
    documents = [older_adult(145, 85)] * 3 + [older_adult(135, 85)] * 2
    intakes = intakes_from_documents(clinic, documents, created_by=rule_admin)
    for intake in intakes:
        screenings.do_screen_intake(intake, by=rule_admin)
    drafts.do_update_settings(
        draft, {"bp_guide_age_banded": True}, revision=1, by=rule_admin
    )
    draft.refresh_from_db()

    preview = impact.do_show_impact_preview(draft, by=rule_admin)

    assert preview.revision == 2
    assert preview.summary["intakes"] == 5
    assert preview.summary["changed"] == 3
    assert preview.summary["outcomes"] == []
    assert preview.summary["flags"] == [
        {
            "code": "CV-BP-ELEVATED",
            "gained": 0,
            "lost": 3,
            "severity_changed": 0,
            "gained_examples": [],
            "lost_examples": [intake.pk for intake in intakes[:3]],
            "severity_changed_examples": [],
        }
    ]
    event = AuditEvent.objects.get(action="ruleset.tested")
    assert event.detail == {"check": "impact_preview", "count": 5, "changed": 3}


def test_it_counts_outcome_changes_and_leaves_signed_intakes_out(
    clinic, draft, rule_admin
):
    # C04 is absolute (MI 30 days ago); with the US reading the 6-week absolute goes
    # and CV-MI-12M (relative) takes over: absolute -> needs_clinician_review.
    open_intakes = intakes_from_documents(
        clinic, [case_document("C04")] * 2, created_by=rule_admin
    )
    intakes_from_documents(
        clinic, [case_document("C04")], created_by=rule_admin, status="signed"
    )
    drafts.do_update_settings(
        draft, {"recent_cv_event_absolute": False}, revision=1, by=rule_admin
    )
    draft.refresh_from_db()

    summary = impact.compute_impact(draft)

    ids = [intake.pk for intake in open_intakes]
    assert summary["intakes"] == 2
    assert summary["signed_not_rescreened"] == 1
    assert summary["outcomes"] == [
        {
            "from": "absolute_contraindication",
            "to": "needs_clinician_review",
            "count": 2,
            "examples": ids,
        }
    ]
    by_code = {row["code"]: row for row in summary["flags"]}
    assert by_code["CI-RECENT-CV-EVENT"]["lost_examples"] == ids
    assert by_code["CV-MI-12M"]["gained_examples"] == ids


def test_it_shows_no_answers_or_names_in_the_preview(clinic, draft, rule_admin):
    intakes_from_documents(clinic, [older_adult(145, 85)], created_by=rule_admin)
    drafts.do_update_settings(
        draft, {"bp_guide_age_banded": True}, revision=1, by=rule_admin
    )
    draft.refresh_from_db()

    text = json.dumps(impact.compute_impact(draft))

    for leak in ("145", "Test", "Patient", "BULK", "bp_systolic"):
        assert leak not in text
