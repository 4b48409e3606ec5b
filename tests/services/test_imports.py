import itertools
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.intake_format import documents_equal, dumps, normal_form
from screening.models import (
    AuditEvent,
    ImportRecord,
    Intake,
    IntakeSection,
    Patient,
    Screening,
    SectionRevision,
)
from screening.services import exports, imports
from screening.services.intakes import do_save_section
from tests.documents import (
    DOCUMENT_NAMES,
    TODAY,
    loads,
    read,
    row_counts,
    vignette_params,
    with_patient,
)
from tests.factories import PatientFactory
from tests.intake_format.strategies import documents

BASE = "checklist-all-false-with-nulls.json"


def import_files(files: list[tuple[str, bytes]], clinic, by, **kwargs: Any):
    return imports.do_import_documents(
        files, clinic=clinic, by=by, today=kwargs.pop("today", TODAY), **kwargs
    )


def import_one(name: str, clinic, by) -> Intake:
    report = import_files([(name, read(name))], clinic, by)
    assert not report.is_refused, report.errors
    return report.imported[0].intake


def changed(document: dict[str, Any], **sections: Any) -> bytes:
    return dumps({**document, **sections}).encode()


def base_text() -> str:
    return read(BASE).decode()


def assert_exported_normal_form(exported: dict[str, Any], original: dict[str, Any]):
    expected = normal_form(original)
    assert documents_equal(exported, original)
    # Stricter than equality: the same key order and number text, except that the
    # reasons come back grouped by section (JSON object order carries no meaning).
    reasons = exported.pop("missing_reasons", None)
    assert reasons == expected.pop("missing_reasons", None)
    assert dumps(exported) == dumps(expected)


@pytest.mark.parametrize("name", DOCUMENT_NAMES)
def test_it_exports_what_it_imported_in_normal_form(clinic, intake_staff, name):
    intake = import_one(name, clinic, intake_staff)

    exported = exports.export_document(Intake.objects.get(pk=intake.pk))

    assert_exported_normal_form(exported, loads(read(name)))


@pytest.mark.parametrize("path", vignette_params())
def test_it_round_trips_every_vignette(clinic, intake_staff, path):
    raw = with_patient(path)
    report = import_files([(path.name, raw)], clinic, intake_staff)
    assert not report.is_refused, report.errors

    exported = exports.export_document(report.imported[0].intake)

    assert_exported_normal_form(exported, loads(raw))


def test_it_keeps_doses_and_bmi_exact_through_the_database(clinic, intake_staff):
    intake = import_one(BASE, clinic, intake_staff)

    stored = {s.kind: s.data for s in IntakeSection.objects.filter(intake=intake)}

    dose = stored["medications"][0]["daily_dose_mg"]
    assert isinstance(dose, Decimal)
    assert str(dose) == "0.0125"
    assert str(stored["vitals"]["bmi"]) == "31.5"
    assert str(stored["antidepressant_trials"][1]["weeks_at_dose"]) == "6.5"
    assert str(stored["antidepressant_trials"][1]["adherence_pct"]) == "79.5"


def test_it_stores_integers_written_with_a_fraction_as_integers(clinic, intake_staff):
    intake = import_one("every-optional-key.json", clinic, intake_staff)

    exported = dumps(exports.export_document(intake))

    assert '"age": 61,' in exported
    assert '"heart_rate": 64,' in exported


def test_it_stores_each_section_in_normal_form(clinic, intake_staff):
    intake = import_one(BASE, clinic, intake_staff)

    history = intake.sections.get(kind="medical_history").data

    assert "checklist_default" not in history
    assert len([key for key in history if not key.endswith("_detail")]) == 22
    assert history["aneurysmal_vascular_disease"] is False
    assert history["heart_failure_nyha_class"] == 0
    assert history["revascularization_date"] is None  # explicit null stays unanswered
    assert history["mi_or_acs_date"] is False


