"""The authentication backend reads the second-factor check with the user row (#19)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from screening.backends import ModelBackendWithSecondFactor, user_query
from screening.models import RecoveryCodeDevice
from screening.services import accounts
from tests.factories import TOTPDeviceFactory
from tests.views.test_query_counts import data_queries

pytestmark = pytest.mark.django_db


def test_it_reads_whether_the_user_has_a_second_factor_with_the_user(intake_staff):
    backend = ModelBackendWithSecondFactor()
    without = backend.get_user(intake_staff.pk)
    TOTPDeviceFactory(user=intake_staff)
    with_device = backend.get_user(intake_staff.pk)
    with CaptureQueriesContext(connection) as queries:
        assert accounts.has_confirmed_device(without) is False
        assert accounts.has_confirmed_device(with_device) is True
    assert queries.captured_queries == []


def test_it_asks_the_database_for_a_user_it_did_not_load(intake_staff):
    TOTPDeviceFactory(user=intake_staff)
    assert accounts.has_confirmed_device(intake_staff) is True


def test_it_loads_no_inactive_user(intake_staff):
    intake_staff.is_active = False
    intake_staff.save()
    assert ModelBackendWithSecondFactor().get_user(intake_staff.pk) is None


def test_the_home_page_of_intake_staff_reads_three_rows_within_the_minute(client_as):
    client = client_as("intake_staff")
    client.get(reverse("screening:home"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("screening:home")).status_code == 200
    # The session, the user with the second-factor check, the memberships.
    assert len(data_queries(queries.captured_queries)) == 3


def test_it_asks_for_the_code_once_a_second_factor_is_set_up_elsewhere(client_as):
    client = client_as("intake_staff")
    assert client.get(reverse("screening:home")).status_code == 200
    user = client.get(reverse("screening:home")).wsgi_request.user
    TOTPDeviceFactory(user=user)  # set up in another session
    response = client.get(reverse("screening:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts-mfa-verify"))


def test_it_loads_the_user_in_one_statement_whatever_form_the_id_takes(intake_staff):
    backend = ModelBackendWithSecondFactor()
    with CaptureQueriesContext(connection) as queries:
        loaded = backend.get_user(str(intake_staff.pk))  # as the session keeps it
    assert loaded == intake_staff
    assert loaded.username == intake_staff.username
    assert loaded.get_session_auth_hash() == intake_staff.get_session_auth_hash()
    assert len(queries.captured_queries) == 1


def test_it_loads_nobody_for_an_id_no_user_has_or_one_that_is_no_id(intake_staff):
    backend = ModelBackendWithSecondFactor()
    assert backend.get_user(intake_staff.pk + 1000) is None
    assert backend.get_user("not a number") is None


def test_it_reads_the_same_statement_as_the_query_it_is_declared_by(intake_staff):
    TOTPDeviceFactory(user=intake_staff)
    declared = user_query(intake_staff.pk).get()
    loaded = ModelBackendWithSecondFactor().get_user(intake_staff.pk)
    names = [field.attname for field in type(loaded)._meta.concrete_fields]
    assert [getattr(loaded, name) for name in names] == [
        getattr(declared, name) for name in names
    ]
    assert accounts.has_confirmed_device(loaded) is True
    assert accounts.has_confirmed_device(declared) is True


def verified_request(client):
    """The worklist's request, its queries, and whether the user was OTP-verified."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("screening:review-worklist"))
        verified = response.wsgi_request.user.is_verified()
    return response, queries.captured_queries, verified


def device_reads(queries) -> list[str]:
    """The statements reading TOTP device rows (not the user's with its subquery)."""
    return [
        q["sql"] for q in queries if q["sql"].startswith('SELECT "otp_totp_totpdevice"')
    ]


def test_a_verified_session_reads_no_row_of_its_own_for_its_device(client_as):
    client = client_as("clinician")
    client.get(reverse("screening:review-worklist"))

    response, queries, verified = verified_request(client)

    assert response.status_code == 200
    assert verified is True
    assert device_reads(queries) == []  # it came with the user's row
    device = response.wsgi_request.user.otp_device
    assert device.name == "Authenticator app"  # its other columns load when asked


@pytest.mark.parametrize(
    ("change", "prompt"),
    [
        ("unconfirmed", "accounts-mfa-enrol"),
        ("deleted", "accounts-mfa-enrol"),
        ("someone_elses", "accounts-mfa-verify"),  # the user's own is still there
    ],
)
def test_a_session_whose_device_is_no_longer_the_users_confirmed_one_is_not_verified(
    client_as, change, prompt
):
    client = client_as("clinician")
    user = client.get(reverse("screening:review-worklist")).wsgi_request.user
    device = TOTPDevice.objects.get(user=user)  # the one the session names
    if change == "unconfirmed":
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=False)
    elif change == "deleted":
        device.delete()
    else:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = TOTPDeviceFactory().persistent_id
        session.save()

    response = client.get(reverse("screening:review-worklist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse(prompt))
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_a_session_verified_by_a_recovery_code_is_read_as_django_otp_reads_it(
    client_as,
):
    client = client_as("clinician")
    user = client.get(reverse("screening:review-worklist")).wsgi_request.user
    codes = RecoveryCodeDevice.objects.create(user=user, name="Recovery codes")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = codes.persistent_id
    session.save()

    response, _, verified = verified_request(client)

    assert response.status_code == 200
    assert verified is True
    assert response.wsgi_request.user.otp_device == codes
