"""Production settings install no development tool (F14).

bench_session mints OTP-verified sessions without a password and generate_intakes
writes test data: both live in devtools/, which config/settings.py installs only with
DEBUG=true or DEVTOOLS=true, and which nothing in screening/ imports.
"""

import json
import subprocess
import sys

from tests.security.conftest import ROOT, production_env, run_python

DEVTOOLS_COMMANDS = {"bench_session", "generate_intakes"}

_IMPORT_EVERY_MODULE = """
import importlib, json, pkgutil, sys
import django
django.setup()
import screening, config.urls, config.wsgi
for module in pkgutil.walk_packages(screening.__path__, "screening."):
    if ".migrations." not in module.name:
        importlib.import_module(module.name)
print(json.dumps(sorted(sys.modules)))
"""


def _commands(env: dict[str, str]) -> set[str]:
    run = subprocess.run(
        [sys.executable, "manage.py", "help", "--commands"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return set(run.stdout.split())


def test_it_has_no_bench_session_or_generate_intakes_in_production__f14():
    assert _commands(production_env()) & DEVTOOLS_COMMANDS == set()
    # The same settings with the development switch have them (the check can fail).
    assert _commands(production_env(DEVTOOLS="true")) >= DEVTOOLS_COMMANDS
    assert _commands(production_env(DEBUG="true")) >= DEVTOOLS_COMMANDS


def test_it_imports_no_generated_data_code_in_production__f14():
    run = run_python(_IMPORT_EVERY_MODULE, production_env())
    assert run.returncode == 0, run.stderr
    modules = json.loads(run.stdout.splitlines()[-1])
    assert "screening.signals" in modules  # the whole app was imported
    ours = [m for m in modules if m.split(".")[0] in ("screening", "devtools")]
    assert [m for m in ours if m.startswith("devtools") or "generated" in m] == []


def test_it_fails_check_deploy_when_devtools_are_installed():
    run = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(DEVTOOLS="true"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode != 0
    assert "devtools.W001" in run.stderr + run.stdout