def test_it_keeps_a_null_item_and_its_reason_as_null(clinic, intake_staff):
    intake = import_one("lists-null-and-empty.json", clinic, intake_staff)
    sections = {s.kind: s for s in intake.sections.all()}

    exported = exports.export_document(intake)

    assert sections["vitals"].data["bp_systolic"] is None
    assert sections["vitals"].missing_reasons == {
        "vitals.bp_systolic": "not_asked",
        "vitals.bp_diastolic": "not_asked",
    }
    assert sections["scales"].missing_reasons == {
        "scales.phq9[8]": "declined",
        "scales.cssrs_screener.q6": "declined",
    }
    assert exported["scales"]["phq9"][8] is None
    assert exported["scales"]["cssrs_screener"]["q6"] is None
    assert exported["medical_history"]["aneurysmal_vascular_disease"] is None
    assert exported["missing_reasons"]["scales.phq9[8]"] == "declined"


def test_it_keeps_null_lists_apart_from_empty_lists(clinic, intake_staff):
    intake = import_one("lists-null-and-empty.json", clinic, intake_staff)

    exported = exports.export_document(intake)

    assert exported["allergies"] is None
    assert exported["medications"] == []
    assert exported["antidepressant_trials"] is None
    assert exported["substance_use"]["substance_use_disorders"] == []
    assert exported["substance_use"]["non_medical_use"] is None


def test_it_writes_the_intake_with_version_1_sections_and_history(clinic, intake_staff):
    intake = import_one(BASE, clinic, intake_staff)
    intake.refresh_from_db()

    sections = list(intake.sections.all())
    revisions = SectionRevision.objects.filter(section__intake=intake)

    assert intake.status == Intake.Status.IN_PROGRESS
    assert intake.version == 1
    assert intake.intake_on == date(2026, 10, 6)
    assert intake.clinic == clinic
    assert len(sections) == 10
    assert {s.version for s in sections} == {1}
    assert {s.updated_by for s in sections} == {intake_staff}
    assert revisions.count() == 10
    assert set(revisions.values_list("origin", flat=True)) == {"import"}
    assert set(revisions.values_list("saved_by", flat=True)) == {intake_staff.pk}


def test_it_audits_each_imported_intake_with_ids_only(clinic, intake_staff):
    report = import_files(
        [(n, read(n)) for n in (BASE, "every-optional-key.json")], clinic, intake_staff
    )

    rows = AuditEvent.objects.filter(action="intake.imported").order_by("seq")

    assert [row.object_id for row in rows] == [
        str(item.intake.pk) for item in report.imported
    ]
    for position, row in enumerate(rows):
        assert row.actor == intake_staff
        assert row.clinic == clinic
        assert row.object_type == "intake"
        assert row.detail == {
            "batch_size": 2,
            "batch_position": position,
            "warnings": 0,
        }
    # No value of the documents reaches an audit row.
    text = " ".join(
        str(list(row.__dict__.values())) for row in AuditEvent.objects.all()
    )
    for value in ("A-1001", "levothyroxine", "penicillin", "2026-10-06", BASE):
        assert value not in text


def test_it_screens_each_imported_intake(clinic, intake_staff):
    intake = import_one("implausible-but-valid.json", clinic, intake_staff)
    intake.refresh_from_db()

    screening = intake.current_screening

    assert screening is not None
    assert screening.intake_version == 1
    assert screening.outcome == Screening.Outcome.ABSOLUTE_CONTRAINDICATION
    codes = {flag["code"] for flag in screening.result["flags"]}
    assert "CI-BP-SEVERE" in codes
    assert AuditEvent.objects.filter(action="intake.screened").count() == 1


def test_it_links_the_intake_to_the_patient_with_the_mrn(clinic, intake_staff):
    patient = PatientFactory(clinic=clinic, mrn="A-1001")

    intake = import_one(BASE, clinic, intake_staff)

    assert intake.patient == patient
    assert not AuditEvent.objects.filter(action="patient.created").exists()


def test_it_creates_an_unknown_patient_with_only_the_mrn(clinic, intake_staff):
    report = import_files([(BASE, read(BASE))], clinic, intake_staff)

    patient = report.imported[0].intake.patient

    assert report.imported[0].patient_created
    assert (patient.clinic, patient.mrn) == (clinic, "A-1001")
    assert (patient.given_name, patient.family_name) == ("", "")
    assert patient.date_of_birth is None
    created = AuditEvent.objects.get(action="patient.created")
    assert (created.patient, created.actor) == (patient, intake_staff)


