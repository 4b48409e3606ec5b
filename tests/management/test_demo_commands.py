"""The demo commands say where the app runs and fail with a message, not a traceback."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def test_it_prints_the_port_the_demo_is_served_on(settings, db):
    settings.DEBUG = True
    printed = StringIO()

    call_command("setup_demo", "--port", "8123", stdout=printed)

    assert "Log in at http://127.0.0.1:8123/ as:" in printed.getvalue()
    assert ":8000" not in printed.getvalue()


def test_it_passes_the_served_port_to_setup_demo_in_scripts_run():
    script = (ROOT / "scripts/run").read_text()

    assert 'setup_demo --port "$port"' in script
    assert 'runserver "127.0.0.1:$port"' in script


def test_it_ends_demo_totp_without_debug_in_a_clear_error_not_a_traceback():
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE")
    }

    run = subprocess.run(
        [sys.executable, "manage.py", "demo_totp", "democlinician"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert "SECRET_KEY" in run.stderr
    assert "run with DEBUG=true" in run.stderr
