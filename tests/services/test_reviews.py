import copy
import io
import threading
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction

from screening.models import (
    Acknowledgement,
    AuditEvent,
    Disposition,
    Intake,
    IntakeSection,
    ReviewRecordIsImmutableError,
    Screening,
    SectionRevision,
    SignOff,
)
from screening.services import intakes, reviews, rulesets
from screening.services.review_hashes import (
    compute_summary_hash,
    plain,
    review_items,
    sections_as_of,
)
from tests.factories import screened_intake
from tests.services.review_documents import REALISTIC, with_aneurysm

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="database triggers: PostgreSQL only"
)


def fresh(intake: Intake) -> Intake:
    return Intake.objects.select_related("clinic", "patient", "current_screening").get(
        pk=intake.pk
    )


def acknowledge_all(intake: Intake, clinician, *, skip: str = "") -> None:
    intake = fresh(intake)
    for kind, item in review_items(intake.current_screening):
        if item["code"] == skip:
            continue
        reason = (
            "reviewed_will_monitor"
            if kind == Acknowledgement.Kind.FLAG
            else "patient_declined"
        )
        reviews.do_acknowledge(
            intake,
            kind=kind,
            rule_code=item["code"],
            reason_code=reason,
            note="",
            by=clinician,
        )


def decide(intake: Intake, clinician, **kwargs) -> Disposition:
    values = {"decision": "proceed", "rationale": "Benefit outweighs the risks."}
    values.update(kwargs)
    return reviews.do_set_disposition(fresh(intake), by=clinician, **values)


def page_hash(intake: Intake) -> str:
    """The hash the sign page carries for the intake as it stands (issue 13 F1)."""
    intake = fresh(intake)
    screening = intake.current_screening
    return reviews.compute_page_hash(
        intake,
        sections=list(intake.sections.all()),
        screening=screening,
        state=reviews.load_review_state(intake, screening),
    )


def sign(intake: Intake, clinician) -> SignOff:
    return reviews.do_sign_off(
        fresh(intake), page_sha256=page_hash(intake), by=clinician
    )


def reviewed(intake: Intake, clinician) -> Intake:
    acknowledge_all(intake, clinician)
    decide(intake, clinician)
    return fresh(intake)


def signed(intake: Intake, clinician) -> SignOff:
    return sign(reviewed(intake, clinician), clinician)


@pytest.fixture
def intake(clinic, intake_staff):
    return screened_intake(clinic, REALISTIC, by=intake_staff)


def test_it_refuses_sign_off_while_a_flag_is_unacknowledged(intake, clinician):
    acknowledge_all(intake, clinician, skip="CV-MI-12M")
    decide(intake, clinician)
    with pytest.raises(reviews.SignOffRefusedError, match="Acknowledge every flag"):
        sign(intake, clinician)
    assert not SignOff.objects.exists()
    assert fresh(intake).status == Intake.Status.READY_FOR_REVIEW


def test_it_refuses_sign_off_while_a_not_evaluable_item_is_open(intake, clinician):
    acknowledge_all(intake, clinician, skip="PSY-PERSONALITY")
    decide(intake, clinician)
    with pytest.raises(reviews.SignOffRefusedError, match="accept each"):
        sign(intake, clinician)
    assert not SignOff.objects.exists()


def test_it_refuses_sign_off_without_a_disposition(intake, clinician):
    acknowledge_all(intake, clinician)
    with pytest.raises(reviews.SignOffRefusedError, match="disposition"):
        sign(intake, clinician)


def test_it_refuses_sign_off_of_an_incomplete_screening__t_err_04(intake, clinician):
    reviewed(intake, clinician)
    Screening.objects.filter(pk=intake.current_screening_id).update(
        outcome=Screening.Outcome.INCOMPLETE
    )
    with pytest.raises(reviews.SignOffRefusedError, match="incomplete"):
        sign(intake, clinician)
    assert not SignOff.objects.exists()


def test_it_refuses_sign_off_before_screening__t_int_05(intake, clinician):
    Intake.objects.filter(pk=intake.pk).update(current_screening=None)
    with pytest.raises(reviews.SignOffRefusedError, match="not been screened"):
        reviews.do_sign_off(fresh(intake), page_sha256="0" * 64, by=clinician)
    assert not SignOff.objects.exists()


