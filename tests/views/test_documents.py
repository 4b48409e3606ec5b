import itertools

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.intake_format import documents_equal, dumps, parse_json
from screening.intake_format.fields import SECTIONS
from screening.models import AuditEvent, ImportRecord, Intake
from screening.services import imports
from screening.services.intakes import do_create_intake
from tests.documents import DOCUMENT_NAMES, TODAY, loads, read, row_counts
from tests.factories import MembershipFactory, PatientFactory, UserFactory
from tests.intake_format.strategies import documents

IMPORT_URL = reverse("screening:intake-import")
BASE = "checklist-all-false-with-nulls.json"
WARNS = "implausible-but-valid.json"


@pytest.fixture(autouse=True)
def today(time_machine):
    # The documents' intake dates must not be after "today" (intake-format.md 4.1).
    time_machine.move_to(f"{TODAY.isoformat()} 12:00:00Z")


def upload(name: str, content: bytes | None = None) -> SimpleUploadedFile:
    data = read(name) if content is None else content
    return SimpleUploadedFile(name, data, content_type="application/json")


def post_import(client, clinic, **files):
    return client.post(IMPORT_URL, {"clinic": clinic.pk, **files})


@pytest.fixture
def imported(clinic, intake_staff) -> Intake:
    report = imports.do_import_documents(
        [(BASE, read(BASE))], clinic=clinic, by=intake_staff, today=TODAY
    )
    return report.imported[0].intake


@pytest.mark.parametrize("role", ["intake_staff", "clinician"])
def test_it_imports_several_files_and_shows_the_report(client_as, clinic, role):
    client = client_as(role)

    response = post_import(client, clinic, files=[upload(BASE), upload(WARNS)])

    intakes = list(Intake.objects.order_by("pk"))
    assert len(intakes) == 2
    assert response.status_code == 302
    assert response.url == reverse(
        "screening:intake-import-report", args=[intakes[0].pk]
    )
    report = client.get(response.url)
    assert report.status_code == 200
    page = report.content.decode()
    assert BASE in page
    assert WARNS in page
    assert "vitals.bp_systolic" in page  # a warning, shown after the import
    assert "Absolute contraindication" in page
    assert reverse("screening:intake-detail", args=[intakes[1].pk]) in page
    assert AuditEvent.objects.filter(action="intake.imported").count() == 2


def test_it_imports_the_json_files_of_a_folder(client_as, clinic):
    notes = SimpleUploadedFile(
        "README.txt", b"not an intake", content_type="text/plain"
    )

    response = post_import(
        client_as("intake_staff"), clinic, folder=[upload(BASE), notes, upload(WARNS)]
    )

    assert response.status_code == 302
    assert ImportRecord.objects.count() == 2


def test_it_shows_every_error_by_file_and_imports_nothing(client_as, clinic):
    bad = loads(read(BASE))
    bad["vitals"]["bp_systolic"] = 900
    bad["intake_date"] = "2026-12-01"
    client = client_as("intake_staff")
    before = row_counts()

    response = post_import(
        client,
        clinic,
        files=[upload(WARNS), upload("bad.json", dumps(bad).encode())],
    )

    assert response.status_code == 200
    assert row_counts() == before
    errors = response.context["form"].errors["files"]
    assert any(e.startswith("bad.json — vitals.bp_systolic: ") for e in errors)
    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "bad.json — vitals.bp_systolic" in page
    assert "900 is greater than the maximum of 300" in page


def test_it_refuses_a_file_that_is_not_json_beside_the_field(client_as, clinic):
    text = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    client = client_as("intake_staff")
    before = row_counts()

    response = post_import(client, clinic, files=[upload(BASE), text])

    assert response.status_code == 200
    assert response.context["form"].errors["files"] == [
        "notes.txt is not a .json file: choose intake/1 JSON files."
    ]
    assert row_counts() == before


def test_it_refuses_a_json_file_that_is_not_a_document(client_as, clinic):
    response = post_import(
        client_as("intake_staff"), clinic, files=[upload("x.json", b"\x89PNG\r\n")]
    )

    assert response.status_code == 200
    [error] = response.context["form"].errors["files"]
    assert error.startswith("x.json — (document): the file is not UTF-8")


