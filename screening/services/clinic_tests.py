"""Clinic test cases: intake/1 documents with approved expected results (§6.1).

An expected result has exactly the format of the acceptance cases' expected/ files
(vignettes/README.md) and is compared the way their check.py compares it. When a
draft's rules change a case's result, a rule admin approves the new result, with a
reason, before the publish gate passes.
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from screening import audit, intake_format
from screening.models import (
    Clinic,
    ClinicTestCase,
    RulesetVersion,
    TestCaseExpectation,
)
from screening.services import drafts, rulesets, screenings

FLOAT_TOLERANCE = 1e-6
_MISSING = object()


class TestCaseFileError(Exception):
    """A test case file that is not an intake/1 document or an expected result."""

    __test__ = False


@dataclass
class CaseResult:
    """A clinic test case screened under a ruleset, against its approved expectation."""

    case: ClinicTestCase
    expectation: TestCaseExpectation
    result: dict[str, Any]
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def flag_pairs(self) -> list[str]:
        return sorted(f"{f['code']} ({f['severity']})" for f in self.result["flags"])


def _same(a: Any, b: Any) -> bool:
    """Equality as check.py has it: bools only equal bools, floats within 1e-6."""
    if isinstance(a, Decimal):
        a = float(a) if a != a.to_integral_value() else int(a)
    if isinstance(b, Decimal):
        b = float(b) if b != b.to_integral_value() else int(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        if isinstance(a, float) or isinstance(b, float):
            return abs(a - b) <= FLOAT_TOLERANCE
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def compare(expected: dict[str, Any], result: dict[str, Any]) -> list[str]:
    """What differs between a result and an expected file (empty when it passes)."""
    problems: list[str] = []
    if result["outcome"] != expected["outcome"]:
        problems.append(f"outcome {result['outcome']}, expected {expected['outcome']}")
    want = {(f["code"], f["severity"]) for f in expected["flags"]}
    got = {(f["code"], f["severity"]) for f in result["flags"]}
    if want - got:
        problems.append(
            "missing flags: " + ", ".join(f"{c} ({s})" for c, s in sorted(want - got))
        )
    if got - want:
        problems.append(
            "unexpected flags: "
            + ", ".join(f"{c} ({s})" for c, s in sorted(got - want))
        )
    fired = {code for code, _ in got}
    forbidden = sorted(c for c in expected.get("must_not_fire", []) if c in fired)
    if forbidden:
        problems.append("must_not_fire fired: " + ", ".join(forbidden))
    not_evaluable = {item["code"] for item in result["not_evaluable"]}
    absent = [c for c in expected.get("not_evaluable", []) if c not in not_evaluable]
    if absent:
        problems.append("not reported as not evaluable: " + ", ".join(absent))
    derived = result.get("derived") or {}
    for key, value in expected.get("derived", {}).items():
        actual = derived.get(key, _MISSING)
        if actual is _MISSING or not _same(actual, value):
            problems.append(f"derived.{key} differs")
    return problems


def expectation_from_result(
    result: dict[str, Any], *, previous: dict[str, Any], why: str
) -> dict[str, Any]:
    """A result as an expected file, checking the same derived names as before."""
    fired = {flag["code"] for flag in result["flags"]}
    derived = result.get("derived") or {}
    return {
        **{
            key: previous[key]
            for key in ("id", "title", "narrative")
            if key in previous
        },
        "outcome": result["outcome"],
        "flags": [
            {"code": flag["code"], "severity": flag["severity"], "why": why}
            for flag in sorted(result["flags"], key=lambda f: f["code"])
        ],
        "must_not_fire": [
            code for code in previous.get("must_not_fire", []) if code not in fired
        ],
        "not_evaluable": sorted(item["code"] for item in result["not_evaluable"]),
        "derived": {
            key: derived[key] for key in previous.get("derived", {}) if key in derived
        },
    }


def current_expectation(
    case: ClinicTestCase, ruleset: RulesetVersion
) -> TestCaseExpectation:
    """The newest expectation that holds for this ruleset.

    That is one approved for it, or for a version that was published (an approval for a
    discarded draft never counts), or the one the case was loaded with.
    """
    expectations = [e for e in case.expectations.all() if _holds_for(e, ruleset)]
    return max(expectations, key=lambda e: (e.approved_at, e.pk))


def _holds_for(expectation: TestCaseExpectation, ruleset: RulesetVersion) -> bool:
    if expectation.ruleset_id is None or expectation.ruleset_id == ruleset.pk:
        return True
    approved_for = expectation.ruleset
    assert approved_for is not None  # noqa: S101 - checked just above
    if approved_for.status not in (
        RulesetVersion.Status.PUBLISHED,
        RulesetVersion.Status.SUPERSEDED,
    ):
        return False
    # A published version sees only what was published before it; a draft sees all.
    if ruleset.published_at is None or approved_for.published_at is None:
        return ruleset.published_at is None
    return approved_for.published_at <= ruleset.published_at


def list_cases(clinic: Clinic) -> list[ClinicTestCase]:
    return list(
        ClinicTestCase.objects.filter(clinic=clinic).prefetch_related(
            "expectations__ruleset", "expectations__approved_by"
        )
    )


def run_clinic_tests(ruleset: RulesetVersion) -> list[CaseResult]:
    """Screen each test case of the ruleset's clinic; compare with its expectation."""
    assert ruleset.clinic is not None  # noqa: S101 - the default has no clinic cases
    compiled = rulesets.get_engine_ruleset(ruleset)
    results = []
    for case in list_cases(ruleset.clinic):
        expectation = current_expectation(case, ruleset)
        _, result = screenings.run_engine(case.document, compiled)
        results.append(
            CaseResult(
                case=case,
                expectation=expectation,
                result=result,
                problems=compare(expectation.expected, result),
            )
        )
    return results


