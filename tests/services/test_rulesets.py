import copy
import importlib
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import TestCase

from screening import engine, intake_format
from screening.json_numbers import AnswerEncoder
from screening.models import (
    AuditEvent,
    Intake,
    PublishedRulesetError,
    Rule,
    RulesetVersion,
    Screening,
)
from screening.services import (
    clinic_tests,
    drafts,
    impact,
    publishing,
    rulesets,
    screenings,
)
from screening.services import documents as documents_service
from tests.factories import MembershipFactory, UserFactory, intakes_from_documents

CASES_DIR = Path(settings.BASE_DIR) / "fixtures" / "clinic_test_cases"
SHARED_VIGNETTES = Path(settings.BASE_DIR).parent / "shared" / "vignettes"


def case_document(name: str) -> dict:
    path = next(CASES_DIR.glob(f"{name}-*.json"))
    return intake_format.load_document(path.read_bytes(), today=None)


def older_adult(systolic: int, diastolic: int) -> dict:
    document = copy.deepcopy(case_document("C01"))
    document["vitals"]["bp_systolic"] = systolic
    document["vitals"]["bp_diastolic"] = diastolic
    return document


def rule_values(rule: Rule, **changes) -> dict:
    values = {
        "title": rule.title,
        "severity": rule.severity,
        "expression": rule.expression,
        "message": rule.message,
        "source": rule.source,
        "enabled": rule.enabled,
    }
    return {**values, **changes}


@pytest.fixture
def second_admin(clinic):
    user = UserFactory(username="second-admin")
    MembershipFactory(user=user, clinic=clinic, role="rule_admin")
    return user


@pytest.fixture
def draft(clinic, rule_admin):
    return drafts.do_create_draft(clinic, by=rule_admin)


def edit(draft, code: str, by, **changes) -> Rule:
    rule = draft.rules.get(code=code)
    draft.refresh_from_db()
    return drafts.do_update_rule(
        rule, rule_values(rule, **changes), revision=draft.revision, by=by
    )


def publish(draft, *, by, reason="Reviewed with the medical director."):
    """Preview, approve and publish; the re-screen queued on commit runs at once."""
    draft.refresh_from_db()
    impact.do_show_impact_preview(draft, by=by)
    with TestCase.captureOnCommitCallbacks(execute=True):
        return publishing.do_publish_ruleset(
            draft, by=by, reason=reason, revision=draft.revision
        )


# Drafts and the rule editor --------------------------------------------------------


def test_it_drafts_from_the_shipped_default_the_first_time(clinic, rule_admin):
    draft = drafts.do_create_draft(clinic, by=rule_admin)

    assert draft.based_on.label == "default-1"
    assert draft.rules.count() == len(
        rulesets.ruleset_document(draft.based_on)["rules"]
    )
    assert AuditEvent.objects.filter(action="ruleset.drafted").count() == 1


def test_it_keeps_one_draft_per_clinic(clinic, rule_admin, draft):
    with pytest.raises(drafts.DraftExistsError):
        drafts.do_create_draft(clinic, by=rule_admin)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("diazepam_equivalent_exact >", "Syntax error"),
        ("diazepam_equivalent_exat > 10", "Unknown name 'diazepam_equivalent_exat'"),
        ('diazepam_equivalent_exact > "ten"', "Type mismatch"),
        ("diazepam_equivalent_exact", "must be yes/no"),
        ("medical_history.mi_or_acs_date > 3", "cannot be ordered"),
    ],
)
def test_it_refuses_an_invalid_expression_and_stores_nothing(
    draft, rule_admin, expression, message
):
    before = draft.rules.get(code="DDI-BZD-HIGH").expression

    with pytest.raises(drafts.RuleEditError) as refused:
        edit(draft, "DDI-BZD-HIGH", rule_admin, expression=expression)

    assert message in refused.value.errors["expression"]
    assert draft.rules.get(code="DDI-BZD-HIGH").expression == before
    draft.refresh_from_db()
    assert draft.revision == 1
    assert not AuditEvent.objects.filter(action="ruleset.edited").exists()


