import json
import logging

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.views.debug import get_default_exception_reporter_filter

from screening.logs import JsonFormatter, MaskAllPostFilter

pytestmark = pytest.mark.django_db

SECRET_NOTE = "Jane Q. Patient takes 40 mg"
MASK = "********************"


@pytest.fixture
def boom_client(settings, client_as):
    settings.ROOT_URLCONF = "tests.security.boom_urls"
    client = client_as("intake_staff")
    client.raise_request_exception = False
    return client


def test_it_shows_a_plain_500_and_logs_masked_details__t_err_01(boom_client, caplog):
    with caplog.at_level(logging.DEBUG):
        response = boom_client.post("/boom/", {"note": SECRET_NOTE, "mrn": "MRN-77"})
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body
    for leak in (
        "Traceback",
        "ValueError",
        "SECRET_KEY",
        "DEBUG",
        "SELECT",
        SECRET_NOTE,
        "boom",
    ):
        assert leak not in body, leak
    errors = [r for r in caplog.records if r.name == "django.request"]
    assert len(errors) == 1
    record = errors[0]
    assert record.request_id == response["X-Request-ID"]
    line = JsonFormatter().format(record)
    logged = json.loads(line)
    assert logged["request_id"] == response["X-Request-ID"]
    assert "Traceback (most recent call last)" in logged["exception"]
    assert "builtins.ValueError" in logged["exception"]
    assert logged["post"] == {"note": MASK, "mrn": MASK}
    assert SECRET_NOTE not in line
    assert "MRN-77" not in line


def test_it_masks_every_post_value_in_exception_reports__t_err_01(rf):
    assert isinstance(get_default_exception_reporter_filter(), MaskAllPostFilter)
    request = rf.post("/x/", {"family_name": "Smith", "q": "1980-05-17"})
    masked = MaskAllPostFilter().get_post_parameters(request)
    assert masked == {"family_name": MASK, "q": MASK}


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="stopping the database needs a server; SQLite's test database is in memory",
)
@pytest.mark.django_db(transaction=True)
def test_it_answers_503_while_the_database_is_down__t_err_02(client_as):
    client = client_as("intake_staff")
    client.raise_request_exception = False
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"  # nothing listens there: connection refused
    try:
        page = client.get(reverse("screening:home"))
        # The load balancer's probe comes without a session.
        health = Client().get(reverse("screening:health"))
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    assert page.status_code == 503
    body = page.content.decode()
    assert "temporarily unavailable" in body
    for leak in ("OperationalError", "connection", "port", "5432", "Traceback"):
        assert leak not in body, leak
    assert health.status_code == 503
    assert health.content == b"db=down"
    assert client.get(reverse("screening:home")).status_code == 200
