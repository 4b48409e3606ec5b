import json
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from screening import intake_format
from screening.models import (
    AuditEvent,
    Membership,
    RescreenJob,
    Rule,
    RulesetVersion,
    Screening,
)
from screening.services import clinic_tests, drafts, impact, publishing, rulesets
from tests.conftest import logged_in_client
from tests.factories import MembershipFactory, UserFactory, intakes_from_documents

CASES_DIR = Path(settings.BASE_DIR) / "fixtures" / "clinic_test_cases"
PASSWORD = "correct horse battery staple"


def code_for(user) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{totp(device.bin_key):06d}"


@pytest.fixture
def author(clinic):
    user = UserFactory(username="author")
    MembershipFactory(user=user, clinic=clinic, role="rule_admin")
    return user


@pytest.fixture
def approver(clinic):
    user = UserFactory(username="approver")
    MembershipFactory(user=user, clinic=clinic, role="rule_admin")
    return user


@pytest.fixture
def draft(clinic, author):
    return drafts.do_create_draft(clinic, by=author)


@pytest.fixture
def author_client(author):
    return logged_in_client(author)


@pytest.fixture
def approver_client(approver):
    return logged_in_client(approver)


def rule_post(rule: Rule, draft: RulesetVersion, **changes) -> dict:
    data = {
        "title": rule.title,
        "severity": rule.severity,
        "expression": rule.expression,
        "threshold_text": rule.threshold_text,
        "message": rule.message,
        "source_title": rule.source["title"],
        "source_year": rule.source["year"],
        "source_section": rule.source["section"],
        "source_url": rule.source["url"] or "",
        "enabled": "on" if rule.enabled else "",
        "revision": draft.revision,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


# Who may open what ------------------------------------------------------------------

READ_PAGES = ["rule-index", "rule-vocabulary", "ruleset-diff"]


@pytest.mark.parametrize("url_name", READ_PAGES)
@pytest.mark.parametrize(
    ("role", "status"),
    [("intake_staff", 403), ("clinician", 200), ("rule_admin", 200), ("auditor", 403)],
)
def test_it_shows_the_rules_to_clinicians_and_rule_admins(
    client_as, url_name, role, status
):
    response = client_as(role).get(reverse(f"screening:{url_name}"))

    assert response.status_code == status


@pytest.mark.parametrize(
    ("url_name", "status_by_role"),
    [
        ("ruleset-detail", {"clinician": 200, "rule_admin": 200, "intake_staff": 403}),
        ("ruleset-export", {"clinician": 200, "rule_admin": 200, "auditor": 403}),
        ("ruleset-settings-edit", {"clinician": 403, "rule_admin": 200}),
        ("ruleset-tests-run", {"clinician": 403, "rule_admin": 200}),
        ("ruleset-cases", {"clinician": 403, "rule_admin": 200}),
        ("ruleset-impact", {"clinician": 403, "rule_admin": 200}),
        ("rule-create", {"clinician": 403, "rule_admin": 200}),
        ("ruleset-publish", {"clinician": 403, "rule_admin": 200, "auditor": 403}),
    ],
)
def test_it_enforces_roles_on_a_draft(client_as, draft, url_name, status_by_role):
    for role, status in status_by_role.items():
        response = client_as(role).get(
            reverse(f"screening:{url_name}", args=[draft.pk])
        )
        assert response.status_code == status, role


def test_it_returns_404_for_another_clinics_draft__t_ac_01(other_clinic, client_as):
    other = drafts.do_create_draft(other_clinic, by=None)
    rule = other.rules.first()

    for url in (
        reverse("screening:ruleset-detail", args=[other.pk]),
        reverse("screening:ruleset-publish", args=[other.pk]),
        reverse("screening:rule-edit", args=[rule.pk]),
    ):
        assert client_as("rule_admin").get(url).status_code == 404
    assert AuditEvent.objects.filter(action="access.denied").count() == 3


def test_it_refuses_to_edit_a_published_version(clinic, draft, author_client, approver):
    impact.do_show_impact_preview(draft, by=approver)
    published = publishing.do_publish_ruleset(
        draft, by=approver, reason="Reviewed.", revision=draft.revision
    )
    rule = published.rules.get(code="DDI-NMDA")

    response = author_client.post(
        reverse("screening:rule-edit", args=[rule.pk]),
        rule_post(rule, published, title="Changed"),
    )

    assert response.status_code == 403
    assert published.rules.get(code="DDI-NMDA").title != "Changed"


# The rule editor --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("diazepam_equivalent_exact > ", "Syntax error"),
        (
            "diazepam_equivalent_exat > 10",
            "Did you mean &#x27;diazepam_equivalent_exact",
        ),
        ('diazepam_equivalent_exact > "8"', "Type mismatch"),
    ],
)
def test_it_keeps_an_invalid_condition_and_shows_why_beside_it(
    draft, author_client, typed, message
):
    rule = draft.rules.get(code="DDI-BZD-HIGH")

    response = author_client.post(
        reverse("screening:rule-edit", args=[rule.pk]),
        rule_post(rule, draft, expression=typed),
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["expression"]
    assert message in response.content.decode()
    assert escape(typed) in response.content.decode()
    assert draft.rules.get(code="DDI-BZD-HIGH").expression == rule.expression


def test_it_refuses_a_locked_change_beside_the_field(draft, author_client):
    rule = draft.rules.get(code="CI-BP-SEVERE")

    response = author_client.post(
        reverse("screening:rule-edit", args=[rule.pk]),
        rule_post(
            rule, draft, severity="relative", expression="vitals.bp_systolic > 200"
        ),
    )

    errors = response.context["form"].errors
    assert set(errors) == {"severity", "expression"}
    assert "locked" in errors["expression"][0]
    assert draft.rules.get(code="CI-BP-SEVERE").severity == "absolute"


def test_it_saves_a_threshold_and_audits_it(draft, author_client):
    rule = draft.rules.get(code="DDI-BZD-HIGH")

    response = author_client.post(
        reverse("screening:rule-edit", args=[rule.pk]),
        rule_post(rule, draft, expression="diazepam_equivalent_exact > 10"),
    )

    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.expression == "diazepam_equivalent_exact > 10"
    assert AuditEvent.objects.filter(action="ruleset.edited").count() == 1


def test_it_tells_about_a_draft_changed_meanwhile(draft, author_client):
    rule = draft.rules.get(code="DDI-NMDA")
    stale = rule_post(rule, draft, title="Mine")
    author_client.post(
        reverse("screening:rule-edit", args=[rule.pk]),
        rule_post(rule, draft, title="Theirs"),
    )

    response = author_client.post(reverse("screening:rule-edit", args=[rule.pk]), stale)

    assert "Someone changed this draft" in response.content.decode()
    assert 'value="Mine"' in response.content.decode()
    assert draft.rules.get(code="DDI-NMDA").title == "Theirs"


def test_it_adds_and_retires_a_clinic_rule(draft, author_client):
    response = author_client.post(
        reverse("screening:rule-create", args=[draft.pk]),
        {
            "code": "CLINIC-HR-HIGH",
            "title": "Heart rate above 110",
            "severity": "caution",
            "expression": "vitals.heart_rate > 110",
            "message": "Recheck the heart rate.",
            "source_title": "Clinic protocol",
            "source_year": "2026",
            "source_section": "4.1",
            "enabled": "on",
            "revision": 1,
        },
    )
    assert response.status_code == 302
    rule = draft.rules.get(code="CLINIC-HR-HIGH")

    response = author_client.post(
        reverse("screening:rule-retire", args=[rule.pk]), {"revision": 2}
    )

    rule.refresh_from_db()
    assert rule.is_retired
    page = author_client.get(reverse("screening:ruleset-detail", args=[draft.pk]))
    assert "retired" in page.content.decode()


def test_it_edits_a_rules_own_test_cases(draft, author_client):
    rule = draft.rules.get(code="DDI-NMDA")
    data = {
        "revision": 1,
        "tests-TOTAL_FORMS": 1,
        "tests-INITIAL_FORMS": 0,
        "tests-0-name": "memantine fires",
        "tests-0-facts": '{"medication_classes": ["nmda_antagonist"]}',
        "tests-0-expect": "fired",
    }

    response = author_client.post(
        reverse("screening:rule-tests-edit", args=[rule.pk]), data
    )

    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.tests == [
        {
            "name": "memantine fires",
            "facts": {"medication_classes": ["nmda_antagonist"]},
            "expect": "fired",
        }
    ]


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        ("{not json", "Write the facts as a JSON object"),
        ('{"medication_clases": []}', "medication_clases"),
    ],
)
def test_it_refuses_bad_test_facts_beside_the_row(draft, author_client, facts, message):
    rule = draft.rules.get(code="DDI-NMDA")
    data = {
        "revision": 1,
        "tests-TOTAL_FORMS": 1,
        "tests-INITIAL_FORMS": 0,
        "tests-0-name": "a case",
        "tests-0-facts": facts,
        "tests-0-expect": "fired",
    }

    response = author_client.post(
        reverse("screening:rule-tests-edit", args=[rule.pk]), data
    )

    assert response.status_code == 200
    assert message in response.context["formset"].forms[0].errors["facts"][0]
    assert rule.tests == draft.rules.get(code="DDI-NMDA").tests


