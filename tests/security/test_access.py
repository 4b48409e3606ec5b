import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from screening.models import AuditEvent, Intake, IntakeSection, Membership
from tests.conftest import logged_in_client
from tests.factories import TOTPDeviceFactory, UserFactory
from tests.security.conftest import normalise_page
from tests.security.routes import OK, ROLES, ROUTES, all_patterns

pytestmark = pytest.mark.django_db

MISSING_PK = 10**9
OBJECT_ROUTES = sorted(name for name, route in ROUTES.items() if route.obj)


def _url(name, world, where="own", pk=None):
    return reverse(name, kwargs=ROUTES[name].url_kwargs(world[where], pk))


def _client(who, client_as):
    if who == "anonymous":
        return Client()
    client = client_as(who)
    client.raise_request_exception = False
    return client


def test_it_has_a_row_for_every_url__t_ac_02():
    names = {pattern.name for pattern in all_patterns()}
    assert sorted(names - set(ROUTES)) == []  # a new view needs its row
    assert sorted(set(ROUTES) - names) == []  # a removed view leaves no stale row


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_it_enforces_the_permission_table__t_ac_02(name, client_as, world):
    route = ROUTES[name]
    for who in ("anonymous", *ROLES):
        client = _client(who, client_as)
        for where in ("own", "other") if route.obj else ("own",):
            response = client.get(_url(name, world, where))
            if who == "anonymous":
                expected = route.anonymous
            elif where == "other":
                expected = route.other
            else:
                expected = route.status(who)
            assert response.status_code == expected, (who, where)
            if who == "anonymous" and expected == 302:
                assert response["Location"].startswith(reverse("login"))


def _snapshot():
    """Every row of every table but the audit log and the sessions."""
    skip = {AuditEvent, Session}
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_models()
        if model not in skip and not model._meta.proxy
    }


def _role_for(route):
    return next((role for role in ROLES if route.status(role) == OK), "clinician")


@pytest.mark.parametrize("name", OBJECT_ROUTES)
def test_it_answers_404_for_another_clinics_object__t_ac_01(name, client_as, world):
    route = ROUTES[name]
    client = _client(_role_for(route), client_as)
    stranger = world["other"]["patient"]
    for method in ("get", "post"):
        send = getattr(client, method)
        missing = send(_url(name, world, pk=MISSING_PK))
        if missing.status_code == 405:
            continue  # the view takes no such method: refused before any lookup
        before_rows = _snapshot()
        denied_before = AuditEvent.objects.filter(action="access.denied").count()
        response = send(_url(name, world, "other"))
        assert response.status_code == 404, method
        assert normalise_page(response.content) == normalise_page(missing.content)
        body = response.content.decode()
        for secret in (stranger.family_name, stranger.mrn):
            assert secret not in body
        denied = AuditEvent.objects.filter(action="access.denied").count()
        assert denied == denied_before + 1, method
        assert _snapshot() == before_rows, method


def _vitals(extra=None, version=0):
    data = {
        "version": str(version),
        "bp_systolic": "128",
        "bp_diastolic": "82",
        "heart_rate": "70",
        "bmi": "24.1",
    }
    data.update(extra or {})
    return data


def test_it_changes_only_the_forms_fields__t_ac_03(client_as, world, other_clinic):
    intake = world["own"]["intake"]
    section = intake.sections.get(kind="vitals")
    old_version = section.version
    url = reverse(
        "screening:intake-section-edit", kwargs={"pk": intake.pk, "section": "vitals"}
    )
    hostile = {
        "clinic": str(other_clinic.pk),
        "patient": str(world["other"]["patient"].pk),
        "status": Intake.Status.SIGNED,
        "signed_by": "1",
        "disposition": "proceed",
        "kind": "allergies",
        "intake": str(world["other"]["intake"].pk),
    }
    response = client_as("intake_staff").post(url, _vitals(hostile, old_version))
    assert response.status_code == 302
    section.refresh_from_db()
    intake.refresh_from_db()
    assert section.version == old_version + 1
    assert section.kind == "vitals"
    assert section.intake_id == intake.pk
    assert section.data["bp_systolic"] == 128
    assert intake.status == Intake.Status.IN_PROGRESS
    assert intake.clinic_id != other_clinic.pk
    assert (
        IntakeSection.objects.filter(intake=world["other"]["intake"])
        .filter(kind="vitals", version=0)
        .exists()
    )


