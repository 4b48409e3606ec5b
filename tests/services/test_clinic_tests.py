"""The clinic test-case service."""

import pytest
from django.core.management import call_command

from screening.services import clinic_tests, drafts
from tests.services.ruleset_cases import CASES_DIR, SHARED_VIGNETTES

# Clinic test cases ----------------------------------------------------------------


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