def settings_post(draft, **changes) -> dict:
    values = rulesets.full_settings(draft)
    data = {
        "revision": draft.revision,
        "trd_min_weeks_at_dose": values["trd_min_weeks_at_dose"],
        "trd_failure_threshold": values["trd_failure_threshold"],
        "trd_min_adherence_pct": values["trd_min_adherence_pct"],
        "doses-TOTAL_FORMS": len(values["min_dose_table"]),
        "doses-INITIAL_FORMS": len(values["min_dose_table"]),
        "diazepam-TOTAL_FORMS": len(values["diazepam_equivalents"]),
        "diazepam-INITIAL_FORMS": len(values["diazepam_equivalents"]),
    }
    for i, row in enumerate(values["min_dose_table"]):
        data[f"doses-{i}-names"] = ", ".join(row["names"])
        data[f"doses-{i}-agent"] = row["agent"]
        data[f"doses-{i}-drug_class"] = row["class"]
        data[f"doses-{i}-min_mg_per_day"] = row["min_mg_per_day"]
    for i, row in enumerate(values["diazepam_equivalents"]):
        data[f"diazepam-{i}-name"] = row["name"]
        data[f"diazepam-{i}-mg_equivalent_to_10mg_diazepam"] = row[
            "mg_equivalent_to_10mg_diazepam"
        ]
    data.update(changes)
    return data


