"""Every upload's request body is bounded: a too-large one is refused beside its file
field, with nothing read or stored, never a 500 or a bare 400 (#13 F5)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from screening.models import ImportRecord, RulesetVersion

pytestmark = pytest.mark.django_db

LIMIT = 64 * 1024  # small, so the test need not send megabytes


@pytest.fixture
def small_limit(settings):
    settings.MAX_UPLOAD_BYTES = LIMIT
    return settings


def _big_json(name):
    padding = " " * (LIMIT + 1024)  # valid JSON, under each form's per-file limit
    return SimpleUploadedFile(
        name, ("{" + padding + "}").encode(), content_type="application/json"
    )


def test_it_refuses_a_too_large_intake_upload_beside_the_file_field__f5(
    small_limit, client_as, clinic
):
    response = client_as("intake_staff").post(
        reverse("screening:intake-import"),
        {"clinic": clinic.pk, "files": [_big_json("intake.json")]},
    )
    assert response.status_code == 413
    errors = response.context["form"].errors
    assert "larger than 0.06 MB" in " ".join(errors["files"])
    assert "Nothing was imported" in response.content.decode()
    assert not ImportRecord.objects.exists()


def test_it_refuses_a_too_large_ruleset_upload_beside_the_file_field__f5(
    small_limit, client_as
):
    before = RulesetVersion.objects.count()
    response = client_as("rule_admin").post(
        reverse("screening:ruleset-import"), {"document": _big_json("rules.json")}
    )
    assert response.status_code == 413
    assert "larger than 0.06 MB" in " ".join(
        response.context["form"].errors["document"]
    )
    assert RulesetVersion.objects.count() == before


def test_it_drops_files_sent_to_a_page_with_no_upload__f5(small_limit, client_as):
    response = client_as("intake_staff").post(
        reverse("screening:patient-list"), {"q": "x", "f": _big_json("x.json")}
    )
    assert response.status_code == 200
    assert response.wsgi_request.FILES == {}
    assert response.wsgi_request.POST["q"] == "x"  # the fields are still read


def test_it_bounds_request_bodies_in_production_settings__f5(production_settings):
    assert production_settings["DATA_UPLOAD_MAX_MEMORY_SIZE"] == 2_621_440
    assert production_settings["FILE_UPLOAD_MAX_MEMORY_SIZE"] == 2_621_440
    assert production_settings["MAX_UPLOAD_BYTES"] <= 25 * 1024 * 1024
    handlers = production_settings["FILE_UPLOAD_HANDLERS"]
    assert handlers[0] == "screening.uploads.BoundedUploadHandler"
