import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "engine" / "cases"
CASE_FILES = sorted(CASES.glob("*.json"))


def run_screen(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the command as a user would: a new process, no environment set up."""
    return subprocess.run(
        [sys.executable, "manage.py", "screen", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )


@pytest.mark.parametrize("case", CASE_FILES, ids=lambda path: path.stem)
def test_it_prints_the_expected_result_as_one_json_object(case):
    expected = json.loads((CASES / "expected" / case.name).read_text())
    run = run_screen(str(case), "--format", "json")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["outcome"] == expected["outcome"]
    assert {(flag["code"], flag["severity"]) for flag in result["flags"]} == {
        (flag["code"], flag["severity"]) for flag in expected["flags"]
    }
    assert result["ruleset_version"] == "default-1"
    for flag in result["flags"]:
        assert flag["source"]["title"]
        assert "answers" in flag["evidence"]


def test_it_prints_a_readable_text_summary():
    run = run_screen(str(CASE_FILES[0]))
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("Outcome: NEEDS CLINICIAN REVIEW")
    assert "REPRO-PREGNANT" in run.stdout
    assert "Not evaluable:" in run.stdout


def test_it_refuses_an_invalid_document_with_every_error_and_exit_2(tmp_path):
    document = json.loads(CASE_FILES[0].read_text())
    document["vitals"]["bp_systolic"] = 900
    document["intake_date"] = "2026-02-30"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document))
    run = run_screen(str(bad), "--format", "json")
    assert run.returncode == 2
    assert run.stdout == ""
    assert "vitals.bp_systolic" in run.stderr
    assert "intake_date" in run.stderr
    assert "Traceback" not in run.stderr


def test_it_refuses_malformed_json_with_exit_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "intake/1", "format": "intake/1"}')
    run = run_screen(str(bad))
    assert run.returncode == 2
    assert "Traceback" not in run.stderr


@pytest.mark.django_db
def test_it_screens_with_a_published_ruleset_from_the_database(capsys):
    call_command(
        "screen", str(CASE_FILES[0]), "--format", "json", "--ruleset", "default-1"
    )
    assert json.loads(capsys.readouterr().out)["ruleset_version"] == "default-1"


@pytest.mark.django_db
def test_it_refuses_an_unknown_ruleset():
    with pytest.raises(CommandError, match="no published ruleset") as refused:
        call_command("screen", str(CASE_FILES[0]), "--ruleset", "nowhere-9")
    assert refused.value.returncode == 2


@pytest.mark.django_db
def test_it_refuses_a_stored_ruleset_whose_condition_is_now_refused__f4():
    from screening.services import rulesets

    document = json.loads(json.dumps(rulesets.default_ruleset_document()))
    document["version"] = "old-1"
    document["rules"][0]["expression"] = "madrs_total > 1e5000"
    rulesets.do_load_ruleset_document(
        document, clinic=None, label="old-1", status="published"
    )

    with pytest.raises(CommandError, match="Write numbers in plain digits") as refused:
        call_command("screen", str(CASE_FILES[0]), "--ruleset", "old-1")
    assert refused.value.returncode == 2
