"""The authentication backend reads the second-factor check with the user row (#19)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from screening.backends import ModelBackendWithSecondFactor
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
