"""Statements compiled once (screening/compiled.py): the same objects as the queryset
they are declared by, in one statement, whatever the database (#19)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from screening import compiled
from screening.access import intake_query
from screening.models import Membership
from screening.models.intakes import sections_query
from screening.permissions import memberships_query
from screening.review_summary import acknowledgements_query, revisions_query
from tests.factories import (
    ClinicFactory,
    MembershipFactory,
    UserFactory,
    screened_intake,
)
from tests.services.review_documents import realistic

pytestmark = pytest.mark.django_db

PLACEHOLDER = -424_242


def row(instance) -> list:
    return [getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields]


def test_it_gives_the_objects_of_its_queryset_with_those_selected_with_them():
    user = UserFactory()
    for name in ("Riverside", "Hilltop"):
        MembershipFactory(user=user, clinic=ClinicFactory(name=name), role="clinician")
    MembershipFactory(role="auditor")  # someone else's

    expected = list(memberships_query(user.pk))
    with CaptureQueriesContext(connection) as queries:
        found = compiled.instances(memberships_query, PLACEHOLDER, user.pk, "default")
        clinics = [membership.clinic for membership in found]
    assert len(queries.captured_queries) == 1  # the clinics came with the rows
    assert [row(m) for m in found] == [row(m) for m in expected]
    assert [row(c) for c in clinics] == [row(m.clinic) for m in expected]
    assert all(isinstance(m, Membership) and not m._state.adding for m in found)
    assert compiled.instances(memberships_query, PLACEHOLDER, -1, "default") == []


def test_it_refuses_a_query_that_does_not_take_its_value_in_one_place():
    def twice(pk):
        return Membership.objects.filter(user_id=pk, clinic_id=pk)

    with pytest.raises(RuntimeError, match="in one place"):
        compiled.statement(twice, PLACEHOLDER, "default")


def test_it_builds_an_intake_with_its_clinic_patient_screening_and_no_sign_off(
    clinic, intake_staff
):
    intake = screened_intake(clinic, realistic(), by=intake_staff)
    expected = intake_query(intake.pk).get()
    with CaptureQueriesContext(connection) as queries:
        [found] = compiled.instances(intake_query, PLACEHOLDER, intake.pk, "default")
        related = (found.clinic, found.patient, found.current_screening)
        assert not hasattr(found, "signoff")  # a reverse one-to-one with no row
    assert len(queries.captured_queries) == 1
    assert row(found) == row(expected)
    assert [row(r) for r in related] == [
        row(r) for r in (expected.clinic, expected.patient, expected.current_screening)
    ]


def test_rows_reads_by_primary_key_on_the_models_database(clinic, intake_staff):
    intake = screened_intake(clinic, realistic(), by=intake_staff)
    expected = list(sections_query(intake.pk))

    with CaptureQueriesContext(connection) as queries:
        found = compiled.rows(sections_query, intake.pk)

    assert len(queries.captured_queries) == 1
    assert [row(section) for section in found] == [row(s) for s in expected]
    assert len(found) > 1


def test_together_reads_each_builds_rows_in_one_round_trip_on_postgresql(
    clinic, intake_staff
):
    intake = screened_intake(clinic, realistic(), by=intake_staff)
    builds = (sections_query, revisions_query, acknowledgements_query)
    expected = {build: [row(r) for r in build(intake.pk)] for build in builds}

    with (
        CaptureQueriesContext(connection) as queries,
        compiled.together(intake.pk, *builds),
    ):
        found = {build: compiled.rows(build, intake.pk) for build in builds}

    one_trip = connection.vendor == "postgresql"  # SQLite: each read as before
    assert len(queries.captured_queries) == (1 if one_trip else len(builds))
    assert {build: [row(r) for r in rows] for build, rows in found.items()} == expected
    assert len(expected[sections_query]) > 1
    assert len(expected[revisions_query]) > 1
    assert expected[acknowledgements_query] == []  # an empty result keeps its place


def test_together_hands_each_read_out_once_and_only_for_its_own_key(
    clinic, intake_staff
):
    intake = screened_intake(clinic, realistic(), by=intake_staff)
    other = screened_intake(clinic, realistic(), by=intake_staff)

    with (
        compiled.together(intake.pk, sections_query),
        CaptureQueriesContext(connection) as queries,
    ):
        first = compiled.rows(sections_query, intake.pk)
        again = compiled.rows(sections_query, intake.pk)  # read afresh
        elsewhere = compiled.rows(sections_query, other.pk)

    assert len(queries.captured_queries) == (
        2 if connection.vendor == "postgresql" else 3
    )
    assert [row(s) for s in again] == [row(s) for s in first]
    assert {s.intake_id for s in elsewhere} == {other.pk}
    with CaptureQueriesContext(connection) as after:
        compiled.rows(sections_query, intake.pk)
    assert len(after.captured_queries) == 1  # outside the block: a read of its own


def test_first_row_gives_the_values_of_its_queryset_with_each_value_in_its_places():
    user = UserFactory()
    clinic = ClinicFactory(name="Riverside")
    membership = MembershipFactory(user=user, clinic=clinic, role="clinician")

    def membership_of(user_id, clinic_id, role):
        return Membership.objects.filter(
            user_id=user_id, clinic_id=clinic_id, role=role
        ).values_list("pk", "clinic__pk", "clinic__created_at")

    placeholders = (PLACEHOLDER, PLACEHOLDER - 1, "<role>")
    given = (user.pk, clinic.pk, "clinician")
    with CaptureQueriesContext(connection) as queries:
        found = compiled.first_row(membership_of, placeholders, given, "default")
    assert len(queries.captured_queries) == 1
    assert found == membership_of(*given).first()  # converters applied (a datetime)
    assert found[0] == membership.pk
    missing = (user.pk, clinic.pk, "auditor")
    assert compiled.first_row(membership_of, placeholders, missing, "default") is None