def test_it_saves_the_settings_and_the_tables(draft, author_client):
    data = settings_post(
        draft,
        bp_guide_age_banded="on",
        severity_raised_to_absolute=["REPRO-PREGNANT"],
        **{"diazepam-4-name": "oxazepam", "diazepam-TOTAL_FORMS": 5},
        **{"diazepam-4-mg_equivalent_to_10mg_diazepam": "20"},
    )

    response = author_client.post(
        reverse("screening:ruleset-settings-edit", args=[draft.pk]), data
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.clinic_settings["bp_guide_age_banded"] is True
    assert draft.clinic_settings["severity_raised_to_absolute"] == ["REPRO-PREGNANT"]
    assert draft.clinic_settings["diazepam_equivalents"][-1] == {
        "name": "oxazepam",
        "mg_equivalent_to_10mg_diazepam": 20,
    }


def test_it_refuses_a_duplicate_table_row_beside_it(draft, author_client):
    data = settings_post(draft, **{"diazepam-1-name": "diazepam"})

    response = author_client.post(
        reverse("screening:ruleset-settings-edit", args=[draft.pk]), data
    )

    assert response.status_code == 200
    assert "listed twice" in response.content.decode()
    draft.refresh_from_db()
    assert draft.revision == 1


# Tests, cases, preview, publish -----------------------------------------------------


def test_it_runs_the_rule_tests_and_shows_each_case(draft, author_client):
    rule = draft.rules.get(code="DDI-BZD-HIGH")
    author_client.post(
        reverse("screening:rule-edit", args=[rule.pk]),
        rule_post(rule, draft, expression="diazepam_equivalent_exact > 10"),
    )

    response = author_client.post(
        reverse("screening:ruleset-tests-run", args=[draft.pk])
    )

    assert [r.name for r in response.context["failed"]] == ["8.001 fires"]
    assert 'data-tests-failed="1"' in response.content.decode()
    assert AuditEvent.objects.filter(action="ruleset.tested").count() == 1


def test_it_approves_a_changed_case_with_a_reason(clinic, draft, author, author_client):
    clinic_tests.do_load_test_cases(clinic, CASES_DIR)
    drafts.do_update_settings(
        draft, {"bp_guide_age_banded": True}, revision=1, by=author
    )
    case = clinic.test_cases.get(code="C01")
    url = reverse("screening:test-case-approve", args=[draft.pk, case.pk])

    refused = author_client.post(url, {f"case{case.pk}-reason": "too short"})
    approved = author_client.post(
        url, {f"case{case.pk}-reason": "EU guide from 65, decision of 3 Dec"}
    )

    assert refused.status_code == 400
    assert approved.status_code == 302
    page = author_client.get(reverse("screening:ruleset-cases", args=[draft.pk]))
    assert all(result.passed for result, _ in page.context["rows"])


def test_it_records_the_impact_preview_with_ids_and_no_answers(
    clinic, draft, author, author_client
):
    document = intake_format.load_document(
        next(CASES_DIR.glob("C01-*.json")).read_bytes(), today=None
    )
    intakes = intakes_from_documents(clinic, [document] * 3, created_by=author)
    drafts.do_update_settings(
        draft, {"bp_guide_age_banded": True}, revision=1, by=author
    )

    response = author_client.get(reverse("screening:ruleset-impact", args=[draft.pk]))

    body = response.content.decode()
    assert "lose: " + ", ".join(str(i.pk) for i in intakes) in body
    assert "BULK" not in body
    assert "Patient" not in body
    draft.refresh_from_db()
    assert impact.get_current_preview(draft).shown_to == author


def approve_post(draft, user, **changes) -> dict:
    data = {
        "reason": "Reviewed with the medical director on 3 December.",
        "password": PASSWORD,
        "otp_token": code_for(user),
        "revision": draft.revision,
    }
    return {**data, **changes}


def test_it_hides_the_approval_form_from_the_author__t_int_07(
    draft, author, author_client
):
    impact.do_show_impact_preview(draft, by=author)

    response = author_client.get(reverse("screening:ruleset-publish", args=[draft.pk]))
    refused = author_client.post(
        reverse("screening:ruleset-publish", args=[draft.pk]),
        approve_post(draft, author),
    )

    assert "two-person rule" in response.content.decode()
    assert "otp_token" not in response.content.decode()
    assert "two-person rule" in refused.content.decode()
    draft.refresh_from_db()
    assert draft.is_draft


@pytest.mark.parametrize(
    "bad", [{"password": "wrong password here"}, {"otp_token": "000000"}]
)
def test_it_refuses_to_publish_without_reauthentication__t_int_07(
    draft, author, approver, approver_client, bad
):
    impact.do_show_impact_preview(draft, by=author)

    response = approver_client.post(
        reverse("screening:ruleset-publish", args=[draft.pk]),
        approve_post(draft, approver, **bad),
    )

    assert response.status_code == 200
    assert set(response.context["form"].errors) == set(bad)
    draft.refresh_from_db()
    assert draft.is_draft
    assert AuditEvent.objects.filter(action="auth.reauth_failed").count() == 1
    assert not AuditEvent.objects.filter(action="ruleset.published").exists()


def test_it_lets_a_granted_clinician_approve__t_int_07(clinic, draft, author):
    clinician = UserFactory(username="granted")
    MembershipFactory(user=clinician, clinic=clinic, role="clinician")
    client = logged_in_client(clinician)
    url = reverse("screening:ruleset-publish", args=[draft.pk])
    assert client.get(url).status_code == 403

    Membership.objects.filter(user=clinician).update(can_approve_rulesets=True)

    assert client.get(url).status_code == 200


def test_it_publishes_and_shows_the_rescreen_progress(
    clinic,
    draft,
    author,
    approver,
    approver_client,
    django_capture_on_commit_callbacks,
):
    document = intake_format.load_document(
        next(CASES_DIR.glob("C02-*.json")).read_bytes(), today=None
    )
    intakes_from_documents(clinic, [document] * 4, created_by=author)
    impact.do_show_impact_preview(draft, by=author)

    with django_capture_on_commit_callbacks(execute=True):
        response = approver_client.post(
            reverse("screening:ruleset-publish", args=[draft.pk]),
            approve_post(draft, approver),
        )

    job = RescreenJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "screening:rescreen-job-detail", args=[job.pk]
    )
    page = approver_client.get(response["Location"])
    assert '<progress id="rescreen-progress" class="w-100" max="100" value="100">' in (
        page.content.decode()
    )
    progress = approver_client.get(
        reverse("screening:rescreen-job-progress", args=[job.pk])
    ).json()
    assert progress == {
        "status": "finished",
        "done": 4,
        "total": 4,
        "percent": 100,
        "finished": True,
    }
    assert Screening.objects.filter(ruleset__label="clinic-a-1").count() == 4
    published = AuditEvent.objects.get(action="ruleset.published")
    assert published.reason == f"publish:{draft.pk}"
    assert RulesetVersion.objects.get(pk=draft.pk).publish_reason == (
        "Reviewed with the medical director on 3 December."
    )
    assert published.actor == approver