def test_it_refuses_a_file_larger_than_2_mb(client_as, clinic):
    big = upload("big.json", b" " * (imports.MAX_FILE_BYTES + 1))

    response = post_import(client_as("intake_staff"), clinic, files=[big])

    assert response.status_code == 200
    [error] = response.context["form"].errors["files"]
    assert error.startswith("big.json is 2.0 MB: an intake/1 file may be at most 2 MB")
    assert not Intake.objects.exists()


def test_it_refuses_more_than_100_files_in_one_upload(client_as, clinic):
    client = client_as("intake_staff")
    before = row_counts()
    files = [upload(f"{n}.json", read(BASE)) for n in range(101)]

    response = post_import(client, clinic, folder=files)

    assert response.status_code == 400
    assert row_counts() == before


def test_it_asks_for_a_file_when_none_was_chosen(client_as, clinic):
    response = post_import(client_as("intake_staff"), clinic)

    assert response.status_code == 200
    assert response.context["form"].errors["files"] == [
        "Choose one or more intake/1 JSON files, or a folder, to import."
    ]


def test_it_refuses_a_folder_without_json_files(client_as, clinic):
    notes = SimpleUploadedFile("a.txt", b"x", content_type="text/plain")

    response = post_import(client_as("intake_staff"), clinic, folder=[notes])

    assert response.context["form"].errors["folder"] == [
        "The folder holds no .json files: choose the folder with the intakes."
    ]