@pytest.mark.parametrize(
    ("code", "changes", "field"),
    [
        ("CI-BP-SEVERE", {"expression": "vitals.bp_systolic > 190"}, "expression"),
        ("CI-AVM", {"severity": "relative"}, "severity"),
        ("CI-AVM", {"enabled": False}, "enabled"),
        (
            "DATA-MISSING-BP",
            {"expression": "is_null(vitals.bp_systolic)"},
            "expression",
        ),
        ("DATA-MISSING-BP", {"severity": "absolute"}, "severity"),
        (
            "CV-BP-ELEVATED",
            {"expression": "vitals.bp_systolic > 150 or vitals.bp_diastolic > 90"},
            "expression",
        ),
        ("SUB-AUDITC-POSITIVE", {"enabled": False}, "enabled"),
        ("DDI-MAOI", {"severity": "caution"}, "severity"),
    ],
)
def test_it_refuses_locked_changes_beside_the_field(
    draft, rule_admin, code, changes, field
):
    with pytest.raises(drafts.RuleEditError) as refused:
        edit(draft, code, rule_admin, **changes)

    assert "§6.1" in refused.value.errors[field]
    assert rule_values(draft.rules.get(code=code)) == rule_values(
        Rule.objects.get(ruleset__label="default-1", code=code)
    )


def test_it_lets_an_admin_raise_a_severity_and_edit_an_unlocked_condition(
    draft, rule_admin
):
    edit(draft, "CV-BP-ELEVATED", rule_admin, severity="absolute")
    edit(draft, "DDI-BZD-HIGH", rule_admin, expression="diazepam_equivalent_exact > 10")

    draft.refresh_from_db()
    assert draft.revision == 3
    assert draft.rules.get(code="CV-BP-ELEVATED").severity == "absolute"
    edited = AuditEvent.objects.filter(action="ruleset.edited")
    assert [event.detail["change"] for event in edited] == ["rule_updated"] * 2


def test_it_refuses_an_edit_of_a_draft_changed_meanwhile(
    draft, rule_admin, second_admin
):
    rule = draft.rules.get(code="DDI-NMDA")
    opened_at = draft.revision
    edit(draft, "DDI-NMDA", second_admin, title="NMDA antagonist")

    with pytest.raises(drafts.StaleDraftError):
        drafts.do_update_rule(
            rule,
            rule_values(rule, title="Other title"),
            revision=opened_at,
            by=rule_admin,
        )
    assert draft.rules.get(code="DDI-NMDA").title == "NMDA antagonist"


def test_it_adds_a_clinic_rule_over_the_vocabulary(draft, rule_admin):
    values = {
        "code": "CLINIC-HR-HIGH",
        "title": "Resting heart rate above 110",
        "severity": "caution",
        "expression": "vitals.heart_rate > 110",
        "message": "Recheck the heart rate before the session.",
        "source": {
            "title": "Clinic protocol",
            "year": "2026",
            "section": "4",
            "url": None,
        },
        "enabled": True,
    }

    rule = drafts.do_add_rule(draft, values, revision=1, by=rule_admin)

    assert rule.position == draft.rules.count() - 1
    compiled = rulesets.get_engine_ruleset(draft)
    assert compiled.rule("CLINIC-HR-HIGH") is not None


@pytest.mark.parametrize("code", ["DDI-NMDA", "bad code", "CV-BP-ELEVATED"])
def test_it_refuses_a_code_in_use_or_badly_written(draft, rule_admin, code):
    values = {
        "code": code,
        "title": "A rule",
        "severity": "caution",
        "expression": "vitals.heart_rate > 110",
        "message": "Text.",
        "source": {"title": "Clinic", "year": "2026", "section": "1", "url": None},
        "enabled": True,
    }

    with pytest.raises(drafts.RuleEditError) as refused:
        drafts.do_add_rule(draft, values, revision=1, by=rule_admin)

    assert "code" in refused.value.errors