def test_it_queues_a_stale_job_again_when_its_progress_is_polled(
    clinic, draft, author, approver, client_as
):
    impact.do_show_impact_preview(draft, by=author)
    publishing.do_publish_ruleset(draft, by=approver, reason="Reviewed.", revision=1)
    job = RescreenJob.objects.get()  # queued on commit, which a test never reaches
    url = reverse("screening:rescreen-job-progress", args=[job.pk])

    assert client_as("clinician").get(url).json()["status"] == "pending"
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        state = client_as("rule_admin").get(url).json()

    assert state["finished"] is True


# Export, import, diff ---------------------------------------------------------------


def test_it_exports_and_imports_a_ruleset(clinic, author, author_client, approver):
    default = rulesets.do_install_default_ruleset()
    exported = author_client.get(reverse("screening:ruleset-export", args=[default.pk]))
    assert exported.status_code == 404  # the shipped default is no clinic's object

    draft = drafts.do_create_draft(clinic, by=author)
    exported = author_client.get(reverse("screening:ruleset-export", args=[draft.pk]))
    document = json.loads(exported.content)
    assert exported["Content-Disposition"] == (
        f'attachment; filename="ruleset-draft-{draft.pk}.json"'
    )
    drafts.do_discard_draft(draft, revision=1, by=author)

    response = author_client.post(
        reverse("screening:ruleset-import"),
        {"document": SimpleUploadedFile("r.json", json.dumps(document).encode())},
    )

    imported = rulesets.get_draft(clinic)
    assert response.status_code == 302
    assert imported.origin == "import"
    assert rulesets.diff_rulesets(draft, imported)["changed"] == []


