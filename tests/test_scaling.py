"""Beyond one machine (docs/scaling.md): two app processes, one PostgreSQL, one worker.

Each app process is gunicorn with production settings (the same SECRET_KEY, sessions in
the database) on its own loopback port: a session made by logging in on one is accepted
by the other. A task enqueued by an app process (the re-screen a publish starts) is run
by `manage.py db_worker` in a process of its own. PostgreSQL only: the processes share
the committed test database.
"""

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from devtools import generated
from screening.models import Intake, RescreenJob, RulesetVersion
from screening.services import rulesets
from tests.factories import ClinicFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the processes share a committed PostgreSQL database",
)

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct horse battery staple"
SECRET_KEY = secrets.token_urlsafe(50)  # one key for every app process


def database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return (
        f"postgres://{s['USER']}{password}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"
    )


def production_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "HTTPS_ONLY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url(),
        TRUST_X_FORWARDED_PROTO="true",
        STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        RESCREEN_PROCESSES="1",
        LOG_LEVEL="WARNING",
    )
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def request(
    port: int, method: str, path: str, *, cookies: dict[str, str], body: str = ""
) -> http.client.HTTPResponse:
    """One request as the TLS proxy forwards it (X-Forwarded-Proto: https)."""
    headers = {
        "X-Forwarded-Proto": "https",
        "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
    }
    if method == "POST":
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Origin"] = f"https://127.0.0.1:{port}"
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    client.request(method, path, body=body, headers=headers)
    response = client.getresponse()
    response.read()
    for header in response.headers.get_all("Set-Cookie") or []:
        name, value = header.split(";", 1)[0].split("=", 1)
        cookies[name] = value
    return response


@contextmanager
def app_process(env: dict[str, str]) -> Iterator[int]:
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--no-control-socket",  # gunicorn's default path is one per machine
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if request(port, "GET", "/healthz", cookies={}).status == 200:
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


@pytest.fixture
def staff(transactional_db):
    clinic = ClinicFactory(name="Clinic A", slug="clinic-a")
    user = UserFactory(username="intake")
    # The app processes check with Argon2/PBKDF2 (the tests' fast hasher is not theirs).
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "salt", iterations=1000)
    user.save(update_fields=["password"])
    MembershipFactory(user=user, clinic=clinic, role="intake_staff")
    return user


def test_it_accepts_a_session_made_by_another_app_process(staff):
    env = production_env()
    with app_process(env) as first, app_process(env) as second:
        cookies: dict[str, str] = {}
        page = request(first, "GET", "/login/", cookies=cookies)
        assert page.status == 200
        token = cookies["__Host-csrftoken"]
        login = request(
            first,
            "POST",
            "/login/",
            cookies=cookies,
            body=f"username=intake&password={PASSWORD.replace(' ', '+')}"
            f"&csrfmiddlewaretoken={token}",
        )
        assert login.status == 302, login.status
        assert "__Host-sessionid" in cookies

        on_second = request(second, "GET", "/patients/", cookies=dict(cookies))
        anonymous = request(second, "GET", "/patients/", cookies={})

    assert on_second.status == 200
    assert anonymous.status == 302
    assert re.match(r"^/login/", anonymous.headers["Location"])


def test_the_worker_process_runs_a_task_an_app_process_enqueued(staff):
    clinic = staff.memberships.get().clinic
    generated.do_generate_intakes(clinic, 30, seed=2, by=staff)
    document = rulesets.ruleset_document(rulesets.do_install_default_ruleset())
    published = rulesets.do_load_ruleset_document(
        document, clinic=clinic, label="clinic-a-1", status="published"
    )
    env = production_env()
    worker = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--interval",
            "0.2",
            "--no-startup-delay",
            "--max-tasks",
            "1",
            "--no-reload",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        # An app process publishes: the re-screen is queued once its job commits.
        enqueue = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                "from screening.models import RulesetVersion as R; "
                "from screening.services import rescreen; "
                f"ruleset = R.objects.get(pk={published.pk}); "
                "rescreen.do_start_rescreen(ruleset, by=None)",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert enqueue.returncode == 0, enqueue.stderr
        worker.wait(timeout=120)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)

    job = RescreenJob.objects.get(ruleset=published)
    assert job.task_id
    assert (job.status, job.done) == ("finished", 30)
    assert not Intake.objects.exclude(current_screening__ruleset=published).exists()
    assert RulesetVersion.objects.get(pk=published.pk).status == "published"
