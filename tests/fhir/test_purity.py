import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_it_builds_fhir_without_django():
    code = (
        "import importlib, pkgutil, sys, screening.fhir as f\n"
        "for m in pkgutil.walk_packages(f.__path__, 'screening.fhir.'):\n"
        "    importlib.import_module(m.name)\n"
        "from screening.fhir.questionnaire import questionnaire\n"
        "questionnaire()\n"
        "sys.exit('django' in sys.modules)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, check=False
    )
    assert run.returncode == 0, run.stderr
