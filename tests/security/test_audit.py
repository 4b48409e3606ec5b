import csv
import io
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from screening import audit
from screening.models import AuditEvent, Membership, SectionRevision
from screening.models.audit import AuditLogIsAppendOnlyError
from screening.services import intakes
from tests.security.conftest import PASSWORD, ROOT, totp_code

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the trigger and the grants exist on PostgreSQL only",
)
START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
TRIGGER = "auditevent_append_only"
# (URL name, method, role, object of the world, expected event); a PHI route's reads
# and writes each write exactly one row.
PHI_ROUTES = [
    ("screening:patient-detail", "get", "intake_staff", "patient", "patient.viewed"),
    ("screening:intake-detail", "get", "intake_staff", "intake", "intake.viewed"),
    (
        "screening:intake-import-report",
        "get",
        "intake_staff",
        "imported_intake",
        "intake.viewed",
    ),
    ("screening:intake-clinician-edit", "get", "clinician", "intake", "intake.viewed"),
    ("screening:intake-export", "post", "intake_staff", "intake", "intake.exported"),
    ("screening:intake-fhir", "get", "clinician", "intake", "intake.exported"),
    ("screening:review-summary", "get", "clinician", "intake", "review.viewed"),
    ("screening:intake-rereview", "get", "clinician", "intake", "review.viewed"),
    ("screening:review-pdf", "post", "clinician", "intake", "review.printed"),
]
REQUIRED_FIELDS = (
    "occurred_at",
    "actor_id",
    "actor_username",
    "actor_role",
    "clinic_id",
    "patient_id",
    "data_category",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "request_id",
    "source_ip",
    "user_agent_hash",
)


def _run_verify():
    out = StringIO()
    try:
        call_command("verify_audit", stdout=out)
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


@pytest.mark.parametrize(("name", "method", "role", "obj", "action"), PHI_ROUTES)
def test_it_writes_one_complete_row_per_phi_request__t_aud_01(
    name, method, role, obj, action, client_as, world
):
    client = client_as(role)
    url = reverse(name, args=[world["own"][obj].pk])
    before = AuditEvent.objects.filter(action=action).count()
    response = getattr(client, method)(
        url,
        HTTP_X_FORWARDED_FOR="6.6.6.6",
        HTTP_USER_AGENT="Mozilla/5.0 test",
        REMOTE_ADDR="10.0.0.7",
    )
    assert response.status_code == 200
    rows = AuditEvent.objects.filter(action=action)
    assert rows.count() == before + 1
    row = rows.last()
    for field in REQUIRED_FIELDS:
        assert getattr(row, field) not in (None, ""), field
    assert row.request_id == response["X-Request-ID"]
    assert row.source_ip == "10.0.0.7"
    assert not AuditEvent.objects.filter(source_ip="6.6.6.6").exists()
    assert row.patient_id == world["own"]["patient"].pk


def test_it_points_an_update_at_the_history_that_rebuilds_it__t_aud_02(
    time_machine, world, member, clinic
):
    time_machine.move_to(START, tick=False)
    staff = member(clinic, "intake_staff")
    section = world["own"]["intake"].sections.get(kind="vitals")
    states = {}
    for systolic in (120, 135, 150):
        time_machine.shift(timedelta(hours=1))
        values = {
            "bp_systolic": systolic,
            "bp_diastolic": 80,
            "heart_rate": 70,
            "bmi": None,
        }
        intakes.do_save_section(
            section, values, missing_reasons={}, version=section.version, by=staff
        )
        states[datetime.now(UTC)] = values
    row = AuditEvent.objects.filter(action="intake.updated").last()
    revision = SectionRevision.objects.get(pk=int(row.object_id))
    assert row.object_type == "sectionrevision"
    assert revision.data["bp_systolic"] == 150
    previous = SectionRevision.objects.get(
        section=section, version=revision.version - 1
    )
    assert previous.data["bp_systolic"] == 135
    for moment, values in states.items():
        rebuilt = (
            SectionRevision.objects.filter(section=section, saved_at__lte=moment)
            .order_by("-version")
            .first()
        )
        assert rebuilt.data == values
        assert rebuilt.saved_by == staff


