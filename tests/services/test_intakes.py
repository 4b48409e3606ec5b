"""Saving a section: version check, history, signed intakes, concurrent saves."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from screening.models import Intake, IntakeSection, SectionRevision
from screening.services import intakes
from tests.factories import IntakeFactory, PatientFactory

VITALS = {"bp_systolic": 124, "bp_diastolic": 80}


@pytest.fixture
def intake(clinic, intake_staff) -> Intake:
    patient = PatientFactory(clinic=clinic, created_by=intake_staff)
    return IntakeFactory(patient=patient, created_by=intake_staff)


def save(section: IntakeSection, values, *, version: int, by) -> IntakeSection:
    return intakes.do_save_section(
        section, values, missing_reasons={}, version=version, by=by
    )


def test_it_saves_a_section_with_its_history(intake, intake_staff):
    section = intake.sections.get(kind="vitals")

    save(section, VITALS, version=0, by=intake_staff)

    revision = SectionRevision.objects.get(section=section)
    assert (revision.version, revision.data, revision.saved_by) == (
        1,
        VITALS,
        intake_staff,
    )
    assert section.version == 1


def test_it_refuses_a_save_at_an_old_version(intake, intake_staff):
    section = intake.sections.get(kind="vitals")
    save(section, VITALS, version=0, by=intake_staff)

    with pytest.raises(intakes.StaleEditError):
        save(section, {**VITALS, "bp_systolic": 130}, version=0, by=intake_staff)

    section.refresh_from_db()
    assert section.data["bp_systolic"] == 124


def test_it_refuses_to_change_a_signed_intake(intake, intake_staff):
    Intake.objects.filter(pk=intake.pk).update(status=Intake.Status.SIGNED)
    intake.refresh_from_db()
    section = intake.sections.get(kind="vitals")

    with pytest.raises(intakes.SignedIntakeError):
        save(section, VITALS, version=0, by=intake_staff)

    assert not SectionRevision.objects.filter(section=section).exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite runs one writer at a time: racing saves need PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("writers", [2, 20])
def test_it_lets_exactly_one_of_concurrent_saves_win__t_int_02(
    intake, intake_staff, writers
):
    pk = intake.sections.get(kind="vitals").pk
    barrier = threading.Barrier(writers)
    outcomes: list[object] = []

    def write(n: int) -> None:
        try:
            section = IntakeSection.objects.select_related("intake").get(pk=pk)
            barrier.wait()  # every thread holds version 0 before any saves
            save(
                section, {**VITALS, "bp_systolic": 100 + n}, version=0, by=intake_staff
            )
            outcomes.append("saved")
        except intakes.StaleEditError:
            outcomes.append("stale")
        except Exception as error:  # noqa: BLE001 - any other outcome fails the test
            outcomes.append(error)
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(map(str, outcomes)) == ["saved"] + ["stale"] * (writers - 1)
    section = IntakeSection.objects.get(pk=pk)
    assert section.version == 1
    assert section.data["bp_diastolic"] == 80
    assert SectionRevision.objects.filter(section=section).count() == 1


def flag_codes(intake: Intake) -> set[str]:
    intake = Intake.objects.select_related("current_screening").get(pk=intake.pk)
    return {flag["code"] for flag in intake.current_screening.result["flags"]}


def test_it_screens_the_sections_it_read_with_the_page(intake, intake_staff):
    page = Intake.objects.get(pk=intake.pk)
    vitals = page.sections_by_kind["vitals"]

    save(vitals, {"bp_systolic": 190, "bp_diastolic": 80}, version=0, by=intake_staff)

    intake.refresh_from_db()
    assert intake.current_screening.intake_version == intake.version
    assert "CI-BP-SEVERE" in flag_codes(intake)


def test_it_screens_what_a_colleague_saved_after_the_page_was_read(
    intake, intake_staff
):
    page = Intake.objects.get(pk=intake.pk)
    vitals = page.sections_by_kind["vitals"]
    # Between the page's read and its save, a colleague records a pregnancy.
    demographics = IntakeSection.objects.get(intake=intake, kind="demographics")
    save(demographics, PREGNANT, version=0, by=intake_staff)

    save(vitals, {"bp_systolic": 190, "bp_diastolic": 80}, version=0, by=intake_staff)

    assert {"CI-BP-SEVERE", "REPRO-PREGNANT"} <= flag_codes(intake)


PREGNANT = {
    "age": 40,
    "sex_for_scoring": "female",
    "reproductive_potential": True,
    "pregnancy_status": "pregnant",
    "breastfeeding": False,
}


def test_it_writes_every_column_of_the_sections_and_their_revisions():
    # The one-statement INSERT names each column: a new one must be added there.
    def columns(model):
        return {f.column for f in model._meta.concrete_fields if not f.primary_key}

    assert set(intakes.SECTION_COLUMNS) == columns(IntakeSection)
    assert set(intakes.REVISION_COLUMNS) == columns(SectionRevision)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the one-statement INSERT is PostgreSQL's"
)
def test_it_stores_sections_in_one_statement_as_the_orm_does(clinic, intake_staff):
    answers = intakes.document_answers(
        {
            **{kind: {} for kind in intakes.SECTIONS},
            "vitals": {"bp_systolic": 124, "bmi": Decimal("22.5"), "weight_kg": None},
            "medications": None,
            "scales": {"phq9": [0, 1, None], "note": "ü \\ \" '"},
            "missing_reasons": {"scales.phq9[2]": "declined"},
        }
    )
    answered = {kind: answers[kind] for kind in ("vitals", "medications", "scales")}
    now = timezone.now()

    def stored(insert):
        patient = PatientFactory(clinic=clinic, created_by=intake_staff)
        intake = Intake.objects.create(
            clinic=clinic,
            patient=patient,
            intake_on=now.date(),
            created_by=intake_staff,
        )
        sections = [
            IntakeSection(intake=intake, kind=kind, carry_state="")
            for kind in intakes.SECTIONS
        ]
        for section in sections:
            if section.kind in answered:
                section.data = answered[section.kind].data
                section.missing_reasons = answered[section.kind].missing_reasons
                section.version, section.updated_by = 1, intake_staff
                section.updated_at = now
        with CaptureQueriesContext(connection) as queries:
            insert(sections, by=intake_staff, now=now, origin="import")
        assert sections == list(intake.sections.order_by("pk"))  # ids, in order
        rows = IntakeSection.objects.filter(intake=intake).order_by("pk")
        revisions = SectionRevision.objects.filter(section__intake=intake)
        return (
            len(queries.captured_queries),
            list(rows.values(*list(intakes.SECTION_COLUMNS)[1:])),
            list(revisions.order_by("pk").values(*intakes.REVISION_COLUMNS[1:])),
        )

    one_statement = stored(intakes.insert_sections_in_one_statement)
    with_the_orm = stored(intakes.insert_sections)
    assert one_statement[1:] == with_the_orm[1:]
    assert (one_statement[0], with_the_orm[0]) == (1, 2)
    data = [row["data"] for row in one_statement[1]]
    assert data.count(None) == len(intakes.SECTIONS) - 2  # unanswered, and null
