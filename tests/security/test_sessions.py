import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from screening.models import AuditEvent, RescreenJob
from screening.services import rulesets
from tests.conftest import logged_in_client
from tests.security.conftest import PASSWORD
from tests.security.routes import ROLES, ROUTES, all_patterns

pytestmark = pytest.mark.django_db

START = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
LOGOUT_FORM = re.compile(r'<form method="post" action="/logout/"')


def _login(user) -> Client:
    client = Client()
    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def _sent_to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(
        reverse("login")
    )


def test_it_ends_an_idle_session_after_15_minutes__t_ses_01(
    time_machine, member, clinic
):
    time_machine.move_to(START, tick=False)
    user = member(clinic, "intake_staff")
    client = _login(user)
    home = reverse("screening:home")
    time_machine.shift(timedelta(minutes=14))
    assert client.get(home).status_code == 200
    time_machine.shift(timedelta(minutes=14))
    assert client.get(home).status_code == 200
    time_machine.shift(timedelta(minutes=16))
    assert _sent_to_login(client.get(home))
    assert _sent_to_login(client.get(home))
    rows = AuditEvent.objects.filter(action="auth.timeout", actor=user)
    assert rows.count() == 1
    assert rows.get().detail == {"limit": "idle"}


def _expiry(client) -> datetime:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_it_saves_the_session_at_most_once_a_minute_of_requests__t_cfg_02(
    time_machine, member, clinic
):
    time_machine.move_to(START, tick=False)
    client = _login(member(clinic, "intake_staff"))
    home = reverse("screening:home")
    client.get(home)
    saved = _expiry(client)
    for _ in range(5):  # five requests within the minute: no save
        time_machine.shift(timedelta(seconds=11))
        assert client.get(home).status_code == 200
        assert _expiry(client) == saved
    time_machine.shift(timedelta(seconds=5))  # 60 s after the save
    client.get(home)
    assert _expiry(client) == saved + timedelta(seconds=60)


def test_it_never_lets_the_idle_limit_run_beyond_15_minutes_after_a_request__t_ses_01(
    time_machine, member, clinic
):
    time_machine.move_to(START, tick=False)
    client = _login(member(clinic, "intake_staff"))
    home = reverse("screening:home")
    client.get(home)
    time_machine.shift(timedelta(seconds=59))
    response = client.get(home)  # not saved: the limit stays at the last save's
    assert _expiry(client) <= START + timedelta(seconds=59, minutes=15)
    # The page times its warning from what is stored, not from a fresh 15 minutes.
    assert 'data-session-age="841"' in response.content.decode()
    assert response["X-Idle-Seconds-Left"] == "841"
    time_machine.shift(timedelta(minutes=14, seconds=2))  # 15 min 1 s after the save
    assert _sent_to_login(client.get(home))


def test_it_ends_any_session_12_hours_after_login__t_ses_02(
    time_machine, member, clinic
):
    time_machine.move_to(START, tick=False)
    user = member(clinic, "intake_staff")
    client = _login(user)
    home = reverse("screening:home")
    for _ in range(71):  # every 10 minutes up to 11 h 50 min
        time_machine.shift(timedelta(minutes=10))
        assert client.get(home).status_code == 200
    time_machine.shift(timedelta(minutes=10, seconds=1))
    assert _sent_to_login(client.get(home))
    row = AuditEvent.objects.get(action="auth.timeout", actor=user)
    assert row.detail == {"limit": "absolute"}


def test_it_logs_out_only_by_post_and_forgets_the_session__t_ses_03(member, clinic):
    user = member(clinic, "intake_staff")
    client = _login(user)
    old_cookie = client.cookies["sessionid"].value
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    replay = Client()
    replay.cookies["sessionid"] = old_cookie
    assert _sent_to_login(replay.get(reverse("screening:home")))
    assert AuditEvent.objects.filter(action="auth.logout", actor=user).count() == 1


def test_it_offers_a_post_logout_form_on_every_page__t_ses_03(client_as, world):
    pages = 0
    for role in ROLES:
        client = client_as(role)
        client.raise_request_exception = False
        for pattern in all_patterns():
            route = ROUTES.get(pattern.name)
            if route is None:
                continue  # T-AC-02 fails for a URL missing from the table
            if pattern.name.startswith("tablet:"):
                continue  # the patient's tablet pages carry no staff session (#17)
            kwargs = route.url_kwargs(world["own"])
            response = client.get(reverse(pattern.name, kwargs=kwargs))
            content_type = response.get("Content-Type", "")
            if response.status_code != 200 or not content_type.startswith("text/html"):
                continue
            pages += 1
            assert LOGOUT_FORM.search(response.content.decode()), (role, pattern.name)
    assert pages >= 10


def test_it_ends_the_sessions_of_a_deactivated_user__t_ses_04(member, clinic):
    user = member(clinic, "intake_staff")
    client = _login(user)
    before = AuditEvent.objects.filter(action="user.privilege_changed").count()
    user.is_active = False
    user.save()
    assert _sent_to_login(client.get(reverse("screening:home")))
    rows = AuditEvent.objects.filter(action="user.privilege_changed")
    assert rows.count() == before + 1
    assert rows.last().detail == {"is_active": False}


