"""Shared set-up for the ruleset service tests: clinic cases, edits and publishing."""

import copy
from pathlib import Path

from django.conf import settings
from django.test import TestCase

from screening import intake_format
from screening.models import Rule
from screening.services import drafts, impact, publishing

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