def test_it_refuses_sign_off_when_the_summary_changed__t_int_03(
    intake, clinician, intake_staff
):
    intake = reviewed(intake, clinician)
    seen = page_hash(intake)
    # Intake staff save an answer no flag reads after the clinician opened the page.
    section = IntakeSection.objects.get(intake=intake, kind="vitals")
    intakes.do_save_section(
        section,
        {**section.data, "heart_rate": 91},
        missing_reasons={},
        version=section.version,
        by=intake_staff,
    )
    with pytest.raises(reviews.SummaryChangedError):
        reviews.do_sign_off(fresh(intake), page_sha256=seen, by=clinician)
    assert not SignOff.objects.exists()
    assert not AuditEvent.objects.filter(action="review.signed").exists()
    assert page_hash(intake) != seen
    sign(intake, clinician)


def test_it_signs_and_both_hashes_verify(intake, clinician):
    signoff = signed(intake, clinician)
    assert fresh(intake).status == Intake.Status.SIGNED
    assert signoff.status == SignOff.Status.ACTIVE
    assert signoff.ruleset_version == "default-1"
    assert signoff.screening_id == intake.current_screening_id
    assert len(signoff.summary_sha256) == len(signoff.signature_sha256) == 64
    event = AuditEvent.objects.get(action="review.signed")
    assert (event.object_type, event.object_id) == ("signoff", str(signoff.pk))
    assert reviews.verify_signoffs() == []


def test_it_rebuilds_the_signed_state_from_history__t_int_06(intake, clinician):
    signoff = signed(intake, clinician)
    intake = fresh(intake)
    revisions = SectionRevision.objects.filter(section__intake=intake).select_related(
        "section"
    )
    rebuilt = sections_as_of(
        intake,
        revisions,
        [section.kind for section in intake.sections.all()],
        as_of=signoff.signed_at,
    )
    recomputed = compute_summary_hash(
        intake, sections=rebuilt, screening=signoff.screening
    )
    assert recomputed == signoff.summary_sha256


def _change_answer(intake: Intake) -> None:
    section = IntakeSection.objects.get(intake=intake, kind="vitals")
    IntakeSection.objects.filter(pk=section.pk).update(
        data={**section.data, "bp_systolic": 128}
    )


def _change_history(intake: Intake) -> None:
    revision = (
        SectionRevision.objects.filter(section__intake=intake, section__kind="vitals")
        .order_by("-version")
        .first()
    )
    SectionRevision.objects.filter(pk=revision.pk).update(
        data={**revision.data, "bp_systolic": 128}
    )


def _change_flag(intake: Intake) -> None:
    screening = Screening.objects.get(pk=intake.current_screening_id)
    result = copy.deepcopy(screening.result)
    result["flags"] = [f for f in result["flags"] if f["code"] != "CV-MI-12M"]
    Screening.objects.filter(pk=screening.pk).update(result=result)


def _change_acknowledgement(intake: Intake) -> None:
    ack = Acknowledgement.objects.filter(intake=intake, rule_code="CV-MI-12M").first()
    # The ORM refuses; a database user bypasses it.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE screening_acknowledgement SET reason_code = %s WHERE id = %s",
            ["not_relevant_for_patient", ack.pk],
        )


def _change_disposition(intake: Intake) -> None:
    disposition = Disposition.objects.filter(intake=intake).last()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE screening_disposition SET decision = %s WHERE id = %s",
            ["not_suitable", disposition.pk],
        )


@pytest.mark.parametrize(
    "tamper",
    [
        _change_answer,
        _change_history,
        _change_flag,
        _change_acknowledgement,
        _change_disposition,
    ],
)
def test_it_detects_a_change_behind_the_apps_back__t_int_04(intake, clinician, tamper):
    signoff = signed(intake, clinician)
    assert reviews.verify_signoffs() == []
    tamper(intake)
    assert reviews.verify_signoffs() == [str(signoff.pk)]
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit", stdout=out)
    assert exit_info.value.code == 1
    assert f"sign-off {signoff.pk} altered since signature" in out.getvalue()


def test_it_passes_verify_audit_when_nothing_changed(intake, clinician):
    signed(intake, clinician)
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "altered" not in out.getvalue()


