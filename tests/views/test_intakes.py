"""Intake pages: start, overview, every section page, conflicts, scoping, sign-off."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from screening.forms.intakes import CLINICIAN_FORM, SECTION_FORMS
from screening.models import AuditEvent, Intake, SignOff
from screening.services.documents import intake_document
from tests.factories import IntakeFactory, PatientFactory
from tests.forms.posting import browser_post

VITALS = {"bp_systolic": "124", "bp_diastolic": "80", "heart_rate": "72", "bmi": "24.0"}


@pytest.fixture
def intake(clinic, intake_staff) -> Intake:
    patient = PatientFactory(clinic=clinic, created_by=intake_staff)
    return IntakeFactory(patient=patient, created_by=intake_staff)


def section_url(intake: Intake, slug: str) -> str:
    if slug == "clinician-entered":
        return reverse("screening:intake-clinician-edit", args=[intake.pk])
    return reverse("screening:intake-section-edit", args=[intake.pk, slug])


def page_post(intake: Intake, slug: str, **changes) -> dict[str, str]:
    """What the page posts when the user changes `changes` and saves."""
    form_class = CLINICIAN_FORM if slug == "clinician-entered" else SECTION_FORMS[slug]
    section = intake.sections.get(kind=form_class.section)
    return browser_post(form_class(section=section, intake=intake), **changes)


def test_it_starts_an_intake_for_a_patient(client_as, clinic, intake_staff):
    patient = PatientFactory(clinic=clinic, created_by=intake_staff)
    url = reverse("screening:intake-create", args=[patient.pk])

    response = client_as("intake_staff").post(
        url, {"intake_on": "2026-11-20", "primary_indication": "ptsd"}
    )

    intake = Intake.objects.get(patient=patient)
    overview = reverse("screening:intake-detail", args=[intake.pk])
    assert response.url == f"{overview}?started=1"  # focus: the first section
    assert intake.intake_on == datetime.date(2026, 11, 20)
    assert intake_document(intake)["indication"] == {"primary": "ptsd"}
    assert (
        AuditEvent.objects.filter(action="intake.created", patient=patient).count() == 1
    )


def test_it_refuses_an_intake_date_in_the_future(client_as, clinic, intake_staff):
    patient = PatientFactory(clinic=clinic, created_by=intake_staff)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = client_as("intake_staff").post(
        reverse("screening:intake-create", args=[patient.pk]),
        {"intake_on": tomorrow.isoformat(), "primary_indication": "ptsd"},
    )

    assert response.status_code == 200
    assert "an intake records a day that has already come" in response.text
    assert re.search(r'value="ptsd"[^>]*checked', response.text)
    assert not Intake.objects.filter(patient=patient).exists()


@pytest.mark.parametrize("slug", [*SECTION_FORMS, "clinician-entered"])
def test_it_shows_each_section_page_and_audits_the_read(client_as, intake, slug):
    response = client_as("clinician").get(section_url(intake, slug))

    assert response.status_code == 200
    assert b"data-intake-form" in response.content
    kind = "scales" if slug == "clinician-entered" else SECTION_FORMS[slug].section
    viewed = AuditEvent.objects.filter(action="intake.viewed", data_category=kind)
    assert viewed.count() == 1


def test_it_saves_a_section_rescreens_and_returns_to_the_overview(client_as, intake):
    response = client_as("intake_staff").post(
        section_url(intake, "vitals"), page_post(intake, "vitals", **VITALS)
    )

    overview = reverse("screening:intake-detail", args=[intake.pk])
    assert response.url == f"{overview}?saved=vitals"  # focus: the next section
    intake.refresh_from_db()
    assert intake_document(intake)["vitals"]["bp_systolic"] == 124
    assert intake.current_screening.intake_version == intake.version
    assert (
        AuditEvent.objects.filter(
            action="intake.updated", data_category="vitals"
        ).count()
        == 1
    )


@pytest.mark.parametrize(
    ("slug", "changes", "field_id", "message", "kept"),
    [
        (
            "vitals",
            {**VITALS, "bp_systolic": "120", "bp_diastolic": "130"},
            "id_bp_diastolic",
            "Diastolic pressure must be lower than systolic pressure",
            ['value="120"', 'value="72"', 'value="24.0"'],
        ),
        (
            "vitals",
            {**VITALS, "bp_systolic": "300", "bp_diastolic": "20"},
            "id_bp_diastolic",
            "more than 200 mmHg",
            ['value="300"', 'value="20"'],
        ),
        (
            "vitals",
            {**VITALS, "heart_rate": "7O"},
            "id_heart_rate",
            "using digits only",
            ['value="7O"', 'value="124"'],
        ),
        (
            "antidepressant-trials",
            {
                "asked": "rows",
                "rows-0-drug": "sertraline",
                "rows-0-weeks_at_dose": "900",
                "rows-0-adherence_pct": "85",
            },
            "id_rows-0-weeks_at_dose",
            "from 0 up to 520",
            ['value="sertraline"', 'value="900"', 'value="85"'],
        ),
        (
            "indication",
            {"current_episode_start": "2026-12-24", "detail": "postpartum onset"},
            "id_current_episode_start",
            "on or before the intake date",
            ['value="2026-12-24"', 'value="postpartum onset"'],
        ),
    ],
)
def test_it_shows_the_error_beside_the_field_and_keeps_what_was_typed(
    client_as, intake, slug, changes, field_id, message, kept
):
    response = client_as("intake_staff").post(
        section_url(intake, slug), page_post(intake, slug, **changes)
    )

    assert response.status_code == 200
    html = response.content.decode()
    error = html.split(f'id="{field_id}_error"', 1)[1].split("</div>", 1)[0]
    assert message in error
    assert all(value in html for value in kept)
    assert intake.sections.get(kind=SECTION_FORMS[slug].section).version == (
        1 if slug == "indication" else 0
    )


def test_it_saves_an_implausible_value_only_once_confirmed(client_as, intake):
    client = client_as("intake_staff")
    values = {**VITALS, "bp_systolic": "185", "bp_diastolic": "110"}

    first = client.post(
        section_url(intake, "vitals"), page_post(intake, "vitals", **values)
    )

    assert first.status_code == 200
    assert "I have checked these values" in first.text
    assert "above 180/100" in first.text
    confirmed = page_post(
        intake,
        "vitals",
        **values,
        warned="vitals.bp_systolic",
        confirm_warnings=True,
        confirm_reason="repeated after 5 minutes: 186/108",
    )
    second = client.post(section_url(intake, "vitals"), confirmed)
    assert second.status_code == 302
    section = intake.sections.get(kind="vitals")
    assert section.confirmed_warnings == {
        "vitals.bp_systolic": "repeated after 5 minutes: 186/108"
    }


def test_it_shows_both_versions_when_someone_saved_first(
    client_for, intake, intake_staff, clinician
):
    alice, bob = client_for(intake_staff), client_for(clinician)
    url = section_url(intake, "vitals")
    assert alice.get(url).status_code == bob.get(url).status_code == 200
    opened = page_post(intake, "vitals")  # both opened version 0

    saved = alice.post(url, {**opened, **VITALS})
    conflict = bob.post(
        url, {**opened, **VITALS, "bp_systolic": "142", "heart_rate": "88"}
    )

    assert saved.status_code == 302
    assert conflict.status_code == 409
    html = conflict.content.decode()
    assert "Someone else saved this section while you were editing" in html
    assert "intake saved it at" in html
    table = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert "Systolic blood pressure</th><td>142</td><td>124</td>" in table
    assert "Heart rate</th><td>88</td><td>72</td>" in table
    assert 'name="version" value="1"' in html
    assert 'value="142"' in html
    assert intake_document(intake)["vitals"]["bp_systolic"] == 124
    assert AuditEvent.objects.filter(action="intake.edit_conflict").count() == 1

    resubmitted = bob.post(
        url, {**opened, **VITALS, "version": "1", "bp_systolic": "142"}
    )

    assert resubmitted.status_code == 302
    assert intake_document(intake)["vitals"]["bp_systolic"] == 142


def test_it_ignores_posted_fields_the_form_does_not_have(client_as, intake):
    data = page_post(intake, "vitals", **VITALS)
    data |= {"status": "signed", "clinic": "999", "signed_by": "1", "disposition": "x"}

    client_as("intake_staff").post(section_url(intake, "vitals"), data)

    intake.refresh_from_db()
    assert intake.status == Intake.Status.IN_PROGRESS
    assert intake.sections.get(kind="vitals").version == 1


def test_it_adds_a_row_without_saving(client_as, intake):
    data = page_post(
        intake,
        "medications",
        **{"rows-0-name": "sertraline", "rows-0-drug_class": "ssri"},
    )

    response = client_as("intake_staff").post(
        section_url(intake, "medications"), {**data, "add_row": "rows"}
    )

    assert response.status_code == 200
    # The typed row can be removed; the new blank one has nothing to remove.
    assert response.text.count("Remove this row</label>") == 1
    assert 'value="sertraline"' in response.text
    assert intake.sections.get(kind="medications").version == 0


def other_clinic_urls(intake: Intake) -> list[tuple[str, str]]:
    patient = intake.patient.pk
    return [
        ("get", reverse("screening:patient-detail", args=[patient])),
        ("get", reverse("screening:patient-edit", args=[patient])),
        ("post", reverse("screening:patient-edit", args=[patient])),
        ("get", reverse("screening:intake-create", args=[patient])),
        ("post", reverse("screening:intake-create", args=[patient])),
        ("get", reverse("screening:intake-detail", args=[intake.pk])),
        ("post", reverse("screening:intake-ready", args=[intake.pk])),
        *[
            ("get", section_url(intake, slug))
            for slug in [*SECTION_FORMS, "clinician-entered"]
        ],
        *[
            ("post", section_url(intake, slug))
            for slug in [*SECTION_FORMS, "clinician-entered"]
        ],
    ]


def test_it_returns_404_for_every_url_of_another_clinic__t_ac_01(
    client_for, intake, other_clinic_clinician
):
    client = client_for(other_clinic_clinician)
    urls = other_clinic_urls(intake)

    statuses = {
        (method, url): getattr(client, method)(url).status_code for method, url in urls
    }

    assert set(statuses.values()) == {404}
    assert AuditEvent.objects.filter(action="access.denied").count() == len(urls)
    assert intake.sections.filter(version__gt=0).count() == 1  # only the indication


@pytest.mark.parametrize("role", ["rule_admin", "auditor"])
def test_it_refuses_roles_that_see_no_intakes(client_as, intake, role):
    client = client_as(role)

    assert (
        client.get(reverse("screening:intake-detail", args=[intake.pk])).status_code
        == 403
    )
    assert client.get(section_url(intake, "vitals")).status_code == 403


def test_intake_staff_read_the_clinician_entered_page_but_cannot_enter_it(
    client_as, intake
):
    client = client_as("intake_staff")
    url = section_url(intake, "clinician-entered")

    page = client.get(url)
    refused = client.post(url, page_post(intake, "clinician-entered", cssrs_q1="yes"))

    assert page.status_code == 200
    assert "Only a clinician can enter these answers" in page.text
    assert 'name="cssrs_q1"' not in page.text
    assert refused.status_code == 403
    assert intake.sections.get(kind="scales").version == 0


def test_a_clinician_enters_the_screener_and_is_named_as_its_author(client_as, intake):
    data = page_post(
        intake,
        "clinician-entered",
        cssrs_q1="no",
        cssrs_q2="no",
        cssrs_q6="no",
        madrs_total="22",
    )

    response = client_as("clinician").post(
        section_url(intake, "clinician-entered"), data
    )

    assert response.status_code == 302
    scales = intake_document(intake)["scales"]
    assert scales["cssrs_screener"]["q1"] is False
    assert scales["madrs_total"] == 22
    staff_view = client_as("intake_staff").get(section_url(intake, "clinician-entered"))
    assert "Entered by clinician-user on" in staff_view.text


def test_it_labels_the_screener_as_clinician_entered_and_never_shows_madrs_items(
    client_as, intake
):
    response = client_as("clinician").get(section_url(intake, "clinician-entered"))

    assert "Clinician-entered C-SSRS screener" in response.text
    assert "MADRS total" in response.text
    assert "madrs_1" not in response.text


@pytest.fixture
def signed(intake, clinician) -> Intake:
    Intake.objects.filter(pk=intake.pk).update(status=Intake.Status.SIGNED)
    SignOff.objects.create(
        intake=intake,
        chain_root=intake,
        screening=intake.current_screening,
        intake_version=intake.version,
        ruleset_version=intake.current_screening.ruleset_version,
        signer=clinician,
        signed_at=timezone.now(),
        summary_sha256="0" * 64,
        signature_sha256="0" * 64,
    )
    intake.refresh_from_db()
    return intake


def test_it_refuses_every_edit_url_of_a_signed_intake(client_as, signed):
    client = client_as("clinician")
    edits = [
        section_url(signed, slug) for slug in [*SECTION_FORMS, "clinician-entered"]
    ]

    responses = [client.get(url) for url in edits]
    responses += [
        client.post(url, page_post(signed, "vitals", **VITALS)) for url in edits
    ]
    responses.append(client.post(reverse("screening:intake-ready", args=[signed.pk])))

    assert {response.status_code for response in responses} == {403}
    assert all("signed by clinician" in r.text.lower() for r in responses)
    assert all("start an addendum to correct it" in r.text for r in responses)
    addendum = reverse("screening:intake-addendum", args=[signed.pk])
    assert f'href="{addendum}"' in responses[0].text
    assert signed.sections.filter(version__gt=0).count() == 1
    signed.refresh_from_db()
    assert signed.status == Intake.Status.SIGNED


def test_the_overview_shows_each_section_status_and_the_current_screening(
    client_as, intake
):
    client = client_as("intake_staff")
    client.post(section_url(intake, "vitals"), page_post(intake, "vitals", **VITALS))
    client.post(
        section_url(intake, "demographics"),
        page_post(intake, "demographics", reproductive_potential="no"),
    )

    response = client.get(reverse("screening:intake-detail", args=[intake.pk]))

    html = response.content.decode()
    rows = {
        slug: html.split(f'data-section-row="{slug}"', 1)[1].split("</li>", 1)[0]
        for slug in [*SECTION_FORMS, "clinician-entered"]
    }
    assert "Complete" in rows["vitals"]
    assert "Saved \u2014 1 question unanswered" in rows["demographics"]
    assert "Saved \u2014 5 questions unanswered" in rows["indication"]
    assert "Not started" in rows["medical-history"]
    assert "Not started" in rows["clinician-entered"]
    assert "Needs clinician review" in html
    assert 'data-flag="DATA-MISSING-MEDICATIONS"' in html
    assert "needs:" in html
    assert AuditEvent.objects.filter(
        action="intake.viewed", data_category="screening_summary"
    ).exists()


def test_the_overview_warns_when_the_screening_engine_failed(client_as, intake):
    screening = intake.current_screening
    type(screening).objects.filter(pk=screening.pk).update(outcome="incomplete")

    response = client_as("clinician").get(
        reverse("screening:intake-detail", args=[intake.pk])
    )

    assert "Screening incomplete \u2013 do not rely" in response.text
    assert "No flags</strong>" not in response.text


def test_the_overview_keeps_its_queries_constant(
    client_as, intake, django_assert_max_num_queries
):
    client = client_as("intake_staff")

    with django_assert_max_num_queries(30):
        client.get(reverse("screening:intake-detail", args=[intake.pk]))


def test_it_marks_the_intake_ready_for_review(client_as, intake):
    response = client_as("intake_staff").post(
        reverse("screening:intake-ready", args=[intake.pk])
    )

    assert response.status_code == 302
    intake.refresh_from_db()
    assert intake.status == Intake.Status.READY_FOR_REVIEW
