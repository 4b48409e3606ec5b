"""T-SCAN-03 (light): ruff's flake8-bandit rules over the app and its settings.

bandit itself is not installed; ruff's S rules are its port. Every `# noqa: S...` in
the code carries its reason after a dash, as a `# nosec` would."""

import json
import re
import subprocess
import sys
from pathlib import Path

from tests.security.conftest import ROOT

SCANNED = ("screening", "config", "devtools")
SUPPRESSION = re.compile(r"#\s*(noqa:[\sA-Z0-9,]*\bS\d+|nosec)")
# After the codes: a dash and words, as in the assertions of screening/services/.
REASON = re.compile(r"#\s*(noqa:[\sA-Z0-9,]*|nosec)\s+-\s+\w")


def test_it_has_no_security_lint_findings__t_scan_03():
    run = subprocess.run(
        [
            str(Path(sys.executable).parent / "ruff"),  # the suite's own environment
            "check",
            "--select",
            "S",
            "--output-format",
            "json",
            "--exit-zero",
            *SCANNED,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    findings = [
        f"{f['filename']}:{f['location']['row']} {f['code']} {f['message']}"
        for f in json.loads(run.stdout)
    ]
    assert findings == []


def test_it_gives_a_reason_for_every_security_suppression__t_scan_03():
    bare = []
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if SUPPRESSION.search(line) and not REASON.search(line):
                    bare.append(f"{path.relative_to(ROOT)}:{number}")
    assert bare == []
