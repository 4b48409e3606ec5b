import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_it_imports_the_engine_without_django():
    code = (
        "import importlib, pkgutil, sys, screening.engine as e\n"
        "for m in pkgutil.walk_packages(e.__path__, 'screening.engine.'):\n"
        "    importlib.import_module(m.name)\n"
        "sys.exit('django' in sys.modules)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, check=False
    )
    assert run.returncode == 0, run.stderr


def test_it_keeps_the_screening_package_init_empty():
    assert (ROOT / "screening" / "__init__.py").read_text().strip() == ""