def test_it_shows_the_upload_form_with_a_hidden_clinic_for_one_clinic(
    client_as, clinic
):
    response = client_as("intake_staff").get(IMPORT_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert f'type="hidden" name="clinic" value="{clinic.pk}"' in page
    assert "webkitdirectory" in page
    assert "<script" not in page.split("<main", 1)[1].split("</main>", 1)[0]


def test_it_lets_a_member_of_two_clinics_choose_the_clinic(
    client_as, clinic, other_clinic
):
    client = client_as("intake_staff")
    user = get_user_model().objects.get(username="intake_staff-user")
    MembershipFactory(user=user, clinic=other_clinic, role="intake_staff")

    response = post_import(client, other_clinic, files=[upload(BASE)])

    assert response.status_code == 302
    assert Intake.objects.get().clinic == other_clinic


def test_it_refuses_a_clinic_the_user_does_not_belong_to(
    client_as, clinic, other_clinic
):
    response = post_import(
        client_as("intake_staff"), other_clinic, files=[upload(BASE)]
    )

    assert response.status_code == 200
    assert "clinic" in response.context["form"].errors
    assert not Intake.objects.exists()


@pytest.mark.parametrize("role", ["rule_admin", "auditor"])
def test_it_refuses_the_import_to_other_roles(client_as, clinic, role):
    client = client_as(role)

    assert client.get(IMPORT_URL).status_code == 403
    assert post_import(client, clinic, files=[upload(BASE)]).status_code == 403
    assert not Intake.objects.exists()


def test_it_downloads_the_intake_as_normal_form_json(client_as, imported):
    response = client_as("clinician").post(
        reverse("screening:intake-export", args=[imported.pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == (
        f'attachment; filename="intake-{imported.pk}.json"'
    )
    document = parse_json(response.content)
    assert documents_equal(document, loads(read(BASE)))
    assert "watermark" not in response.content.decode()  # intake/1 objects are closed
    row = AuditEvent.objects.get(action="intake.exported")
    assert (row.object_id, row.actor.username) == (str(imported.pk), "clinician-user")
    assert response["X-Export-Watermark"] == (
        f"intake/1 export of intake {imported.pk} by clinician-user at "
        f"{row.occurred_at:%Y-%m-%dT%H:%M:%SZ} (audit event {row.seq})"
    )


def test_it_explains_the_download_before_it_happens(client_as, imported):
    response = client_as("intake_staff").get(
        reverse("screening:intake-export", args=[imported.pk])
    )

    assert response.status_code == 200
    assert b"X-Export-Watermark" in response.content
    assert b"A-1001" not in response.content
    assert not AuditEvent.objects.filter(action="intake.exported").exists()


def test_it_writes_one_audit_row_per_download(client_as, imported):
    client = client_as("intake_staff")
    url = reverse("screening:intake-export", args=[imported.pk])

    client.post(url)
    client.post(url)

    assert AuditEvent.objects.filter(action="intake.exported").count() == 2


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_returns_404_for_another_clinics_intake(
    client, other_clinic, imported, method
):
    # Intake staff of clinic B: the role may export, but not clinic A's intakes.
    stranger = UserFactory(username="stranger")
    MembershipFactory(user=stranger, clinic=other_clinic, role="intake_staff")
    client.force_login(stranger)
    before = AuditEvent.objects.count()

    export = getattr(client, method)(
        reverse("screening:intake-export", args=[imported.pk])
    )
    report = client.get(reverse("screening:intake-import-report", args=[imported.pk]))

    assert export.status_code == 404
    assert report.status_code == 404
    assert b"A-1001" not in export.content
    actions = AuditEvent.objects.filter(seq__gt=before).values_list("action", flat=True)
    assert list(actions) == ["access.denied", "access.denied"]


@pytest.mark.parametrize("role", ["rule_admin", "auditor"])
def test_it_refuses_the_export_to_other_roles(client_as, imported, role):
    response = client_as(role).post(
        reverse("screening:intake-export", args=[imported.pk])
    )

    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="intake.exported").exists()


def test_it_audits_the_import_report_as_one_read(client_as, imported):
    response = client_as("clinician").get(
        reverse("screening:intake-import-report", args=[imported.pk])
    )

    assert response.status_code == 200
    row = AuditEvent.objects.filter(action="intake.viewed").get()
    assert (row.object_id, row.detail) == (str(imported.pk), {"batch_size": 1})


def test_it_has_no_import_report_for_an_intake_entered_in_the_forms(
    client_as, clinic, intake_staff
):
    patient = PatientFactory(clinic=clinic)
    intake = do_create_intake(
        patient, intake_on=TODAY, primary_indication="ptsd", by=intake_staff
    )

    response = client_as("intake_staff").get(
        reverse("screening:intake-import-report", args=[intake.pk])
    )

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("intake_staff", True),
        ("clinician", True),
        ("rule_admin", False),
        ("auditor", False),
    ],
)
def test_it_shows_the_import_link_to_roles_that_may_import(client_as, role, shown):
    page = client_as(role).get(reverse("screening:home")).content.decode()

    assert (f'href="{IMPORT_URL}"' in page) is shown


@pytest.mark.parametrize("name", DOCUMENT_NAMES)
def test_it_downloads_what_it_uploaded(client_as, clinic, name):
    client = client_as("intake_staff")
    post_import(client, clinic, files=[upload(name)])
    intake = Intake.objects.get()

    response = client.post(reverse("screening:intake-export", args=[intake.pk]))

    assert documents_equal(parse_json(response.content), loads(read(name)))


_serial = itertools.count()


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    document=documents().filter(lambda d: "\\u0000" not in dumps(d)),
    spoil=st.none() | st.sampled_from(SECTIONS),
)
def test_it_never_fails_on_a_generated_upload__t_val_01(
    client_as, clinic, time_machine, document, spoil
):
    # The generated intake dates run to 2030; the check against today is tested above.
    time_machine.move_to("2031-01-01 12:00:00Z")
    document["patient"] = {"mrn": f"G-{next(_serial)}"}
    if spoil is not None:
        document[spoil] = "spoiled"
    client = client_as("intake_staff")
    before = row_counts()

    response = post_import(
        client, clinic, files=[upload("g.json", dumps(document).encode())]
    )

    if spoil is None:
        assert response.status_code == 302
    else:
        assert response.status_code == 200
        assert any(f"— {spoil}" in e for e in response.context["form"].errors["files"])
        assert row_counts() == before
