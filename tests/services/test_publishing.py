"""The publishing service: the publish gate and the two-person rule."""

import pytest

from screening.models import AuditEvent, Rule
from screening.services import clinic_tests, drafts, impact, publishing, rulesets
from tests.services.ruleset_cases import edit, publish, raise_bzd_threshold_to_10

# The publish gate and the two-person rule -----------------------------------------


def test_it_publishes_as_the_clinic_slug_and_number(clinic, rule_admin, second_admin):
    first = publish(drafts.do_create_draft(clinic, by=rule_admin), by=second_admin)
    second = publish(drafts.do_create_draft(clinic, by=rule_admin), by=second_admin)

    first.refresh_from_db()
    assert (first.label, first.status) == ("clinic-a-1", "superseded")
    assert (second.label, second.status) == ("clinic-a-2", "published")
    assert rulesets.get_active_ruleset(clinic) == second
    assert (
        list(
            AuditEvent.objects.filter(action__startswith="ruleset.").values_list(
                "action", flat=True
            )
        )
        == [
            "ruleset.drafted",
            "ruleset.tested",
            "ruleset.approved",
            "ruleset.published",
            "ruleset.rescreen_started",
            "ruleset.rescreen_finished",
        ]
        * 2
    )


def test_it_refuses_to_publish_while_a_rule_test_fails__t_int_07(
    draft, rule_admin, second_admin
):
    edit(draft, "DDI-BZD-HIGH", rule_admin, expression="diazepam_equivalent_exact > 10")
    draft.refresh_from_db()
    impact.do_show_impact_preview(draft, by=rule_admin)

    with pytest.raises(publishing.PublishRefusedError) as refused:
        publishing.do_publish_ruleset(
            draft, by=second_admin, reason="r", revision=draft.revision
        )

    assert "rule test case(s) fail" in refused.value.reasons[0]
    draft.refresh_from_db()
    assert draft.is_draft


def test_it_refuses_to_publish_until_a_changed_case_is_approved__t_int_07(
    test_cases, draft, rule_admin, second_admin
):
    drafts.do_update_settings(
        draft, {"bp_guide_age_banded": True}, revision=1, by=rule_admin
    )
    draft.refresh_from_db()
    impact.do_show_impact_preview(draft, by=rule_admin)

    with pytest.raises(publishing.PublishRefusedError) as refused:
        publishing.do_publish_ruleset(
            draft, by=second_admin, reason="r", revision=draft.revision
        )
    assert "1 clinic test case(s) differ" in refused.value.reasons[0]

    case = draft.clinic.test_cases.get(code="C01")
    clinic_tests.do_approve_expectation(
        case, draft=draft, reason="EU guide from 65, by decision 12/2026", by=rule_admin
    )
    published = publishing.do_publish_ruleset(
        draft, by=second_admin, reason="r", revision=draft.revision
    )

    assert published.label == "clinic-a-1"
    results = clinic_tests.run_clinic_tests(published)
    assert all(result.passed for result in results)
    approved = clinic_tests.current_expectation(case, published)
    assert approved.reason == "EU guide from 65, by decision 12/2026"
    assert approved.approved_by == rule_admin
    assert {f["code"] for f in approved.expected["flags"]} == {
        "CV-AGE-65",
        "SUIT-TRD-MET",
    }


def test_it_refuses_to_publish_without_a_preview_of_this_revision__t_int_07(
    draft, rule_admin, second_admin
):
    impact.do_show_impact_preview(draft, by=rule_admin)
    edit(draft, "DDI-NMDA", rule_admin, title="NMDA receptor antagonist")
    draft.refresh_from_db()

    with pytest.raises(publishing.PublishRefusedError) as refused:
        publishing.do_publish_ruleset(
            draft, by=second_admin, reason="r", revision=draft.revision
        )

    assert refused.value.reasons == [
        "The impact preview has not been shown for revision 2 of this draft: open "
        "it before publishing."
    ]


def test_it_refuses_publishing_by_the_author__t_int_07(draft, rule_admin):
    with pytest.raises(publishing.PublishRefusedError) as refused:
        publish(draft, by=rule_admin)

    assert "two-person rule" in refused.value.reasons[0]


def test_it_refuses_publishing_by_an_editor_of_the_draft__t_int_07(draft, second_admin):
    edit(draft, "DDI-NMDA", second_admin, title="NMDA receptor antagonist")

    with pytest.raises(publishing.PublishRefusedError):
        publish(draft, by=second_admin)


def test_it_lets_only_a_clinician_with_the_grant_approve__t_int_07(
    clinic, draft, clinician
):
    with pytest.raises(publishing.PublishRefusedError) as refused:
        publish(draft, by=clinician)
    assert "clinician granted" in refused.value.reasons[0]

    clinician.memberships.update(can_approve_rulesets=True)
    published = publish(draft, by=clinician)

    assert published.approved_by == clinician


def test_it_publishes_a_changed_threshold_once_its_tests_are_fixed(
    draft, rule_admin, second_admin
):
    raise_bzd_threshold_to_10(draft, rule_admin)

    published = publish(draft, by=second_admin)

    compiled = rulesets.get_engine_ruleset(published)
    assert compiled.rule("DDI-BZD-HIGH").expression == "diazepam_equivalent_exact > 10"


@pytest.mark.parametrize(
    ("code", "line", "passes"),
    [
        ("CV-BP-ELEVATED", "BP above 150/90 (150/90 from age 65, EU guide)", False),
        ("CV-BP-ELEVATED", "BP over 140/90, or over 150/90 at 65 and older (EU)", True),
        ("CI-BP-SEVERE", "BP above 180/110 at this reading", False),
        ("CI-BP-SEVERE", "", False),
        ("PSY-PHQ9-ITEM9", "PHQ-9 item 9 scored 2 or more", False),
        ("PSY-PHQ9-ITEM9", "PHQ-9 item 9 at 1 or above", True),
        ("SUB-AUDITC-POSITIVE", "AUDIT-C 5 or more", False),
        ("CI-AVM", "Arteriovenous malformation", True),
        ("DDI-BZD-HIGH", "Above 10 mg diazepam-equivalent", True),  # not locked
    ],
)
def test_it_gates_a_locked_rule_s_threshold_line_on_the_condition_s_numbers(
    draft, rule_admin, second_admin, code, line, passes
):
    # An imported or older draft can hold any line: the publish gate checks it again.
    Rule.objects.filter(ruleset=draft, code=code).update(threshold_text=line)
    draft.refresh_from_db()
    impact.do_show_impact_preview(draft, by=rule_admin)

    report = publishing.check_gate(draft)

    assert report.passed is passes
    refused_codes = [rule.code for rule, _ in report.threshold_lines]
    assert refused_codes == ([] if passes else [code])
    if not passes:
        with pytest.raises(publishing.PublishRefusedError) as refused:
            publishing.do_publish_ruleset(
                draft, by=second_admin, reason="r", revision=draft.revision
            )
        assert f"The threshold line of {code} states other numbers" in " ".join(
            refused.value.reasons
        )