def test_it_refuses_an_import_that_is_not_json(author_client):
    response = author_client.post(
        reverse("screening:ruleset-import"),
        {"document": SimpleUploadedFile("r.json", b"{nope")},
    )

    assert "The file is not JSON" in response.content.decode()


def test_it_diffs_the_draft_against_the_default(clinic, draft, author, client_as):
    rule = draft.rules.get(code="DDI-NMDA")
    drafts.do_update_rule(
        rule,
        {
            "title": "NMDA receptor antagonist",
            "severity": rule.severity,
            "expression": rule.expression,
            "message": rule.message,
            "source": rule.source,
            "enabled": True,
        },
        revision=1,
        by=author,
    )

    response = client_as("clinician").get(
        reverse("screening:ruleset-diff"), {"old": draft.based_on.pk, "new": draft.pk}
    )

    assert response.context["diff"]["changed"][0]["code"] == "DDI-NMDA"
    assert "NMDA receptor antagonist" in response.content.decode()


def test_it_never_offers_another_clinics_version_to_compare(
    other_clinic, client_as, draft
):
    other = drafts.do_create_draft(other_clinic, by=None)

    response = client_as("clinician").get(
        reverse("screening:ruleset-diff"), {"old": draft.pk, "new": other.pk}
    )

    assert "new" in response.context["form"].errors
    assert f'value="{other.pk}"' not in response.content.decode()