def test_it_never_reuses_a_retired_code(clinic, draft, rule_admin, second_admin):
    drafts.do_retire_rule(draft.rules.get(code="DDI-NMDA"), revision=1, by=rule_admin)
    publish(draft, by=second_admin)
    next_draft = drafts.do_create_draft(clinic, by=rule_admin)

    assert next_draft.rules.get(code="DDI-NMDA").is_retired
    assert "DDI-NMDA" in drafts.used_codes(clinic)
    assert rulesets.get_engine_ruleset(next_draft).rule("DDI-NMDA") is None


@pytest.mark.parametrize("code", ["CI-AVM", "DATA-MISSING-BP", "PSY-PHQ9-ITEM9"])
def test_it_refuses_to_retire_a_locked_rule(draft, rule_admin, code):
    with pytest.raises(drafts.RuleEditError) as refused:
        drafts.do_retire_rule(draft.rules.get(code=code), revision=1, by=rule_admin)

    assert "cannot be retired" in refused.value.errors[None]
    assert not draft.rules.get(code=code).is_retired


def test_it_refuses_rule_tests_naming_an_unknown_fact(draft, rule_admin):
    rule = draft.rules.get(code="DDI-BZD-HIGH")
    tests = [{"name": "typo", "facts": {"diazepam_equivalnt": 9}, "expect": "fired"}]

    with pytest.raises(drafts.RuleEditError) as refused:
        drafts.do_update_rule_tests(rule, tests, revision=1, by=rule_admin)

    assert "diazepam_equivalnt" in refused.value.errors[None]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"trd_min_weeks_at_dose": 5}, "trd_min_weeks_at_dose must be 4, 6 or 8"),
        ({"severity_raised_to_absolute": ["CI-AVM"]}, "severity_raised_to_absolute"),
        (
            {
                "diazepam_equivalents": [
                    {"name": "x", "mg_equivalent_to_10mg_diazepam": 0}
                ]
            },
            "must be a number above 0",
        ),
    ],
)
def test_it_refuses_settings_out_of_range(draft, rule_admin, values, message):
    with pytest.raises(drafts.RuleEditError) as refused:
        drafts.do_update_settings(draft, values, revision=1, by=rule_admin)

    assert message in refused.value.errors[None]


def test_it_stores_the_settings_in_full(draft, rule_admin):
    drafts.do_update_settings(
        draft, {"bp_guide_age_banded": True}, revision=1, by=rule_admin
    )

    draft.refresh_from_db()
    assert draft.clinic_settings["bp_guide_age_banded"] is True
    assert draft.clinic_settings["trd_min_weeks_at_dose"] == 6


def test_it_runs_the_rule_tests_and_records_it(draft, rule_admin):
    results = drafts.do_run_rule_tests(draft, by=rule_admin)

    assert results
    assert all(result.passed for result in results)
    event = AuditEvent.objects.get(action="ruleset.tested")
    assert event.detail == {"check": "rule_tests", "passed": len(results), "failed": 0}


# Published versions never change ---------------------------------------------------


def test_it_refuses_any_change_to_a_published_ruleset__t_int_07(draft, second_admin):
    published = publish(draft, by=second_admin)
    rule = published.rules.get(code="DDI-NMDA")

    rule.title = "Changed"
    with pytest.raises(PublishedRulesetError), transaction.atomic():
        rule.save()
    with pytest.raises(PublishedRulesetError), transaction.atomic():
        rule.delete()
    with pytest.raises(PublishedRulesetError), transaction.atomic():
        published.rules.update(title="Changed")
    published.clinic_settings = {"bp_guide_age_banded": True}
    with pytest.raises(PublishedRulesetError), transaction.atomic():
        published.save()
    with pytest.raises(PublishedRulesetError), transaction.atomic():
        RulesetVersion.objects.filter(pk=published.pk).update(clinic_settings={})
    with pytest.raises(PublishedRulesetError), transaction.atomic():
        Rule.objects.create(ruleset=published, code="X-Y", severity="info")
    with pytest.raises(drafts.NotADraftError):
        drafts.do_update_rule(
            rule, rule_values(rule), revision=published.revision, by=second_admin
        )
    assert published.rules.get(code="DDI-NMDA").title != "Changed"