@transaction.atomic
def do_approve_expectation(
    case: ClinicTestCase,
    *,
    draft: RulesetVersion,
    reason: str,
    by: User,
) -> TestCaseExpectation:
    """Approve the draft's result for this case as its expectation, with a reason."""
    drafts.refuse_unless_draft(draft)
    _, result = screenings.run_engine(case.document, rulesets.get_engine_ruleset(draft))
    previous = current_expectation(case, draft).expected
    expectation = TestCaseExpectation.objects.create(
        test_case=case,
        ruleset=draft,
        expected=expectation_from_result(
            result,
            previous=previous,
            why=f"Approved for {draft.display_label}: {reason}",
        ),
        reason=reason,
        approved_by=by,
        approved_at=timezone.now(),
    )
    audit.record(
        audit.Event.RULESET_EDITED,
        actor=by,
        clinic=draft.clinic,
        target=expectation,
        category="ruleset",
        object_version=draft.revision,
        detail={"test_case": case.pk, "change": "expectation_approved"},
        # The reason is free text: it stays on the expectation row (F6).
        reason=f"expectation:{expectation.pk}",
    )
    return expectation


def read_case_files(
    directory: Path,
) -> list[tuple[Path, dict[str, Any], dict[str, Any]]]:
    """Every DIR/*.json intake/1 document with its DIR/expected/<same name>.json."""
    cases = []
    for path in sorted(directory.glob("*.json")):
        expected_path = directory / "expected" / path.name
        try:
            document = intake_format.load_document(path.read_bytes(), today=None)
        except intake_format.DocumentInvalid as error:
            issues = "; ".join(f"{i.path}: {i.message}" for i in error.issues[:3])
            raise TestCaseFileError(
                f"{path.name} is not a valid intake/1 document: {issues}"
            ) from error
        try:
            expected = json.loads(expected_path.read_text(), parse_float=Decimal)
        except (OSError, RecursionError, ValueError) as error:
            raise TestCaseFileError(
                f"{path.name}: no readable expected/{path.name}"
            ) from error
        problems = expected_file_problems(expected)
        if problems:
            raise TestCaseFileError(f"expected/{path.name}: {problems[0]}")
        if "patient" in document:
            raise TestCaseFileError(
                f"{path.name} names a patient: test cases are fictional and anonymous"
            )
        cases.append((path, document, expected))
    return cases


def expected_file_problems(expected: Any) -> list[str]:
    """Check an expected file's shape as check.py does."""
    if not isinstance(expected, dict):
        return ["it is not a JSON object"]
    problems = []
    for key, kind in (
        ("outcome", str),
        ("flags", list),
        ("must_not_fire", list),
        ("derived", dict),
    ):
        if not isinstance(expected.get(key), kind):
            problems.append(f'"{key}" is missing or not a {kind.__name__}')
    if not isinstance(expected.get("not_evaluable", []), list):
        problems.append('"not_evaluable" is not a list')
    for flag in expected.get("flags") or []:
        if not (
            isinstance(flag, dict)
            and isinstance(flag.get("code"), str)
            and isinstance(flag.get("severity"), str)
        ):
            problems.append("a flag entry has no code and severity")
    return problems


@transaction.atomic
def do_load_test_cases(
    clinic: Clinic, directory: Path, *, by: User | None = None
) -> tuple[list[ClinicTestCase], list[str]]:
    """Add the directory's cases to the clinic's test set; known ids are skipped."""
    added, skipped = [], []
    now = timezone.now()
    for path, document, expected in read_case_files(directory):
        code = str(expected.get("id") or path.stem.split("-", 1)[0])
        if ClinicTestCase.objects.filter(clinic=clinic, code=code).exists():
            skipped.append(code)
            continue
        case = ClinicTestCase.objects.create(
            clinic=clinic,
            code=code,
            title=str(expected.get("title", path.stem))[:300],
            narrative=str(expected.get("narrative", "")),
            document=document,
            created_by=by,
        )
        TestCaseExpectation.objects.create(
            test_case=case,
            expected=expected,
            reason=f"Loaded from {path.name}",
            approved_by=by,
            approved_at=now,
        )
        added.append(case)
    if added:
        audit.record(
            audit.Event.RULESET_EDITED,
            actor=by,
            clinic=clinic,
            category="ruleset",
            detail={"change": "test_cases_loaded", "count": len(added)},
        )
    return added, skipped