@pytest.mark.parametrize(
    "url_name",
    ["ruleset-detail", "rule-create", "ruleset-settings-edit", "ruleset-cases"],
)
def test_it_renders_without_inline_styles_or_scripts(draft, author_client, url_name):
    body = author_client.get(
        reverse(f"screening:{url_name}", args=[draft.pk])
    ).content.decode()

    assert " style=" not in body
    assert "<script>" not in body
    assert " onclick=" not in body


# Hostile rule-admin input (issue #13, F4): refused beside the field, never a 500.

NESTED = 3000
HOSTILE_CONDITIONS = [
    ("diazepam_equivalent_exact > 1e60000", "Write numbers in plain digits"),
    ("diazepam_equivalent_exact > 1e5000", "Write numbers in plain digits"),
    ('"' + "a" * 20 + '!" =~ "(a+)+$"', "Regular expressions (=~, !~) are not allowed"),
    ("diazepam_equivalent_exact > 2 * 4", "reads no fact"),
    (" or ".join(["diazepam_equivalent_exact > 8"] * NESTED), "too long"),
    ("not " * 400 + "is_null(madrs_total)", "too deeply nested"),
    ("madrs_total" + "+1" * 900 + " > 3", "too deeply nested"),
]


@pytest.mark.parametrize(("typed", "message"), HOSTILE_CONDITIONS)
def test_it_refuses_a_hostile_condition_beside_the_field__f4(
    draft, author_client, typed, message
):
    rule = draft.rules.get(code="DDI-BZD-HIGH")

    response = author_client.post(
        reverse("screening:rule-edit", args=[rule.pk]),
        rule_post(rule, draft, expression=typed),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["expression"]
    assert message in errors["expression"][0]
    assert draft.rules.get(code="DDI-BZD-HIGH").expression == rule.expression


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        ('{"madrs_total": 1e400000}', "Write numbers in plain digits"),
        ('{"diazepam_equivalent_exact": "1e600000"}', "Write numbers in plain digits"),
        ('{"diazepam_equivalent_exact": NaN}', "Write numbers in plain digits"),
        ('{"medication_classes": ' + "[" * NESTED + "]" * NESTED + "}", "nested"),
        ('{"medication_classes": ' + "[" * 20 + "]" * 20 + "}", "nested"),
    ],
)
def test_it_refuses_hostile_test_facts_beside_the_row__f4(
    draft, author_client, facts, message
):
    rule = draft.rules.get(code="DDI-NMDA")
    data = {
        "revision": 1,
        "tests-TOTAL_FORMS": 1,
        "tests-INITIAL_FORMS": 0,
        "tests-0-name": "a case",
        "tests-0-facts": facts,
        "tests-0-expect": "fired",
    }

    response = author_client.post(
        reverse("screening:rule-tests-edit", args=[rule.pk]), data
    )

    assert response.status_code == 200
    assert message in response.context["formset"].forms[0].errors["facts"][0]
    assert rule.tests == draft.rules.get(code="DDI-NMDA").tests


def _exported(clinic, author):
    draft = drafts.do_create_draft(clinic, by=author)
    document = rulesets.export_document(draft)
    drafts.do_discard_draft(draft, revision=1, by=author)
    return document


def _import(client, content: bytes):
    return client.post(
        reverse("screening:ruleset-import"),
        {"document": SimpleUploadedFile("r.json", content)},
    )