# The publish gate and the two-person rule -------------------------------------------


@pytest.fixture
def test_cases(clinic):
    clinic_tests.do_load_test_cases(clinic, CASES_DIR)


def test_a_clinic_screens_with_the_default_until_it_publishes_its_own(
    clinic, other_clinic, rule_admin, second_admin
):
    default = rulesets.do_install_default_ruleset()
    assert rulesets.get_active_ruleset(clinic) == default

    published = publish(drafts.do_create_draft(clinic, by=rule_admin), by=second_admin)

    assert rulesets.get_active_ruleset(clinic) == published
    assert rulesets.get_active_ruleset(other_clinic) == default


VERSION_FIELDS = ("clinic", "label", "number", "status", "clinic_settings", "origin")
RULE_ROW_FIELDS = (
    *rulesets.RULE_FIELDS,
    *("position", "enabled", "locked", "tests", "threshold_text", "extra"),
    "is_retired",
)


def stored_rows(ruleset: RulesetVersion) -> tuple[dict, list[dict]]:
    version = {name: getattr(ruleset, name) for name in VERSION_FIELDS}
    return version, list(ruleset.rules.values(*RULE_ROW_FIELDS))


@pytest.mark.django_db
def test_it_installs_the_default_ruleset_by_migration_as_the_service_would():
    migrated = rulesets.get_default_ruleset()
    assert migrated.published_at is not None
    migrated_rows = stored_rows(migrated)
    RulesetVersion._base_manager.filter(pk=migrated.pk).delete()

    installed = rulesets.do_install_default_ruleset()

    assert stored_rows(installed) == migrated_rows


def test_it_reads_the_active_ruleset_without_writing(clinic, django_assert_num_queries):
    default = rulesets.get_default_ruleset()
    with django_assert_num_queries(1):
        assert rulesets.get_active_ruleset(clinic) == default

    RulesetVersion._base_manager.filter(pk=default.pk).delete()

    with pytest.raises(rulesets.MissingDefaultRulesetError, match="migrate"):
        rulesets.get_active_ruleset(clinic)
    assert not RulesetVersion.objects.exists()


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


def raise_bzd_threshold_to_10(draft, by) -> None:
    """An unlocked edit with its own tests brought in line (8.001 no longer fires)."""
    edit(draft, "DDI-BZD-HIGH", by, expression="diazepam_equivalent_exact > 10")
    rule = draft.rules.get(code="DDI-BZD-HIGH")
    tests = [
        {
            **test,
            "name": "10.001 fires",
            "facts": {"diazepam_equivalent_exact": "10.001"},
        }
        if test["name"] == "8.001 fires"
        else test
        for test in rule.tests
    ]
    draft.refresh_from_db()
    drafts.do_update_rule_tests(rule, tests, revision=draft.revision, by=by)


# Impact preview --------------------------------------------------------------------


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


# Screening under versions -----------------------------------------------------------


def comparable(result: dict) -> str:
    return json.dumps(result["flags"], cls=AnswerEncoder, sort_keys=True)


def test_it_screens_old_intakes_identically_under_their_own_version__t_int_07(
    clinic, rule_admin, second_admin
):
    documents = [older_adult(145, 85), case_document("C02"), case_document("C04")]
    intakes = intakes_from_documents(clinic, documents, created_by=rule_admin)
    for intake in intakes:
        screenings.do_screen_intake(intake, by=rule_admin)
    first = list(Screening.objects.order_by("intake_id"))
    draft = drafts.do_create_draft(clinic, by=rule_admin)
    drafts.do_update_settings(
        draft, {"bp_guide_age_banded": True}, revision=1, by=rule_admin
    )
    raise_bzd_threshold_to_10(draft, rule_admin)
    publish(draft, by=second_admin)

    for screening in first:
        intake = Intake.objects.get(pk=screening.intake_id)
        again = engine.screen_document(
            documents_service.intake_document(intake),
            rulesets.get_engine_ruleset(screening.ruleset),
        )
        assert screening.ruleset_version == "default-1"
        assert comparable(again) == comparable(screening.result)
    # ... while the current screenings ran under the new version, and differ.
    current = Screening.objects.filter(ruleset__label="clinic-a-1")
    assert current.count() == 3
    assert {s.result["ruleset_version"] for s in current} == {"clinic-a-1"}