def test_it_matches_the_mrn_in_the_target_clinic_only(
    clinic, other_clinic, intake_staff
):
    elsewhere = PatientFactory(clinic=other_clinic, mrn="A-1001")

    intake = import_one(BASE, clinic, intake_staff)

    assert intake.patient != elsewhere
    assert intake.patient.clinic == clinic


def test_it_creates_one_patient_for_two_intakes_with_a_new_mrn(clinic, intake_staff):
    document = loads(read(BASE))
    later = changed(document, intake_date="2026-10-20")

    report = import_files(
        [("a.json", read(BASE)), ("b.json", later)], clinic, intake_staff
    )

    first, second = (item.intake for item in report.imported)
    assert first.patient == second.patient
    assert [item.patient_created for item in report.imported] == [True, False]
    assert Patient.objects.filter(clinic=clinic).count() == 1


def test_it_keeps_warnings_with_the_import_record(clinic, intake_staff):
    name = "implausible-but-valid.json"

    report = import_files([(name, read(name))], clinic, intake_staff)

    record = ImportRecord.objects.get(intake=report.imported[0].intake)
    assert [w["path"] for w in record.warnings] == [
        "vitals.bp_systolic",
        "antidepressant_trials[0].weeks_at_dose",
        "antidepressant_trials[0].outcome",
    ]
    assert all(w["message"] for w in record.warnings)
    assert report.warning_count == 3
    assert (record.file_name, record.imported_by) == (name, intake_staff)
    # The values stay as imported: a warning never changes the document.
    assert record.intake.sections.get(kind="vitals").data["bp_systolic"] == 186


def valid() -> dict[str, Any]:
    return loads(read(BASE))


REFUSED = [
    ("truncated JSON", lambda: b'{"format": "intake/1", ', {"(document)"}),
    ("not UTF-8", lambda: read(BASE).replace(b"penicillin", b"p\xe9nicillin"), None),
    (
        "NaN",
        lambda: base_text().replace('"bmi": 31.5', '"bmi": NaN').encode(),
        {"vitals.bmi"},
    ),
    (
        "duplicate key",
        lambda: (
            base_text()
            .replace('"heart_rate": 71', '"heart_rate": 71, "heart_rate": 72')
            .encode()
        ),
        {"vitals.heart_rate"},
    ),
    (
        "unsupported format",
        lambda: changed(valid(), format="intake/2"),
        {"format"},
    ),
    (
        "three schema errors",
        lambda: changed(
            valid(),
            demographics={**valid()["demographics"], "age": "47"},
            vitals={**valid()["vitals"], "bp_systolic": 900, "pulse": 71},
        ),
        {"demographics.age", "vitals.bp_systolic", "vitals.pulse"},
    ),
    (
        "intake date after today",
        lambda: changed(valid(), intake_date="2026-11-26"),
        {"intake_date"},
    ),
    (
        "event after the intake date",
        lambda: changed(
            valid(),
            medical_history={
                **valid()["medical_history"],
                "mi_or_acs_date": "2026-10-07",
            },
        ),
        {"medical_history.mi_or_acs_date"},
    ),
    (
        "no patient",
        lambda: dumps({k: v for k, v in valid().items() if k != "patient"}).encode(),
        {"patient"},
    ),
    (
        "NUL in text",
        lambda: changed(
            valid(), indication={**valid()["indication"], "detail": "a\0b"}
        ),
        {"indication.detail"},
    ),
    (
        "NUL after an escaped backslash",
        lambda: changed(
            valid(), indication={**valid()["indication"], "detail": "\\u0000\0"}
        ),
        {"indication.detail"},
    ),
    (
        "larger than 2 MB",
        lambda: read(BASE).replace(b"{", b"{" + b" " * imports.MAX_FILE_BYTES, 1),
        {"(document)"},
    ),
]


@pytest.mark.parametrize(
    ("raw", "paths"),
    [pytest.param(make, paths, id=case) for case, make, paths in REFUSED],
)
def test_it_refuses_an_invalid_document_and_writes_nothing(
    clinic, intake_staff, raw, paths
):
    before = row_counts()

    report = import_files([("bad.json", raw())], clinic, intake_staff)

    assert report.is_refused
    assert report.imported == []
    assert {error.file_name for error in report.errors} == {"bad.json"}
    assert all(error.message for error in report.errors)
    if paths is not None:
        assert {error.path for error in report.errors} >= paths
    assert row_counts() == before