def test_it_ends_every_session_of_a_user__t_ses_05(member, clinic):
    user = member(clinic, "intake_staff")
    other = member(clinic, "intake_staff")
    first, second, bystander = _login(user), _login(user), _login(other)
    call_command("end_sessions", user.username, stdout=StringIO())
    assert _sent_to_login(first.get(reverse("screening:home")))
    assert _sent_to_login(second.get(reverse("screening:home")))
    assert bystander.get(reverse("screening:home")).status_code == 200
    left = [
        s
        for s in Session.objects.all()
        if s.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    assert left == []
    row = AuditEvent.objects.get(action="user.sessions_ended")
    assert row.detail == {"count": 2}


def test_it_lets_the_health_check_and_progress_poll_not_renew_the_idle_timer__info_idle_timer(  # noqa: E501
    time_machine, member, clinic
):
    time_machine.move_to(START, tick=False)
    user = member(clinic, "rule_admin")
    job = RescreenJob.objects.create(
        clinic=clinic,
        ruleset=rulesets.do_install_default_ruleset(),
        total=1,
        created_by=user,
    )
    client = logged_in_client(user)  # OTP-verified, as a rule admin must be
    session = client.session
    session["login_at"] = START.timestamp()
    session.save()
    key = client.session.session_key
    assert client.get(reverse("screening:home")).status_code == 200
    expires = Session.objects.get(session_key=key).expire_date
    progress = reverse("screening:rescreen-job-progress", args=[job.pk])
    for _ in range(3):  # a page left open polls, and a monitor checks health
        time_machine.shift(timedelta(minutes=4))
        assert client.get(progress).status_code == 200
        assert client.get(reverse("screening:health")).status_code == 200
        assert Session.objects.get(session_key=key).expire_date == expires
    time_machine.shift(timedelta(minutes=4))  # 16 minutes without a real request
    assert _sent_to_login(client.get(reverse("screening:home")))


def test_it_renews_the_idle_timer_when_a_person_asks_to_stay_logged_in(
    time_machine, member, clinic
):
    time_machine.move_to(START, tick=False)
    user = member(clinic, "intake_staff")
    client = logged_in_client(user)
    session = client.session
    session["login_at"] = START.timestamp()
    session.save()
    key = client.session.session_key
    assert client.get(reverse("screening:home")).status_code == 200
    expires = Session.objects.get(session_key=key).expire_date
    time_machine.shift(timedelta(minutes=14))  # the warning's "Stay logged in"
    assert client.get(reverse("screening:session-renew")).status_code == 200
    assert Session.objects.get(session_key=key).expire_date == expires + timedelta(
        minutes=14
    )
    time_machine.shift(timedelta(minutes=14))  # 28 minutes after the page, 14 idle
    assert client.get(reverse("screening:home")).status_code == 200


class _Transactions:
    """Each statement a request runs and the transaction it runs in (the outermost
    atomic block open, None in autocommit)."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, int | None]] = []

    def __call__(self, execute, sql, params, many, context):
        blocks = context["connection"].atomic_blocks
        self.statements.append((sql, id(blocks[0]) if blocks else None))
        return execute(sql, params, many, context)

    def of(self, table: str, verb: str) -> list[int | None]:
        return [
            block
            for sql, block in self.statements
            if sql.lstrip().startswith(verb) and f'"{table}"' in sql
        ]


@pytest.mark.django_db(transaction=True)
def test_it_appends_a_pages_audit_row_in_the_commit_that_saves_the_session(
    time_machine, member, clinic
):
    from django.db import connection

    from tests.factories import PatientFactory

    time_machine.move_to(START, tick=False)
    client = _login(member(clinic, "intake_staff"))
    patient = PatientFactory(clinic=clinic)
    time_machine.shift(timedelta(seconds=61))  # the session's save is due
    transactions = _Transactions()
    with connection.execute_wrapper(transactions):
        response = client.get(reverse("screening:patient-detail", args=[patient.pk]))
    assert response.status_code == 200
    [session_update] = transactions.of("django_session", "UPDATE")
    [audit_insert] = transactions.of("screening_auditevent", "INSERT")
    assert session_update is not None
    assert audit_insert == session_update
    assert not [sql for sql, _ in transactions.statements if "SAVEPOINT" in sql]
    assert AuditEvent.objects.filter(action="patient.viewed", patient=patient).exists()


@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_audit_rows_of_a_request_whose_session_was_ended_meanwhile(
    member, clinic
):
    from django.contrib.sessions.exceptions import SessionInterrupted
    from django.http import HttpResponse
    from django.test import RequestFactory

    from screening import audit
    from screening.middleware import RENEWED_AT_SESSION_KEY, SlidingSessionMiddleware

    user = member(clinic, "intake_staff")
    key = _login(user).session.session_key

    def view(request):  # logged out in another tab while this page was built
        request.session[RENEWED_AT_SESSION_KEY] = 0
        Session.objects.filter(session_key=key).delete()
        audit.record(audit.Event.ACCESS_DENIED, actor=user, clinic=clinic)
        return HttpResponse("page")

    request = RequestFactory().get("/")
    request.COOKIES["sessionid"] = key
    with pytest.raises(SessionInterrupted):
        SlidingSessionMiddleware(view)(request)
    assert AuditEvent.objects.filter(action="access.denied", actor=user).count() == 1