def test_it_publishes_a_changed_threshold_once_its_tests_are_fixed(
    draft, rule_admin, second_admin
):
    raise_bzd_threshold_to_10(draft, rule_admin)

    published = publish(draft, by=second_admin)

    compiled = rulesets.get_engine_ruleset(published)
    assert compiled.rule("DDI-BZD-HIGH").expression == "diazepam_equivalent_exact > 10"


# Export, import and diff ------------------------------------------------------------


def test_it_imports_an_exported_ruleset_as_a_draft(
    clinic, draft, rule_admin, second_admin
):
    raise_bzd_threshold_to_10(draft, rule_admin)
    drafts.do_retire_rule(draft.rules.get(code="DDI-NMDA"), revision=3, by=rule_admin)
    published = publish(draft, by=second_admin)
    document = json.loads(json.dumps(rulesets.export_document(published)))

    imported = drafts.do_import_ruleset(clinic, document, by=second_admin)

    assert imported.status == "draft"
    assert imported.origin == "import"
    assert rulesets.diff_rulesets(published, imported) == {
        "added": [],
        "removed": [],
        "changed": [],
        "settings": [],
    }
    assert imported.rules.get(code="DDI-NMDA").is_retired
    with pytest.raises(publishing.PublishRefusedError):
        publish(imported, by=second_admin)  # its importer may not approve it


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "ruleset/2"}, "not a ruleset/1 document"),
        ({"rule": ("CI-AVM", {"severity": "caution"})}, "severity stays absolute"),
        ({"rule": ("DDI-MAOI", {"expression": "vitals.bp_sistolic > 1"})}, "Unknown"),
        ({"drop": "DDI-NMDA"}, "DDI-NMDA is missing"),
    ],
)
def test_it_refuses_an_import_that_breaks_the_rules(
    clinic, rule_admin, change, message
):
    document = rulesets.export_document(rulesets.do_install_default_ruleset())
    document = json.loads(json.dumps(document))
    if "format" in change:
        document["format"] = change["format"]
    if "rule" in change:
        code, values = change["rule"]
        next(r for r in document["rules"] if r["code"] == code).update(values)
    if "drop" in change:
        document["rules"] = [
            r for r in document["rules"] if r["code"] != change["drop"]
        ]

    with pytest.raises(drafts.RulesetImportError) as refused:
        drafts.do_import_ruleset(clinic, document, by=rule_admin)

    assert message in str(refused.value)
    assert rulesets.get_draft(clinic) is None


def test_it_diffs_two_versions_field_by_field(clinic, draft, rule_admin):
    edit(draft, "DDI-NMDA", rule_admin, title="NMDA receptor antagonist")
    drafts.do_retire_rule(
        draft.rules.get(code="DDI-XANTHINE"), revision=2, by=rule_admin
    )
    drafts.do_update_settings(
        draft, {"trd_min_weeks_at_dose": 8}, revision=3, by=rule_admin
    )
    draft.refresh_from_db()
    drafts.do_add_rule(
        draft,
        {
            "code": "CLINIC-HR-HIGH",
            "title": "Heart rate above 110",
            "severity": "caution",
            "expression": "vitals.heart_rate > 110",
            "message": "Recheck.",
            "source": {"title": "Clinic", "year": "2026", "section": "1", "url": None},
            "enabled": True,
        },
        revision=draft.revision,
        by=rule_admin,
    )

    diff = rulesets.diff_rulesets(draft.based_on, draft)

    assert diff["added"] == ["CLINIC-HR-HIGH"]
    assert diff["removed"] == []
    assert diff["changed"] == [
        {
            "code": "DDI-NMDA",
            "fields": [
                {
                    "field": "title",
                    "old": draft.based_on.rules.get(code="DDI-NMDA").title,
                    "new": "NMDA receptor antagonist",
                }
            ],
        },
        {
            "code": "DDI-XANTHINE",
            "fields": [{"field": "is_retired", "old": False, "new": True}],
        },
    ]
    assert diff["settings"] == [{"name": "trd_min_weeks_at_dose", "old": 6, "new": 8}]


