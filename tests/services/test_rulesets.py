"""The ruleset service: stored versions, the default, the active version and diffs."""

import importlib

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from screening.models import PublishedRulesetError, Rule, RulesetVersion
from screening.services import drafts, rulesets
from tests.services.ruleset_cases import edit, publish, rule_values

# Published versions never change --------------------------------------------------


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


# The default ruleset and the active version ---------------------------------------


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


# Diff -----------------------------------------------------------------------------


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


# Plain-language threshold lines: the migration (issue #15, finding 4) -------------


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
