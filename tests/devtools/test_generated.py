"""Generated intakes: valid, varied documents from a seed, stored in audited batches."""

from collections import Counter
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from devtools import generated
from devtools.generated_documents import generated_document, mrn_of
from screening import audit, engine
from screening.intake_format import documents_equal, validate_document, warnings_for
from screening.models import AuditEvent, Intake, IntakeSection, Patient, SectionRevision
from screening.services.documents import intake_document
from tests.factories import ClinicFactory, IntakeFactory, PatientFactory

UNTIL = date(2026, 10, 31)
SAMPLE = [
    generated_document(seed, n, until=UNTIL)[0] for seed in (1, 2) for n in range(200)
]


def test_it_makes_documents_that_validate_without_warnings():
    for document in SAMPLE:
        assert validate_document(document, today=UNTIL) == [], document
        assert warnings_for(document) == [], document


def test_it_spreads_the_outcomes_like_a_clinic():
    ruleset = engine.load_default_ruleset()
    outcomes = Counter(engine.screen_document(d, ruleset)["outcome"] for d in SAMPLE)
    share = {outcome: n / len(SAMPLE) for outcome, n in outcomes.items()}
    assert 0.06 < share["absolute_contraindication"] < 0.2, share
    assert 0.3 < share["needs_clinician_review"] < 0.7, share
    assert 0.2 < share["no_flags"] < 0.5, share


def test_it_varies_lists_reasons_and_indications():
    medications = Counter(
        "null"
        if d["medications"] is None
        else "empty"
        if not d["medications"]
        else "rows"
        for d in SAMPLE
    )
    assert set(medications) == {"null", "empty", "rows"}, medications
    assert sum("missing_reasons" in d for d in SAMPLE) > 20
    assert len({d["indication"]["primary"] for d in SAMPLE}) == 5
    assert len({d["intake_date"] for d in SAMPLE}) > 100


def test_it_gives_the_same_document_for_the_same_seed_and_number():
    assert generated_document(5, 42, until=UNTIL) == generated_document(
        5, 42, until=UNTIL
    )
    assert generated_document(5, 42, until=UNTIL) != generated_document(
        6, 42, until=UNTIL
    )


def test_it_records_the_patient_the_document_describes():
    document, patient = generated_document(3, 7, until=UNTIL)
    intake_on = date.fromisoformat(document["intake_date"])
    assert document["patient"] == {"mrn": mrn_of(7)} == {"mrn": "GEN-0000007"}
    assert (
        Patient(date_of_birth=patient.date_of_birth).age_on(intake_on)
        == (document["demographics"]["age"])
    )


@pytest.fixture
def user(intake_staff):
    return intake_staff


def test_it_stores_each_document_screened_as_an_import_would(clinic, user):
    report = generated.do_generate_intakes(clinic, 12, seed=9, by=user, until=UNTIL)

    intakes = Intake.objects.filter(clinic=clinic).select_related(
        "patient", "current_screening"
    )
    assert report.count == intakes.count() == 12
    ruleset = engine.load_default_ruleset()
    for number, intake in enumerate(intakes.order_by("pk"), start=1):
        expected, person = generated_document(9, number, until=UNTIL)
        stored = intake_document(intake)
        assert documents_equal(stored, expected)
        assert intake.patient.mrn == person.mrn
        assert intake.patient.date_of_birth == person.date_of_birth
        assert intake.version == 1
        screening = intake.current_screening
        assert screening.intake_version == 1
        assert screening.result == engine.screen_document(stored, ruleset)
        assert screening.outcome == screening.result["outcome"]
    sections = IntakeSection.objects.filter(intake__clinic=clinic)
    assert sections.count() == SectionRevision.objects.count() == 120
    assert set(sections.values_list("version", flat=True)) == {1}
    assert set(SectionRevision.objects.values_list("origin", flat=True)) == {
        "generated"
    }
    assert set(intakes.values_list("status", flat=True)) <= {
        "ready_for_review",
        "in_progress",
    }


def test_it_writes_one_audit_row_per_batch(clinic, user):
    generated.do_generate_intakes(
        clinic, 25, seed=1, by=user, until=UNTIL, batch_size=10
    )

    rows = AuditEvent.objects.filter(action="intake.created").order_by("seq")
    ids = list(Intake.objects.order_by("pk").values_list("pk", flat=True))
    assert [row.detail["count"] for row in rows] == [10, 10, 5]
    assert [(row.detail["first_id"], row.detail["last_id"]) for row in rows] == [
        (ids[0], ids[9]),
        (ids[10], ids[19]),
        (ids[20], ids[24]),
    ]
    assert {row.detail["ruleset_version"] for row in rows} == {"default-1"}
    assert {(row.object_type, row.clinic_id, row.actor_id) for row in rows} == {
        ("intake", clinic.pk, user.pk)
    }
    assert audit.find_chain_break()[0] is None


def test_it_leaves_the_id_sequences_past_what_it_wrote(clinic, user):
    generated.do_generate_intakes(clinic, 3, seed=1, by=user, until=UNTIL)

    intake = IntakeFactory(patient=PatientFactory(clinic=clinic, created_by=user))

    assert intake.pk > Intake.objects.exclude(pk=intake.pk).latest("pk").pk


def test_it_numbers_the_patients_on_from_an_earlier_run(clinic, user):
    generated.do_generate_intakes(clinic, 3, seed=1, by=user, until=UNTIL)
    generated.do_generate_intakes(clinic, 2, seed=1, by=user, until=UNTIL)

    mrns = sorted(Patient.objects.filter(clinic=clinic).values_list("mrn", flat=True))
    assert mrns == [mrn_of(n) for n in range(1, 6)]


def test_it_gives_the_same_data_with_worker_processes(clinic, user):
    other = ClinicFactory(slug="clinic-two")
    generated.do_generate_intakes(clinic, 7, seed=4, by=user, until=UNTIL)
    generated.do_generate_intakes(
        other, 7, seed=4, by=user, until=UNTIL, batch_size=3, processes=2
    )

    def documents(of):
        return [
            intake_document(intake)
            for intake in Intake.objects.filter(clinic=of).order_by("pk")
        ]

    assert documents(clinic) == documents(other)


def test_the_command_reports_what_it_made(clinic, user, capsys):
    call_command("generate_intakes", "4", "--clinic", clinic.slug, "--seed", "3")

    out = capsys.readouterr().out
    assert out.startswith("Generated 4 intakes")
    assert Intake.objects.filter(clinic=clinic).count() == 4


def test_the_command_refuses_an_unknown_clinic(db):
    with pytest.raises(CommandError, match="No clinic"):
        call_command("generate_intakes", "4", "--clinic", "nowhere")