# Clinic test cases ------------------------------------------------------------------


def test_it_loads_the_shipped_clinic_test_cases(clinic):
    call_command("load_clinic_test_cases", str(CASES_DIR), "--clinic", clinic.slug)
    call_command("load_clinic_test_cases", str(CASES_DIR), "--clinic", clinic.slug)

    assert list(clinic.test_cases.values_list("code", flat=True)) == [
        "C01",
        "C02",
        "C03",
        "C04",
    ]
    draft = drafts.do_create_draft(clinic, by=None)
    assert all(result.passed for result in clinic_tests.run_clinic_tests(draft))


@pytest.mark.skipif(not SHARED_VIGNETTES.is_dir(), reason="../shared is not here")
def test_it_loads_the_shared_vignettes_as_a_test_set(clinic, rule_admin):
    call_command(
        "load_clinic_test_cases", str(SHARED_VIGNETTES), "--clinic", "clinic-a"
    )

    draft = drafts.do_create_draft(clinic, by=rule_admin)
    results = clinic_tests.run_clinic_tests(draft)
    assert [r.case.code for r in results] == [f"V0{n}" for n in range(1, 9)]
    assert [r.problems for r in results] == [[]] * 8


def test_it_shows_what_differs_from_the_expectation(
    clinic, test_cases, draft, rule_admin
):
    drafts.do_update_settings(
        draft,
        {"severity_raised_to_absolute": ["REPRO-PREGNANT"]},
        revision=1,
        by=rule_admin,
    )

    results = {r.case.code: r for r in clinic_tests.run_clinic_tests(draft)}

    assert results["C03"].problems == [
        "outcome absolute_contraindication, expected needs_clinician_review",
        "missing flags: REPRO-PREGNANT (relative)",
        "unexpected flags: REPRO-PREGNANT (absolute)",
    ]
    assert [code for code, r in results.items() if not r.passed] == ["C03"]


def test_it_forgets_approvals_for_a_discarded_draft(
    clinic, test_cases, draft, rule_admin
):
    drafts.do_update_settings(
        draft, {"bp_guide_age_banded": True}, revision=1, by=rule_admin
    )
    case = clinic.test_cases.get(code="C01")
    clinic_tests.do_approve_expectation(case, draft=draft, reason="EU", by=rule_admin)
    drafts.do_discard_draft(draft, revision=2, by=rule_admin)

    fresh = drafts.do_create_draft(clinic, by=rule_admin)

    assert clinic_tests.current_expectation(case, fresh).ruleset is None
    assert all(r.passed for r in clinic_tests.run_clinic_tests(fresh))


def test_it_refuses_an_expected_file_nested_too_deep_to_read__f4(tmp_path):
    case = sorted(CASES_DIR.glob("*.json"))[0]
    (tmp_path / case.name).write_bytes(case.read_bytes())
    (tmp_path / "expected").mkdir()
    (tmp_path / "expected" / case.name).write_text("[" * 100_000 + "]" * 100_000)

    with pytest.raises(clinic_tests.TestCaseFileError, match="no readable expected"):
        clinic_tests.read_case_files(tmp_path)


# Plain-language threshold lines (issue #15, finding 4) ------------------------------


def test_it_copies_the_threshold_lines_into_a_draft(draft):
    line = draft.rules.get(code="CV-BP-ELEVATED").threshold_text

    assert line.startswith("BP above 140/90 (150/90 from age 65 under the EU guide")