def test_it_refuses_every_change_to_a_signed_intake__t_int_05(intake, clinician):
    signed(intake, clinician)
    intake = fresh(intake)
    section = intake.sections.get(kind="vitals")
    before = (
        Acknowledgement.objects.count(),
        Disposition.objects.count(),
        SectionRevision.objects.count(),
        SignOff.objects.count(),
    )
    attempts = [
        lambda: reviews.do_acknowledge(
            intake,
            kind="flag",
            rule_code="CV-MI-12M",
            reason_code="other",
            note="late",
            by=clinician,
        ),
        lambda: decide(intake, clinician, decision="not_suitable"),
        lambda: intakes.do_save_section(
            section,
            {"bp_systolic": 120, "bp_diastolic": 80},
            missing_reasons={},
            version=section.version,
            by=clinician,
        ),
        lambda: intakes.do_set_intake_date(
            intake, intake_on=date(2026, 9, 1), version=intake.version, by=clinician
        ),
        lambda: intakes.do_mark_ready_for_review(intake, by=clinician),
        lambda: sign(intake, clinician),
    ]
    for attempt in attempts:
        with pytest.raises(intakes.SignedIntakeError):
            attempt()
    after = (
        Acknowledgement.objects.count(),
        Disposition.objects.count(),
        SectionRevision.objects.count(),
        SignOff.objects.count(),
    )
    assert after == before
    assert fresh(intake).status == Intake.Status.SIGNED


def test_it_keeps_sign_offs_immutable_in_the_orm__t_int_04(intake, clinician):
    signoff = signed(intake, clinician)
    signoff.signature_sha256 = "f" * 64
    with pytest.raises(ReviewRecordIsImmutableError):
        signoff.save()
    with pytest.raises(ReviewRecordIsImmutableError):
        signoff.delete()
    with pytest.raises(ReviewRecordIsImmutableError):
        SignOff.objects.filter(pk=signoff.pk).update(status="superseded")
    with pytest.raises(ReviewRecordIsImmutableError):
        SignOff.objects.filter(pk=signoff.pk).delete()
    with pytest.raises(ReviewRecordIsImmutableError):
        SignOff.objects.bulk_update([signoff], ["signature_sha256"])
    ack = Acknowledgement.objects.first()
    with pytest.raises(ReviewRecordIsImmutableError):
        ack.save()
    assert reviews.verify_signoffs() == []


@on_postgresql
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE screening_signoff SET signature_sha256 = repeat('0', 64) WHERE id = %s",
        "UPDATE screening_signoff SET signed_at = now() WHERE id = %s",
        "UPDATE screening_signoff SET status = 'superseded', "
        "amendment_reason = 'x' WHERE id = %s",
        "DELETE FROM screening_signoff WHERE id = %s",
    ],
)
def test_it_refuses_raw_sql_changes_to_a_sign_off__t_int_04(
    intake, clinician, statement
):
    signoff = signed(intake, clinician)
    refused = pytest.raises(DatabaseError, match="sign-offs are immutable")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [signoff.pk])
    assert SignOff.objects.get(pk=signoff.pk).signature_sha256 == (
        signoff.signature_sha256
    )


@on_postgresql
def test_it_lets_raw_sql_only_supersede_a_sign_off(intake, clinician):
    signoff = signed(intake, clinician)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE screening_signoff SET status = 'superseded' WHERE id = %s",
            [signoff.pk],
        )
    back_to_active = "UPDATE screening_signoff SET status = 'active' WHERE id = %s"
    refused = pytest.raises(DatabaseError, match="sign-offs are immutable")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(back_to_active, [signoff.pk])