def test_it_lists_every_schema_error_not_only_the_first(clinic, intake_staff):
    raw = REFUSED[5][1]()

    report = import_files([("bad.json", raw)], clinic, intake_staff)

    assert len(report.errors) >= 3


def test_it_writes_nothing_when_one_file_of_the_batch_is_refused(clinic, intake_staff):
    good = [(name, read(name)) for name in DOCUMENT_NAMES]
    bad = ("future.json", changed(valid(), intake_date="2027-01-01"))
    before = row_counts()

    report = import_files([*good, bad], clinic, intake_staff)

    assert report.is_refused
    assert {error.file_name for error in report.errors} == {"future.json"}
    assert row_counts() == before


def test_it_lists_the_errors_of_every_refused_file(clinic, intake_staff):
    files = [
        ("one.json", b"[]"),
        ("two.json", read(BASE)),
        ("three.json", changed(valid(), vitals={"bp_systolic": 120}, allergies=3)),
    ]

    report = import_files(files, clinic, intake_staff)

    by_file = {
        name: [e.path for e in errors]
        for name, errors in itertools.groupby(report.errors, key=lambda e: e.file_name)
    }
    assert by_file["one.json"] == ["(document)"]
    assert "two.json" not in by_file
    assert {"vitals.bp_diastolic", "allergies"} <= set(by_file["three.json"])
    assert str(report.errors[0]).startswith("one.json: (document): ")


def test_it_refuses_an_empty_batch(clinic, intake_staff):
    report = import_files([], clinic, intake_staff)

    assert report.is_refused


@pytest.mark.parametrize(
    ("name", "fingerprint"),
    [
        (BASE, "bcec020bbd513dd144f83dc177ee6cdadca2f0af58da3e0434417ec54816181e"),
        (
            "every-optional-key.json",
            "deb6e399a0c947c3796291e18d2d876cfab0994d62217a29a475cc02dea83f0f",
        ),
    ],
)
def test_it_keeps_the_fingerprint_earlier_imports_were_stored_with(name, fingerprint):
    # A changed fingerprint would let a document imported before through again.
    assert imports.document_sha256(normal_form(loads(read(name)))) == fingerprint


def test_it_refuses_a_document_imported_before(clinic, intake_staff):
    first = import_one(BASE, clinic, intake_staff)
    before = row_counts()

    report = import_files([("again.json", read(BASE))], clinic, intake_staff)

    assert [e.path for e in report.errors] == ["(document)"]
    assert f"already imported as intake {first.pk}" in report.errors[0].message
    assert row_counts() == before


def test_it_refuses_the_same_document_twice_in_one_batch(clinic, intake_staff):
    # The same answers with the reasons in another order are the same document.
    document = valid()
    reordered = dict(reversed(list(document["missing_reasons"].items())))
    files = [
        ("a.json", read(BASE)),
        ("b.json", changed(document, missing_reasons=reordered)),
    ]

    report = import_files(files, clinic, intake_staff)

    assert [(e.file_name, e.message) for e in report.errors] == [
        ("b.json", "the same document as a.json in this batch")
    ]


def test_it_imports_the_same_document_into_another_clinic(
    clinic, other_clinic, intake_staff
):
    import_one(BASE, clinic, intake_staff)

    report = import_files([(BASE, read(BASE))], other_clinic, intake_staff)

    assert not report.is_refused


def test_it_refuses_a_deleted_patients_mrn(clinic, intake_staff):
    PatientFactory(clinic=clinic, mrn="A-1001", is_deleted=True)
    before = row_counts()

    report = import_files([(BASE, read(BASE))], clinic, intake_staff)

    assert [e.path for e in report.errors] == ["patient.mrn"]
    assert row_counts() == before