def test_it_saves_an_edited_threshold_line_in_the_draft(draft, rule_admin):
    edit(draft, "DDI-BZD-HIGH", rule_admin, threshold_text="Above 8 mg a day")

    rule = draft.rules.get(code="DDI-BZD-HIGH")
    assert rule.threshold_text == "Above 8 mg a day"
    published = rulesets.do_install_default_ruleset().rules.get(code="DDI-BZD-HIGH")
    assert published.threshold_text.startswith("Benzodiazepines above 8 mg")


def test_it_refuses_to_save_a_locked_rule_s_line_with_other_numbers(draft, rule_admin):
    with pytest.raises(drafts.RuleEditError) as refused:
        edit(draft, "CV-BP-ELEVATED", rule_admin, threshold_text="BP above 150/95")

    assert set(refused.value.errors) == {"threshold_text"}
    assert "65, 90, 140, 150" in refused.value.errors["threshold_text"]


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


THRESHOLD_MIGRATION = "0008_rule_threshold_text"


def run_threshold_migration() -> None:
    """The migration's data step, with the historical models it runs with."""
    migration = importlib.import_module(f"screening.migrations.{THRESHOLD_MIGRATION}")
    loader = MigrationExecutor(connection).loader
    state = loader.project_state(("screening", THRESHOLD_MIGRATION))
    migration.fill_threshold_lines(state.apps, None)


def test_it_fills_the_threshold_lines_of_a_default_installed_before_them(clinic):
    default = rulesets.do_install_default_ruleset()
    # As installed before the field existed; the published-version guard is the
    # model's, the migration works on the plain historical manager.
    Rule._base_manager.filter(ruleset=default).update(threshold_text="")

    run_threshold_migration()

    shipped = {
        rule["code"]: rule["threshold_text"]
        for rule in rulesets.default_ruleset_document()["rules"]
    }
    assert dict(default.rules.values_list("code", "threshold_text")) == shipped


def test_it_leaves_the_line_empty_on_a_rule_whose_condition_a_clinic_changed(
    draft, rule_admin
):
    edit(draft, "DDI-BZD-HIGH", rule_admin, expression="diazepam_equivalent_exact > 10")
    Rule._base_manager.filter(ruleset=draft).update(threshold_text="")

    run_threshold_migration()

    lines = dict(draft.rules.values_list("code", "threshold_text"))
    assert lines["DDI-BZD-HIGH"] == ""
    assert lines["DDI-NMDA"].startswith("A current NMDA antagonist")


def test_it_exports_and_imports_the_threshold_lines(clinic, rule_admin):
    document = rulesets.export_document(rulesets.do_install_default_ruleset())
    document = json.loads(json.dumps(document))
    bzd = next(r for r in document["rules"] if r["code"] == "DDI-BZD-HIGH")
    assert bzd["threshold_text"].startswith("Benzodiazepines above 8 mg")
    bzd["threshold_text"] = "More than 8 mg diazepam-equivalent a day"

    draft = drafts.do_import_ruleset(clinic, document, by=rule_admin)

    lines = dict(draft.rules.values_list("code", "threshold_text"))
    assert lines["DDI-BZD-HIGH"] == "More than 8 mg diazepam-equivalent a day"
    assert lines["CV-BP-ELEVATED"].startswith("BP above 140/90")


def test_it_imports_a_ruleset_written_before_threshold_lines(clinic, rule_admin):
    document = rulesets.export_document(rulesets.do_install_default_ruleset())
    document = json.loads(json.dumps(document))
    for rule in document["rules"]:
        del rule["threshold_text"]

    draft = drafts.do_import_ruleset(clinic, document, by=rule_admin)

    assert set(draft.rules.values_list("threshold_text", flat=True)) == {""}
    assert "threshold_text" not in draft.rules.first().extra
    # Readable, but not publishable until the locked rules have their lines again.
    assert "CV-BP-ELEVATED" in {
        rule.code for rule, _ in publishing.threshold_line_problems(draft)
    }