def test_it_answers_a_stale_version_with_the_conflict__t_ac_03(client_as, world):
    intake = world["own"]["intake"]
    url = reverse(
        "screening:intake-section-edit", kwargs={"pk": intake.pk, "section": "vitals"}
    )
    client = client_as("intake_staff")
    assert client.post(url, _vitals(version=0)).status_code == 302
    stale = client.post(url, _vitals({"bp_systolic": "150"}, version=0))
    assert stale.status_code == 409
    section = intake.sections.get(kind="vitals")
    assert section.version == 1
    assert section.data["bp_systolic"] == 128


def test_it_forgets_a_clinic_when_the_membership_goes__t_ac_05(
    client_as, world, clinic
):
    client = client_as("clinician")
    url = _url("screening:intake-detail", world)
    assert client.get(url).status_code == 200
    Membership.objects.filter(clinic=clinic, role="clinician").delete()
    client.raise_request_exception = False
    assert client.get(url).status_code == 404


def test_it_keeps_the_admin_behind_verified_otp__t_ac_06(client_as, db):
    admin_index = reverse("admin:index")
    admin_login = reverse("admin:login")

    def refused(client):
        response = client.get(admin_index)
        if response.status_code == 302:
            return response["Location"].startswith(admin_login)
        return (
            response.status_code == 200
            and 'name="otp_token"' in response.content.decode()
        )

    assert refused(Client())
    superuser = UserFactory(username="root-admin", is_staff=True, is_superuser=True)
    unverified = Client()
    unverified.force_login(superuser)
    assert refused(unverified)
    login_page = unverified.get(admin_login)
    assert 'name="otp_token"' in login_page.content.decode()
    for role in ROLES:
        assert refused(client_as(role)), role
    verified = logged_in_client(superuser)
    response = verified.get(admin_index)
    assert response.status_code == 200
    assert b"Site administration" in response.content


def test_it_never_echoes_the_password_on_the_admin_login__info_admin_otp(db):
    superuser = UserFactory(username="root-echo", is_staff=True, is_superuser=True)
    TOTPDeviceFactory(user=superuser)
    secret = "correct horse battery staple"  # UserFactory's password
    response = Client().post(
        reverse("admin:login"),
        {"username": superuser.username, "password": secret, "otp_token": "000000"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="otp_token"' in body  # refused for the wrong code, form shown again
    assert secret not in body


@pytest.mark.parametrize("kind", ["patient", "intake"])
def test_it_gives_a_probe_of_another_clinic_to_that_clinics_auditor__info_denied_clinic(
    kind, clinic, other_clinic, member
):
    from tests.factories import IntakeFactory, PatientFactory

    patient = PatientFactory(clinic=clinic)
    target = patient if kind == "patient" else IntakeFactory(patient=patient)
    url = reverse(f"screening:{kind}-detail", args=[target.pk])
    prober = logged_in_client(member(other_clinic, "clinician", "prober"))
    prober.raise_request_exception = False
    response = prober.get(url)
    missing = prober.get(reverse(f"screening:{kind}-detail", args=[target.pk + 999]))
    assert response.status_code == missing.status_code == 404
    assert normalise_page(response.content) == normalise_page(missing.content)
    rows = AuditEvent.objects.filter(
        action="access.denied", request_id=response["X-Request-ID"]
    )
    assert [row.clinic_id for row in rows] == [clinic.pk]  # one row, the probed clinic
    assert (
        AuditEvent.objects.get(
            action="access.denied", request_id=missing["X-Request-ID"]
        ).clinic_id
        is None
    )
    for auditor_clinic in (clinic, other_clinic):  # the probed and the prober's
        auditor = logged_in_client(member(auditor_clinic, "auditor"))
        report = auditor.get(
            reverse("screening:audit-list"), {"action": "access.denied"}
        )
        shown = report.context["page"].paginator.object_list
        assert response["X-Request-ID"] in {row.request_id for row in shown}
