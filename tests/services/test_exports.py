from decimal import Decimal

import pytest

from screening.intake_format import SCHEMA, documents_equal, parse_json
from screening.intake_format.fields import MEDICAL_ITEMS
from screening.models import AuditEvent
from screening.services import exports, imports
from screening.services.intakes import do_create_intake, do_save_section
from tests.documents import TODAY, loads, read
from tests.factories import PatientFactory

BASE = "checklist-all-false-with-nulls.json"


@pytest.fixture
def imported(clinic, intake_staff):
    report = imports.do_import_documents(
        [(BASE, read(BASE))], clinic=clinic, by=intake_staff, today=TODAY
    )
    return report.imported[0].intake


@pytest.fixture
def entered(clinic, intake_staff):
    patient = PatientFactory(clinic=clinic, mrn="F-77", date_of_birth=None)
    return do_create_intake(
        patient, intake_on=TODAY, primary_indication="ptsd", by=intake_staff
    )


def test_it_writes_every_key_of_an_intake_started_in_the_forms(entered):
    document = exports.export_document(entered)

    # Every top-level key but missing_reasons, which is written only with a reason.
    assert list(document) == [k for k in SCHEMA["properties"] if k != "missing_reasons"]
    assert document["patient"] == {"mrn": "F-77"}
    assert document["intake_date"] == TODAY.isoformat()
    assert document["indication"]["primary"] == "ptsd"
    assert document["vitals"] == {
        "bp_systolic": None,
        "bp_diastolic": None,
        "heart_rate": None,
        "bmi": None,
    }
    # Unanswered checklist items are null, never "no" (intake-format.md 2.1).
    assert document["medical_history"] == {
        **dict.fromkeys(MEDICAL_ITEMS),
        "other_conditions": [],
    }
    assert document["allergies"] is None


def test_it_exports_what_a_form_saved(entered, intake_staff):
    vitals = entered.sections.get(kind="vitals")
    do_save_section(
        vitals,
        {"bp_systolic": 128, "bp_diastolic": 82, "bmi": Decimal("27.3")},
        missing_reasons={},
        version=vitals.version,
        by=intake_staff,
    )

    text = exports.do_export_intake(entered, by=intake_staff).text

    assert '"bmi": 27.3' in text
    assert parse_json(text)["vitals"]["heart_rate"] is None


def test_it_writes_strict_json_text_with_exact_numbers(imported, intake_staff):
    text = exports.do_export_intake(imported, by=intake_staff).text

    assert text.endswith("}\n")
    assert '"daily_dose_mg": 0.0125' in text
    assert '"bmi": 31.5' in text
    assert documents_equal(parse_json(text), loads(read(BASE)))


def test_it_names_the_file_by_intake_id_only(imported, intake_staff):
    exported = exports.do_export_intake(imported, by=intake_staff)

    assert exported.file_name == f"intake-{imported.pk}.json"


def test_it_audits_every_export_with_ids_only(imported, intake_staff):
    exports.do_export_intake(imported, by=intake_staff)
    exports.do_export_intake(imported, by=intake_staff)

    rows = AuditEvent.objects.filter(action="intake.exported")
    assert rows.count() == 2
    for row in rows:
        assert (row.actor, row.clinic, row.patient) == (
            intake_staff,
            imported.clinic,
            imported.patient,
        )
        assert (row.object_type, row.object_id) == ("intake", str(imported.pk))
        assert row.object_version == str(imported.version)
        assert row.detail == {}


def test_it_keeps_the_watermark_beside_the_closed_document(imported, intake_staff):
    exported = exports.do_export_intake(imported, by=intake_staff)

    row = AuditEvent.objects.get(action="intake.exported")
    assert exported.watermark == (
        f"intake/1 export of intake {imported.pk} by intake at "
        f"{row.occurred_at:%Y-%m-%dT%H:%M:%SZ} (audit event {row.seq})"
    )
    assert set(parse_json(exported.text)) <= set(SCHEMA["properties"])
    assert "intake at" not in exported.text
