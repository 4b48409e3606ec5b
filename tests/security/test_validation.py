import json
import logging
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from screening.logs import JsonFormatter
from screening.models import AuditEvent
from tests.security.conftest import ROOT
from tests.security.routes import OK, ROLES, ROUTES

pytestmark = pytest.mark.django_db

CSRF_SECRET = "a" * 32  # an unmasked 32-character token is accepted as is
FORM_ROUTES = sorted(name for name, route in ROUTES.items() if route.is_form)


def _form_url(name, world):
    return reverse(name, kwargs=ROUTES[name].url_kwargs(world["own"]))


def _client_for_route(name, client_as):
    route = ROUTES[name]
    if route.anonymous == OK:
        client = Client()
    else:
        role = next((r for r in ROLES if route.status(r) == OK), "clinician")
        client = client_as(role)
    client.raise_request_exception = False
    return client


def test_it_has_no_injection_findings__t_val_03():
    run = subprocess.run(
        [
            str(Path(sys.executable).parent / "ruff"),  # the suite's own environment
            "check",
            "--select",
            "S",
            "--output-format",
            "json",
            "--exit-zero",
            "screening",
            "config",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    findings = json.loads(run.stdout)
    injections = [
        f"{f['filename']}:{f['location']['row']} {f['code']}"
        for f in findings
        if f["code"] == "S608" or f["code"].startswith("S3")
    ]
    assert injections == []


def test_it_finds_nothing_for_an_sql_injection_search__t_val_03(client_as, world):
    response = client_as("intake_staff").post(
        reverse("screening:patient-list"), {"q": "' OR 1=1--"}
    )
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
    row = AuditEvent.objects.filter(action="patient.searched").last()
    assert row.detail["result_count"] == 0


@pytest.mark.parametrize("name", FORM_ROUTES)
def test_it_refuses_a_post_without_csrf_token__t_val_06(name, client_as, world, caplog):
    client = _client_for_route(name, client_as)
    client.handler.enforce_csrf_checks = True
    with caplog.at_level(logging.WARNING, logger="django.security.csrf"):
        response = client.post(_form_url(name, world), {"anything": "1"})
    assert response.status_code == 403
    csrf_records = [r for r in caplog.records if r.name == "django.security.csrf"]
    assert len(csrf_records) == 1


def _with_token(client):
    client.handler.enforce_csrf_checks = True
    client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_SECRET
    return {"csrfmiddlewaretoken": CSRF_SECRET}


@pytest.mark.parametrize("name", FORM_ROUTES)
def test_it_refuses_too_many_fields_and_huge_bodies__t_val_07(name, client_as, world):
    client = _client_for_route(name, client_as)
    url = _form_url(name, world)
    token = _with_token(client)
    many = {**token, **{f"field{i}": "x" for i in range(1001)}}
    assert client.post(url, many).status_code == 400
    huge = urlencode({**token, "blob": "x" * (2_621_440 + 1)})
    response = client.post(url, huge, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


def test_it_writes_one_escaped_log_line_for_a_forged_username__t_val_08(caplog, db):
    Client().get(reverse("login"))  # imports everything a first request loads
    with caplog.at_level(logging.DEBUG):
        response = Client().post(
            reverse("login"), {"username": "bob\nINFO forged", "password": "x" * 12}
        )
    assert response.status_code == 200
    assert len(caplog.records) == 1
    line = JsonFormatter().format(caplog.records[0])
    assert "\n" not in line
    assert json.loads(line)["message"] == "login failed"
    # Whatever a line carries, a newline in it stays escaped inside the one line.
    forged = logging.makeLogRecord({"msg": "user %s", "args": ("bob\nINFO forged",)})
    line = JsonFormatter().format(forged)
    assert "\n" not in line
    assert "bob\\nINFO forged" in line


def test_it_answers_a_csrf_failure_with_our_own_403_page__info_csrf(client_as):
    client = client_as("intake_staff")
    client.handler.enforce_csrf_checks = True
    response = client.post(reverse("screening:patient-list"), {"q": "x"})
    assert response.status_code == 403
    body = response.content.decode()
    # Django's own page styles itself inline, which our CSP blocks.
    assert "<style" not in body
    assert 'style="' not in body
    assert "CSRF verification failed" not in body
    assert "reload the page" in body
    assert "no-store" in response["Cache-Control"]