def test_it_keeps_later_form_edits_apart_from_the_import(clinic, intake_staff):
    intake = import_one(BASE, clinic, intake_staff)
    vitals = intake.sections.get(kind="vitals")

    do_save_section(
        vitals,
        {**vitals.data, "heart_rate": 75},
        missing_reasons={},
        version=1,
        by=intake_staff,
    )

    origins = list(
        vitals.revisions.order_by("version").values_list("version", "origin")
    )
    assert origins == [(1, "import"), (2, "form")]
    assert exports.export_document(intake)["vitals"]["heart_rate"] == 75


def test_it_creates_the_system_user_once_inactive_and_without_password(db):
    user = imports.do_get_system_user()

    assert imports.do_get_system_user() == user
    assert user.username == imports.SYSTEM_USERNAME
    assert not user.is_active
    assert not user.has_usable_password()
    assert AuditEvent.objects.filter(action="user.created").count() == 1


_serial = itertools.count()


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    # PostgreSQL cannot store U+0000, so the importer refuses it (tested above).
    document=documents().filter(lambda d: "\\u0000" not in dumps(d)),
    mrn_suffix=st.integers(0, 10**6),
)
def test_it_round_trips_generated_documents(clinic, intake_staff, document, mrn_suffix):
    # A new MRN per example: examples share one database, and a repeat would be refused
    # as a duplicate.
    document["patient"] = {"mrn": f"H-{next(_serial)}-{mrn_suffix}"}
    raw = dumps(document).encode()

    report = import_files(
        [("generated.json", raw)], clinic, intake_staff, today=date(2031, 1, 1)
    )

    assert not report.is_refused, report.errors
    exported = exports.export_document(report.imported[0].intake)
    assert_exported_normal_form(exported, document)


def test_it_takes_no_savepoint_for_the_patient_sections_or_screening(
    clinic, intake_staff
):
    # The patient, the sections and the screening are written inside the batch's own
    # transaction: a savepoint each would be two more round trips per document (#19).
    with CaptureQueriesContext(connection) as captured:
        import_one(BASE, clinic, intake_staff)

    assert Patient.objects.filter(clinic=clinic).count() == 1  # one was created
    savepoints = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith("SAVEPOINT")
    ]
    # The test's own transaction makes the batch's atomic block a savepoint.
    assert len(savepoints) == 1, savepoints


def test_it_stores_the_intake_and_its_import_record_as_it_holds_them(
    clinic, intake_staff
):
    with CaptureQueriesContext(connection) as captured:
        report = import_files([(BASE, read(BASE))], clinic, intake_staff)

    [imported] = report.imported
    for held in (imported.intake, imported.intake.import_record):
        stored = type(held).objects.get(pk=held.pk)
        for field in type(held)._meta.concrete_fields:
            assert getattr(stored, field.attname) == getattr(held, field.attname)
    writes = [
        query["sql"]
        for query in captured.captured_queries
        if '"screening_importrecord"' in query["sql"]
        and not query["sql"].startswith("SELECT")
    ]
    assert len(writes) == 1, writes
    # On PostgreSQL the intake is written by the same statement (#19).
    together = '"screening_intake" (' in writes[0]
    assert together == (connection.vendor == "postgresql")


def test_a_taken_mrn_found_only_when_writing_refuses_the_whole_batch(
    clinic, intake_staff, monkeypatch
):
    # Another import created the patient between the check and the write: the
    # batch's transaction ends with the error, nothing of the batch stays.
    PatientFactory(clinic=clinic, mrn="TAKEN-LATE")
    monkeypatch.setattr(imports, "_existing_patient", lambda stored: (None, None))
    document = valid()
    document["patient"] = {"mrn": "TAKEN-LATE"}
    before = row_counts()

    with pytest.raises(IntegrityError):
        import_files([("late.json", dumps(document).encode())], clinic, intake_staff)

    assert row_counts() == before


def test_a_failure_after_the_patient_is_written_leaves_nothing(
    clinic, intake_staff, monkeypatch
):
    def engine_down(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the screening failed")

    monkeypatch.setattr(imports.screenings, "do_screen_intake", engine_down)
    before = row_counts()

    with pytest.raises(RuntimeError):
        import_one(BASE, clinic, intake_staff)

    assert row_counts() == before
    assert not Patient.objects.filter(clinic=clinic).exists()