def _login(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def _count(action):
    return AuditEvent.objects.filter(action=action).count()


@pytest.mark.parametrize(
    "event",
    [
        "auth.login",
        "auth.login_failed",
        "auth.logout",
        "auth.locked_out",
        "auth.timeout",
        "auth.mfa_failed",
        "auth.password_changed",
        "user.privilege_changed",
    ],
)
def test_it_audits_each_authentication_event_once__t_aud_03(
    event, time_machine, member, clinic, other_clinic, device_for
):
    time_machine.move_to(START, tick=False)
    user = member(clinic, "intake_staff")
    client = Client()
    before = _count(event)
    if event == "auth.login":
        _login(client, user.username)
    elif event == "auth.login_failed":
        _login(client, user.username, "a wrong password")
    elif event == "auth.logout":
        _login(client, user.username)
        client.post(reverse("logout"))
    elif event == "auth.locked_out":
        for _ in range(7):
            _login(client, user.username, "a wrong password")
    elif event == "auth.timeout":
        _login(client, user.username)
        time_machine.shift(timedelta(minutes=16))
        client.get(reverse("screening:home"))
        client.get(reverse("screening:home"))
    elif event == "auth.mfa_failed":
        clinician = member(clinic, "clinician")
        device = device_for(clinician)
        _login(client, clinician.username)
        wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
        client.post(reverse("accounts-mfa-verify"), {"code": wrong})
    elif event == "auth.password_changed":
        user.set_password("another long passphrase")
        user.save()
    elif event == "user.privilege_changed":
        for change in ("role", "clinic", "deactivate", "activate", "revoke"):
            before = _count(event)
            membership = Membership.objects.get(user=user, clinic=clinic)
            if change == "role":
                membership.role = "clinician"
                membership.save()
            elif change == "clinic":
                Membership.objects.create(
                    user=user, clinic=other_clinic, role="auditor"
                )
            elif change in ("deactivate", "activate"):
                user.is_active = change == "activate"
                user.save()
            else:
                membership.delete()
            assert _count(event) == before + 1, change
        return
    assert _count(event) == before + 1


def test_it_refuses_every_orm_change_to_an_audit_row__t_aud_04(world):
    count = AuditEvent.objects.count()
    row = AuditEvent.objects.first()
    row.reason = "tampered"
    attempts = [
        row.save,
        row.delete,
        lambda: AuditEvent.objects.filter(pk=row.pk).update(reason="x"),
        lambda: AuditEvent.objects.filter(pk=row.pk).delete(),
        lambda: AuditEvent.objects.bulk_update([row], ["reason"]),
    ]
    for attempt in attempts:
        with pytest.raises(AuditLogIsAppendOnlyError):
            attempt()
    assert AuditEvent.objects.count() == count
    assert AuditEvent.objects.get(pk=row.pk).reason == ""


def _grants_sql(role: str) -> list[str]:
    text = (ROOT / "deploy/postgres_app_role.sql").read_text()
    lines = [line for line in text.splitlines() if not line.startswith("--")]
    return [
        s.strip()
        for s in "\n".join(lines).replace(':"app_role"', f'"{role}"').split(";")
        if s.strip()
    ]


@on_postgresql
def test_it_refuses_raw_sql_changes_on_postgresql__t_aud_04(world):
    count = AuditEvent.objects.count()
    update = "UPDATE screening_auditevent SET reason = 'x'"
    with connection.cursor() as cursor:
        for sql in (update, "DELETE FROM screening_auditevent"):
            with pytest.raises(DatabaseError), transaction.atomic():
                cursor.execute(sql)  # as the superuser CI connects as
        cursor.execute("CREATE ROLE audit_test_app NOLOGIN")
        for statement in _grants_sql("audit_test_app"):
            cursor.execute(statement)
        for sql in (update, "TRUNCATE screening_auditevent CASCADE"):
            with transaction.atomic():
                cursor.execute("SET LOCAL ROLE audit_test_app")
                with pytest.raises(DatabaseError), transaction.atomic():
                    cursor.execute(sql)
        with transaction.atomic():  # the role may still read and append
            cursor.execute("SET LOCAL ROLE audit_test_app")
            cursor.execute("SELECT count(*) FROM screening_auditevent")
            assert cursor.fetchone()[0] == count
    assert AuditEvent.objects.count() == count


def _switch_trigger(cursor, state):
    if connection.vendor == "postgresql":
        # ALTER TABLE refuses while deferred foreign-key checks are pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE screening_auditevent {state} TRIGGER {TRIGGER}")


def _tamper(sql, params):
    """Change audit rows as someone with database rights would: trigger off, on."""
    with connection.cursor() as cursor:
        _switch_trigger(cursor, "DISABLE")
        cursor.execute(sql, params)
        _switch_trigger(cursor, "ENABLE")


def test_it_verifies_the_chain_and_names_the_broken_link__t_aud_05(world):
    code, output = _run_verify()
    head = AuditEvent.objects.order_by("-seq").first()
    assert code == 0
    assert output.strip() == (
        f"audit chain ok: {AuditEvent.objects.count()} events, "
        f"head seq {head.seq} {head.row_hash}"
    )
    k = head.seq // 2
    with transaction.atomic():
        _tamper(
            "UPDATE screening_auditevent SET object_id = %s WHERE seq = %s", ["999", k]
        )
        code, output = _run_verify()
        transaction.set_rollback(True)
    assert code == 1
    assert (
        output.strip()
        == f"audit chain broken at seq {k}: row_hash does not match its contents"
    )
    with transaction.atomic():
        _tamper("DELETE FROM screening_auditevent WHERE seq = %s", [k])
        code, output = _run_verify()
        transaction.set_rollback(True)
    assert code == 1
    assert output.strip() == f"audit chain broken at seq {k + 1}: seq {k} missing"
    assert _run_verify()[0] == 0


def test_it_reports_a_rewritten_link__t_aud_05(world):
    row = AuditEvent.objects.order_by("seq")[2]
    forged = "f" * 64
    with transaction.atomic():
        _tamper(
            "UPDATE screening_auditevent SET prev_hash = %s WHERE seq = %s",
            [forged, row.seq],
        )
        row.prev_hash = forged
        _tamper(
            "UPDATE screening_auditevent SET row_hash = %s WHERE seq = %s",
            [audit.compute_row_hash(row), row.seq],
        )
        code, output = _run_verify()
        transaction.set_rollback(True)
    assert code == 1
    where = f"audit chain broken at seq {row.seq}"
    assert output.strip() == f"{where}: prev_hash does not match seq {row.seq - 1}"


def test_it_accepts_an_empty_log__t_aud_05(db):
    assert _run_verify() == (0, "audit chain ok: 0 events\n")


def _report(client, **params):
    return client.get(reverse("screening:audit-list"), params)


def test_it_filters_sorts_pages_and_exports_for_auditors__t_aud_06(
    time_machine, client_as, world, member, other_clinic
):
    later = datetime.now(UTC) + timedelta(days=2)
    time_machine.move_to(later, tick=False)
    auditor = client_as("auditor")
    staff = client_as("intake_staff")
    patient = world["own"]["patient"]
    stranger = world["other"]["patient"]
    staff.get(reverse("screening:patient-detail", args=[patient.pk]))
    outsider = member(other_clinic, "intake_staff", "outsider")
    Client().post(
        reverse("login"), {"username": outsider.username, "password": "nope-nope-nope"}
    )

    everything = _report(auditor)
    assert everything.status_code == 200
    shown = list(everything.context["page"].paginator.object_list)
    assert shown
    assert all(
        row.clinic_id in (None, world["own"]["patient"].clinic_id) for row in shown
    )
    assert not any(row.patient_id == stranger.pk for row in shown)
    assert not any(row.actor_username in ("outsider", "seed-b") for row in shown)

    by_patient = (
        _report(auditor, patient=patient.pk).context["page"].paginator.object_list
    )
    assert {row.patient_id for row in by_patient} == {patient.pk}
    by_action = (
        _report(auditor, action="patient.viewed").context["page"].paginator.object_list
    )
    assert [row.action for row in by_action] == ["patient.viewed"]
    by_user = (
        _report(auditor, user="intake_staff-user").context["page"].paginator.object_list
    )
    assert {row.actor_username for row in by_user} == {"intake_staff-user"}
    day = later.date().isoformat()
    by_date = (
        _report(auditor, date_from=day, date_to=day)
        .context["page"]
        .paginator.object_list
    )
    assert by_date
    assert all(row.occurred_at.date().isoformat() == day for row in by_date)
    refused = _report(auditor, date_from=day, date_to="2020-01-01")
    assert "date_to" in refused.context["form"].errors

    for column, _ in __import__("screening.forms.audit", fromlist=["COLUMNS"]).COLUMNS:
        for sort in (column, f"-{column}"):
            rows = list(
                _report(auditor, sort=sort).context["page"].paginator.object_list
            )
            keys = [getattr(row, column) for row in rows]
            present = [key for key in keys if key is not None]
            assert present == sorted(present, reverse=sort.startswith("-")), sort

    views = _count("audit.viewed")
    export = auditor.get(
        reverse("screening:audit-export"), {"action": "patient.viewed"}
    )
    assert export.status_code == 200
    assert export["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert lines[0][:2] == ["seq", "occurred_at"]
    assert len(lines) == 2
    assert _count("audit.exported") == 1
    assert _count("audit.viewed") == views

    for role in ("intake_staff", "clinician", "rule_admin"):
        assert _report(client_as(role)).status_code == 403
        assert client_as(role).get(reverse("screening:audit-export")).status_code == 403


def test_it_prefixes_formula_cells_in_the_export__t_aud_06(client_as, clinic):
    for name in ('=HYPERLINK("http://x")', "+1", "-1", "@x"):
        assert audit.csv_cell(name) == f"'{name}"
    get_user_model().objects.create_user("@evil", password=None)
    evil = get_user_model().objects.get(username="@evil")
    Membership.objects.create(user=evil, clinic=clinic, role="intake_staff")
    audit.record("auth.login", actor=evil)
    export = client_as("auditor").get(reverse("screening:audit-export"))
    text = b"".join(export.streaming_content).decode()
    assert ",'@evil," in text
    assert ",@evil," not in text


def test_it_audits_whatever_the_settings_say__t_aud_07(settings, client_as, world):
    names = [name for name in dir(settings) if name.startswith("AUDIT")]
    for name in [*names, "AUDIT_ENABLED", "AUDIT_LOG", "AUDITING", "AUDIT_READS"]:
        setattr(settings, name, False)
    before = _count("patient.viewed")
    response = client_as("intake_staff").get(
        reverse("screening:patient-detail", args=[world["own"]["patient"].pk])
    )
    assert response.status_code == 200
    assert _count("patient.viewed") == before + 1
    assert _count("audit.status_changed") == 0  # no switch exists to be used


def test_it_keeps_utc_times_in_chain_order__t_aud_09(time_machine, world):
    # The world was written now; the clock then steps back a day (NTP, a VM restore).
    for minutes in (1, 2, 2, 3):
        time_machine.move_to(START + timedelta(minutes=minutes), tick=False)
        audit.record("auth.login", actor=world["own"]["patient"].created_by)
    times = list(
        AuditEvent.objects.order_by("seq").values_list("occurred_at", flat=True)
    )
    for moment in times:
        assert moment.tzinfo is not None
        assert moment.utcoffset() == timedelta(0)
    assert times == sorted(times)
