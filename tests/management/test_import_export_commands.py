import shutil
import stat
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from screening.intake_format import documents_equal, parse_json
from screening.models import AuditEvent, ImportRecord, Intake
from screening.services import imports
from tests.documents import DOCUMENT_NAMES, HERE, TODAY, loads, read, row_counts

BASE = "checklist-all-false-with-nulls.json"


@pytest.fixture(autouse=True)
def today(time_machine):
    time_machine.move_to(f"{TODAY.isoformat()} 12:00:00Z")


@pytest.fixture
def folder(tmp_path):
    for name in DOCUMENT_NAMES:
        shutil.copy(HERE / name, tmp_path / name)
    (tmp_path / "notes.txt").write_text("not an intake")
    return tmp_path


def run(command: str, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def import_base(clinic) -> Intake:
    report = imports.do_import_documents(
        [(BASE, read(BASE))],
        clinic=clinic,
        by=imports.do_get_system_user(),
        today=TODAY,
    )
    return report.imported[0].intake


def test_it_imports_every_json_file_of_a_folder_as_one_batch(clinic, folder):
    out, _ = run("import_intakes", str(folder), "--clinic", clinic.slug)

    records = ImportRecord.objects.order_by("position")
    assert [r.file_name for r in records] == [str(folder / n) for n in DOCUMENT_NAMES]
    assert len({r.batch for r in records}) == 1
    assert out.startswith(
        f"Imported {len(DOCUMENT_NAMES)} intake(s) into Clinic A "
        f"({len(DOCUMENT_NAMES)} new patient(s)), 3 warning(s)."
    )
    assert "warning: vitals.bp_systolic: BP 186/104" in out
    assert "A-1001" not in out  # ids only in the summary


def test_it_acts_as_an_inactive_system_user_by_default(clinic, folder):
    run("import_intakes", str(folder / BASE), "--clinic", clinic.slug)

    user = get_user_model().objects.get(username=imports.SYSTEM_USERNAME)
    assert not user.is_active
    assert not user.has_usable_password()
    row = AuditEvent.objects.get(action="intake.imported")
    assert (row.actor, row.actor_username) == (user, imports.SYSTEM_USERNAME)


def test_it_acts_as_the_named_user(clinic, intake_staff, folder):
    run(
        "import_intakes",
        str(folder / BASE),
        "--clinic",
        clinic.slug,
        "--user",
        "intake",
    )

    assert AuditEvent.objects.get(action="intake.imported").actor == intake_staff


def test_it_refuses_a_named_user_without_the_import_permission(auditor, clinic, folder):
    with pytest.raises(CommandError, match="may not import"):
        run("import_intakes", str(folder), "--clinic", clinic.slug, "--user", "auditor")

    assert not Intake.objects.exists()


def test_it_exits_2_listing_every_error_by_file_and_imports_nothing(clinic, folder):
    (folder / "z-bad.json").write_bytes(
        read(BASE).replace(b'"2026-10-06"', b'"2026-13-01"')
    )
    (folder / "a-bad.json").write_text('{"format": "intake/1"')
    before = row_counts()
    err = StringIO()

    with pytest.raises(CommandError) as refused:
        call_command(
            "import_intakes",
            str(folder),
            "--clinic",
            clinic.slug,
            stderr=err,
            stdout=StringIO(),
        )

    assert refused.value.returncode == 2
    assert "nothing was imported" in str(refused.value)
    lines = err.getvalue().splitlines()
    assert lines[0].startswith(f"{folder / 'a-bad.json'}: (document): not valid JSON")
    assert lines[1].startswith(f"{folder / 'z-bad.json'}: intake_date: ")
    assert row_counts() == before


def test_it_imports_several_files_named_on_the_command_line(clinic, folder):
    names = [str(folder / n) for n in DOCUMENT_NAMES[:2]]

    run("import_intakes", *names, "--clinic", clinic.slug)

    assert Intake.objects.count() == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--clinic", "nowhere"], "no clinic with slug 'nowhere'"),
        (["--clinic", "clinic-a", "--user", "nobody"], "no user 'nobody'"),
    ],
)
def test_it_names_an_unknown_clinic_or_user(clinic, folder, args, message):
    with pytest.raises(CommandError, match=message):
        run("import_intakes", str(folder), *args)


def test_it_refuses_a_folder_without_json_files(clinic, tmp_path):
    with pytest.raises(CommandError, match=r"no \*\.json files"):
        run("import_intakes", str(tmp_path), "--clinic", clinic.slug)


def test_it_exports_an_intake_to_stdout_in_normal_form(clinic):
    intake = import_base(clinic)

    out, err = run("export_intake", str(intake.pk))

    assert documents_equal(parse_json(out), loads(read(BASE)))
    row = AuditEvent.objects.get(action="intake.exported")
    assert row.object_id == str(intake.pk)
    assert err.strip() == (
        f"intake/1 export of intake {intake.pk} by {imports.SYSTEM_USERNAME} at "
        f"{row.occurred_at:%Y-%m-%dT%H:%M:%SZ} (audit event {row.seq})"
    )


def test_it_exports_to_a_file_only_its_owner_can_read(clinic, tmp_path):
    intake = import_base(clinic)
    target = tmp_path / "out.json"

    out, _ = run("export_intake", str(intake.pk), "--output", str(target))

    assert out.strip() == f"Wrote intake {intake.pk} to {target}."
    assert documents_equal(parse_json(target.read_bytes()), loads(read(BASE)))
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_it_exports_as_the_named_user(clinic, clinician):
    intake = import_base(clinic)

    run("export_intake", str(intake.pk), "--user", "clinician")

    assert AuditEvent.objects.get(action="intake.exported").actor == clinician


def test_it_refuses_an_export_by_a_user_of_another_clinic(
    clinic, other_clinic_clinician
):
    intake = import_base(clinic)

    with pytest.raises(CommandError, match="may not export"):
        run("export_intake", str(intake.pk), "--user", "otherclinician")

    assert not AuditEvent.objects.filter(action="intake.exported").exists()


def test_it_names_an_unknown_intake(db):
    with pytest.raises(CommandError, match="no intake 999"):
        run("export_intake", "999")


def test_it_imports_what_it_exported(clinic, other_clinic, tmp_path):
    intake = import_base(clinic)
    target = tmp_path / f"intake-{intake.pk}.json"
    run("export_intake", str(intake.pk), "--output", str(target))

    run("import_intakes", str(target), "--clinic", other_clinic.slug)

    copy = Intake.objects.get(clinic=other_clinic)
    out, _ = run("export_intake", str(copy.pk))
    assert documents_equal(parse_json(out), loads(read(BASE)))
