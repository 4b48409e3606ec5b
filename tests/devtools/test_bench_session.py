"""manage.py bench_session: an audited, OTP-verified session for a load test only."""

import io
import json

import pytest
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from screening import audit
from screening.models import AuditEvent
from tests.factories import TOTPDeviceFactory


def bench_session(*args: str) -> list[dict[str, str]]:
    out = io.StringIO()
    call_command("bench_session", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_it_refuses_without_the_benchmark_flag(clinician):
    TOTPDeviceFactory(user=clinician)

    with pytest.raises(CommandError, match="--i-am-a-benchmark"):
        bench_session("clinician")

    assert not Session.objects.exists()
    assert not AuditEvent.objects.filter(data_category="session").exists()


def test_it_refuses_a_clinician_without_a_confirmed_device(clinician):
    with pytest.raises(CommandError, match="second factor"):
        bench_session("clinician", "--i-am-a-benchmark")

    assert not Session.objects.exists()


def test_it_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="No active user"):
        bench_session("nobody", "--i-am-a-benchmark")


def test_it_gives_a_verified_session_that_reaches_the_worklist(clinician):
    TOTPDeviceFactory(user=clinician)

    [session] = bench_session("clinician", "--i-am-a-benchmark")

    client = Client()
    client.cookies[session["session_cookie"]] = session["session_key"]
    response = client.get(reverse("screening:review-worklist"))
    assert response.status_code == 200


def test_it_audits_a_bench_session_not_a_login__f14(clinician):
    TOTPDeviceFactory(user=clinician)

    bench_session("clinician", "--i-am-a-benchmark")

    [row] = AuditEvent.objects.filter(data_category="session")
    assert (row.action, row.actor_id) == ("auth.bench_session", clinician.pk)
    assert audit.Event(row.action).label == "Load-test session created"


def test_it_gives_a_csrf_token_that_a_post_carries(intake_staff, clinic):
    [session] = bench_session("intake", "--i-am-a-benchmark")

    client = Client(enforce_csrf_checks=True)
    client.cookies[session["session_cookie"]] = session["session_key"]
    client.cookies[session["csrf_cookie"]] = session["csrf_token"]
    response = client.post(
        reverse("screening:intake-import"),
        {"clinic": clinic.pk},
        HTTP_X_CSRFTOKEN=session["csrf_token"],
    )
    # Past the CSRF check: the form answers that no file was chosen.
    assert response.status_code == 200
    assert "Choose one or more" in response.text


def test_it_makes_as_many_sessions_as_asked(intake_staff):
    sessions = bench_session("intake", "--i-am-a-benchmark", "--count", "3")

    assert len({s["session_key"] for s in sessions}) == 3
    assert AuditEvent.objects.filter(action="auth.bench_session").count() == 3
