import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_it_imports_the_declaration_without_django():
    code = (
        "import importlib, pkgutil, sys, screening.questionnaire as q\n"
        "for m in pkgutil.walk_packages(q.__path__, 'screening.questionnaire.'):\n"
        "    importlib.import_module(m.name)\n"
        "sys.exit('django' in sys.modules)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, check=False
    )
    assert run.returncode == 0, run.stderr