@pytest.mark.parametrize(("typed", "message"), HOSTILE_CONDITIONS)
def test_it_refuses_an_imported_hostile_condition_beside_the_file__f4(
    clinic, author, author_client, typed, message
):
    document = _exported(clinic, author)
    rule = next(r for r in document["rules"] if r["code"] == "DDI-BZD-HIGH")
    rule["expression"] = typed

    response = _import(author_client, json.dumps(document).encode())

    assert response.status_code == 200
    assert message in response.context["form"].errors["document"][0]
    assert rulesets.get_draft(clinic) is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("retired_without_code", "code must be non-empty text"),
        ("rule_without_code", "code must be non-empty text"),
        ("huge_test_fact", "Write numbers in plain digits"),
        ("infinite_setting", "Write numbers in plain digits"),
    ],
)
def test_it_refuses_a_malformed_imported_rule_beside_the_file__f4(
    clinic, author, author_client, change, message
):
    document = _exported(clinic, author)
    rule = next(r for r in document["rules"] if r["code"] == "DDI-BZD-HIGH")
    if change == "retired_without_code":
        document["rules"].append({"retired": True, "title": "gone"})
    elif change == "rule_without_code":
        del rule["code"]
    elif change == "huge_test_fact":
        rule["tests"] = [
            {"name": "x", "facts": {"madrs_total": 1e308}, "expect": "fired"}
        ]
    else:
        document["settings"]["trd_min_adherence_pct"] = float("inf")
    content = json.dumps(document).replace("1e+308", "1e400000").encode()

    response = _import(author_client, content)

    assert response.status_code == 200
    assert message in response.context["form"].errors["document"][0]
    assert rulesets.get_draft(clinic) is None


def test_it_refuses_a_deeply_nested_import_beside_the_file__f4(author_client):
    response = _import(author_client, b"[" * 100_000 + b"]" * 100_000)

    assert response.status_code == 200
    assert "nested" in response.context["form"].errors["document"][0]


# Plain-language threshold lines (issue #15, finding 4) --------------------------------


def test_it_edits_a_rule_s_threshold_line_through_the_draft(draft, author_client):
    rule = draft.rules.get(code="DDI-BZD-HIGH")

    response = author_client.post(
        reverse("screening:rule-edit", args=[rule.pk]),
        rule_post(rule, draft, threshold_text="More than 8 mg diazepam a day"),
    )

    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.threshold_text == "More than 8 mg diazepam a day"
    page = author_client.get(
        reverse("screening:ruleset-diff")
        + f"?old={rulesets.do_install_default_ruleset().pk}&new={draft.pk}"
    ).content.decode()
    assert "threshold_text" in page
    assert "More than 8 mg diazepam a day" in page


def test_it_refuses_a_locked_rule_s_line_beside_the_field(draft, author_client):
    rule = draft.rules.get(code="CI-BP-SEVERE")

    response = author_client.post(
        reverse("screening:rule-edit", args=[rule.pk]),
        rule_post(rule, draft, threshold_text="BP above 190/100"),
    )

    errors = response.context["form"].errors
    assert set(errors) == {"threshold_text"}
    assert "100, 180" in errors["threshold_text"][0]
    rule.refresh_from_db()
    assert rule.threshold_text == "BP above 180/100 at this reading (recheck)"


def test_it_shows_a_threshold_line_the_gate_refuses_on_the_publish_page(
    draft, author, approver_client
):
    Rule.objects.filter(ruleset=draft, code="CV-BP-ELEVATED").update(
        threshold_text="BP above 150/90"
    )
    impact.do_show_impact_preview(draft, by=author)

    page = approver_client.get(
        reverse("screening:ruleset-publish", args=[draft.pk])
    ).content.decode()

    assert "1 locked rule with a threshold line whose numbers differ" in page
    assert "The threshold line of CV-BP-ELEVATED must state the numbers" in page
    rule = draft.rules.get(code="CV-BP-ELEVATED")
    assert reverse("screening:rule-edit", args=[rule.pk]) in page