def test_it_allows_one_active_sign_off_per_chain__t_int_09(intake, clinician):
    signoff = signed(intake, clinician)
    other = screened_intake(intake.clinic, REALISTIC)
    copy_of = {
        "chain_root_id": signoff.chain_root_id,
        "screening_id": signoff.screening_id,
        "intake_version": 1,
        "ruleset_version": "default-1",
        "signer_id": clinician.pk,
        "signed_at": signoff.signed_at,
        "summary_sha256": "0" * 64,
        "signature_sha256": "0" * 64,
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        SignOff.objects.create(intake=other, **copy_of)
    columns = ", ".join(["intake_id", *copy_of, "amendment_reason", "status"])
    placeholders = ", ".join(["%s"] * (len(copy_of) + 3))
    insert = f"INSERT INTO screening_signoff ({columns}) VALUES ({placeholders})"  # noqa: S608 - fixed column names
    refused = pytest.raises(IntegrityError)
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(insert, [other.pk, *copy_of.values(), "", "active"])


def test_it_requires_an_override_rationale_to_proceed_past_an_absolute_flag(
    clinic, intake_staff, clinician
):
    intake = screened_intake(clinic, with_aneurysm(), by=intake_staff)
    assert intake.current_screening.absolute_count == 1
    with pytest.raises(reviews.ReviewError, match="override rationale"):
        decide(intake, clinician)
    disposition = decide(
        intake, clinician, override_rationale="Aneurysm repaired in 2019; cleared."
    )
    assert disposition.is_override
    acknowledge_all(intake, clinician)
    signoff = sign(intake, clinician)
    assert reviews.verify_signoffs() == []
    assert signoff.status == SignOff.Status.ACTIVE


def test_it_keeps_no_override_rationale_without_an_absolute_flag(intake, clinician):
    disposition = decide(intake, clinician, override_rationale="not needed")
    assert disposition.override_rationale == ""


def test_it_requires_a_note_with_other(intake, clinician):
    with pytest.raises(reviews.ReviewError, match="note"):
        reviews.do_acknowledge(
            fresh(intake),
            kind="flag",
            rule_code="CV-MI-12M",
            reason_code="other",
            note="  ",
            by=clinician,
        )


def test_it_refuses_a_reason_code_of_the_other_list(intake, clinician):
    with pytest.raises(reviews.ReviewError, match="listed reasons"):
        reviews.do_acknowledge(
            fresh(intake),
            kind="flag",
            rule_code="CV-MI-12M",
            reason_code="patient_declined",
            note="",
            by=clinician,
        )


def test_it_needs_no_acknowledgement_for_info_flags(intake, clinician):
    with pytest.raises(reviews.NotInScreeningError):
        reviews.do_acknowledge(
            fresh(intake),
            kind="flag",
            rule_code="SUIT-TRD-MET",
            reason_code="reviewed_will_monitor",
            note="",
            by=clinician,
        )


def test_it_audits_each_acknowledgement(intake, clinician):
    acknowledge_all(intake, clinician)
    expected = len(list(review_items(fresh(intake).current_screening)))
    events = AuditEvent.objects.filter(action="review.acknowledged")
    assert events.count() == expected == 11
    assert set(events.values_list("object_type", flat=True)) == {"acknowledgement"}


def test_it_asks_again_when_a_flag_changes(intake, clinician, intake_staff):
    acknowledge_all(intake, clinician)
    state = reviews.load_review_state(intake, fresh(intake).current_screening)
    assert state.pending_flags == []
    section = IntakeSection.objects.get(intake=intake, kind="vitals")
    intakes.do_save_section(
        section,
        {**section.data, "bp_systolic": 166},
        missing_reasons={},
        version=section.version,
        by=intake_staff,
    )
    state = reviews.load_review_state(intake, fresh(intake).current_screening)
    assert state.pending_flags == ["CV-BP-ELEVATED"]


def test_it_amends_a_signed_intake_end_to_end(intake, clinician, intake_staff):
    first = signed(intake, clinician)
    before = SignOff.objects.filter(pk=first.pk).values().get()

    addendum = reviews.do_start_addendum(
        fresh(intake), reason="Blood pressure was mis-typed.", by=clinician
    )
    assert addendum.amends_id == intake.pk
    assert addendum.status == Intake.Status.IN_PROGRESS
    assert fresh(intake).status == Intake.Status.SIGNED
    assert AuditEvent.objects.filter(action="intake.amended").count() == 1
    copied = {s.kind: s.data for s in addendum.sections.all()}
    assert copied == {s.kind: s.data for s in intake.sections.all()}
    assert SectionRevision.objects.filter(section__intake=addendum).count() == (
        SectionRevision.objects.filter(section__intake=intake).count()
    )
    assert fresh(addendum).current_screening.intake_id == addendum.pk

    vitals = addendum.sections.get(kind="vitals")
    intakes.do_save_section(
        vitals,
        {**vitals.data, "bp_systolic": 128, "bp_diastolic": 82},
        missing_reasons={},
        version=vitals.version,
        by=intake_staff,
    )
    second = signed(addendum, clinician)

    assert fresh(intake).status == Intake.Status.AMENDED
    assert fresh(addendum).status == Intake.Status.SIGNED
    assert second.supersedes_id == first.pk
    assert second.amendment_reason == "Blood pressure was mis-typed."
    assert second.chain_root_id == intake.pk
    after = SignOff.objects.filter(pk=first.pk).values().get()
    assert after["status"] == SignOff.Status.SUPERSEDED
    assert {**after, "status": before["status"]} == before
    assert reviews.verify_signoffs() == []


def test_it_refuses_a_second_open_addendum(intake, clinician):
    signed(intake, clinician)
    reviews.do_start_addendum(fresh(intake), reason="First correction.", by=clinician)
    with pytest.raises(reviews.ReviewError, match="already in progress"):
        reviews.do_start_addendum(
            fresh(intake), reason="Second correction.", by=clinician
        )


def test_it_refuses_to_amend_an_unsigned_intake(intake, clinician):
    with pytest.raises(reviews.ReviewError, match="signed, current version"):
        reviews.do_start_addendum(fresh(intake), reason="Not signed.", by=clinician)
    assert Intake.objects.count() == 1


def test_it_compares_two_results():
    old = {
        "outcome": "needs_clinician_review",
        "ruleset_version": "default-1",
        "flags": [
            {"code": "A", "severity": "relative", "title": "a"},
            {"code": "B", "severity": "caution", "title": "b"},
        ],
        "not_evaluable": [{"code": "N1", "needs": []}],
    }
    new = {
        "outcome": "absolute_contraindication",
        "ruleset_version": "clinic-a-2",
        "flags": [
            {"code": "A", "severity": "absolute", "title": "a"},
            {"code": "C", "severity": "info", "title": "c"},
        ],
        "not_evaluable": [{"code": "N2", "needs": []}],
    }
    comparison = reviews.compare_results(old, new)
    assert [flag["code"] for flag in comparison["added"]] == ["C"]
    assert [flag["code"] for flag in comparison["removed"]] == ["B"]
    assert comparison["severity_changed"] == [
        {"code": "A", "title": "a", "old": "relative", "new": "absolute"}
    ]
    assert comparison["not_evaluable_added"] == ["N2"]
    assert comparison["not_evaluable_removed"] == ["N1"]
    assert (comparison["old_outcome"], comparison["new_outcome"]) == (
        "needs_clinician_review",
        "absolute_contraindication",
    )


def test_it_previews_a_newer_ruleset_without_storing_it(intake, clinician):
    signoff = signed(intake, clinician)
    document = rulesets.ruleset_document(rulesets.do_install_default_ruleset())
    for rule in document["rules"]:
        if rule["code"] == "CV-MI-12M":
            rule["severity"] = "absolute"
    rulesets.do_load_ruleset_document(
        document, clinic=intake.clinic, label="clinic-a-1", status="published"
    )
    screenings_before = Screening.objects.count()
    intake = fresh(intake)
    comparison = reviews.preview_under_active_ruleset(
        intake, list(intake.sections.all()), signoff
    )
    assert comparison["new_ruleset_version"] == "clinic-a-1"
    assert comparison["severity_changed"][0]["code"] == "CV-MI-12M"
    assert comparison["new_outcome"] == "absolute_contraindication"
    assert Screening.objects.count() == screenings_before
    assert fresh(intake).current_screening_id == signoff.screening_id


def test_it_shows_no_preview_under_the_signed_ruleset(intake, clinician):
    signoff = signed(intake, clinician)
    intake = fresh(intake)
    assert (
        reviews.preview_under_active_ruleset(
            intake, list(intake.sections.all()), signoff
        )
        is None
    )


def test_it_hashes_decimals_as_strings_and_times_in_utc():
    moment = datetime(2026, 9, 15, 14, 30, 5, 12, tzinfo=UTC)
    assert plain(
        {"bmi": Decimal("36.2"), "on": date(2026, 9, 15), "at": moment, "n": [1, None]}
    ) == {
        "bmi": "36.2",
        "on": "2026-09-15",
        "at": "2026-09-15T14:30:05.000012Z",
        "n": [1, None],
    }


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_it_holds_the_intake_lock_while_signing__t_int_03(
    clinic, intake_staff, clinician, monkeypatch
):
    intake = reviewed(screened_intake(clinic, REALISTIC, by=intake_staff), clinician)
    seen = page_hash(intake)
    inside, release = threading.Event(), threading.Event()
    real_hash = reviews.compute_summary_hash

    def slow_hash(*args, **kwargs):
        inside.set()  # the sign-off has locked the intake and is hashing it
        release.wait(10)
        return real_hash(*args, **kwargs)

    monkeypatch.setattr(reviews, "compute_summary_hash", slow_hash)
    signoffs: list[SignOff] = []

    def sign_in_thread() -> None:
        try:
            signoffs.append(
                reviews.do_sign_off(fresh(intake), page_sha256=seen, by=clinician)
            )
        finally:
            connection.close()

    signer = threading.Thread(target=sign_in_thread)
    signer.start()
    assert inside.wait(10)
    # A concurrent edit asking for the row without waiting is refused at once.
    refused = pytest.raises(DatabaseError, match="could not obtain lock")
    with refused, transaction.atomic():
        Intake.objects.select_for_update(nowait=True).get(pk=intake.pk)
    release.set()
    signer.join(10)
    assert signoffs[0].summary_sha256 == compute_summary_hash(fresh(intake))
    assert fresh(intake).status == Intake.Status.SIGNED
