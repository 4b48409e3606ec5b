"""URLs of the clinic UI. URLs carry <int:pk>, never PHI."""

from django.urls import path

from screening.views import (
    audit,
    clinic,
    consent,
    documents,
    fhir,
    home,
    intakes,
    patients,
    rereviews,
    reviews,
    rule_publishing,
    rules,
)

app_name = "screening"

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", home.health, name="health"),
    path("account/session/renew", home.session_renew, name="session-renew"),
    path("clinic/", clinic.clinic_admin, name="clinic-admin"),
    path("clinic/intakes.csv", clinic.intake_csv_export, name="intake-csv-export"),
    path("clinic/consent/", consent.consent_documents, name="consent-documents"),
    path("clinic/consent/<int:pk>/", consent.consent_document, name="consent-document"),
    path(
        "clinic/consent/<int:pk>/publish/",
        consent.consent_document_publish,
        name="consent-document-publish",
    ),
    path("intakes/<int:pk>/consent/", consent.intake_consent, name="intake-consent"),
    path("audit/", audit.audit_list, name="audit-list"),
    path("audit/export.csv", audit.audit_export, name="audit-export"),
    path("intakes/import/", documents.intake_import, name="intake-import"),
    path(
        "intakes/<int:pk>/import-report/",
        documents.intake_import_report,
        name="intake-import-report",
    ),
    path("intakes/<int:pk>/export/", documents.intake_export, name="intake-export"),
    path("intakes/<int:pk>/fhir/", fhir.intake_fhir, name="intake-fhir"),
    path("questionnaire/fhir/", fhir.questionnaire_fhir, name="questionnaire-fhir"),
    path("patients/", patients.patient_list, name="patient-list"),
    path("patients/new/", patients.patient_create, name="patient-create"),
    path("patients/<int:pk>/", patients.patient_detail, name="patient-detail"),
    path("patients/<int:pk>/edit/", patients.patient_edit, name="patient-edit"),
    path("patients/<int:pk>/intakes/new/", intakes.intake_create, name="intake-create"),
    path("intakes/<int:pk>/", intakes.intake_detail, name="intake-detail"),
    path(
        "intakes/<int:pk>/sections/<slug:section>/",
        intakes.intake_section_edit,
        name="intake-section-edit",
    ),
    path(
        "intakes/<int:pk>/sections/<slug:section>/confirm/",
        intakes.intake_section_confirm,
        name="intake-section-confirm",
    ),
    path(
        "intakes/<int:pk>/sections/<slug:section>/draft/",
        intakes.intake_section_draft,
        name="intake-section-draft",
    ),
    path(
        "intakes/<int:pk>/sections/<slug:section>/draft/at-timeout/",
        intakes.intake_section_draft_at_timeout,
        name="intake-section-draft-at-timeout",
    ),
    path(
        "intakes/<int:pk>/clinician-entered/",
        intakes.intake_clinician_edit,
        name="intake-clinician-edit",
    ),
    path("intakes/<int:pk>/ready/", intakes.intake_ready, name="intake-ready"),
    path(
        "intakes/<int:pk>/urgent/clear/",
        intakes.intake_urgent_clear,
        name="intake-urgent-clear",
    ),
    path(
        "intakes/<int:pk>/rereview/", rereviews.intake_rereview, name="intake-rereview"
    ),
    path("reviews/", reviews.review_worklist, name="review-worklist"),
    path("intakes/<int:pk>/review/", reviews.review_summary, name="review-summary"),
    path(
        "intakes/<int:pk>/review/acknowledge/",
        reviews.review_acknowledge,
        name="review-acknowledge",
    ),
    path(
        "intakes/<int:pk>/review/missing/",
        reviews.review_missing_accept,
        name="review-missing-accept",
    ),
    path(
        "intakes/<int:pk>/review/disposition/",
        reviews.review_disposition,
        name="review-disposition",
    ),
    path("intakes/<int:pk>/review/sign/", reviews.review_sign, name="review-sign"),
    path("intakes/<int:pk>/review/pdf/", reviews.review_pdf, name="review-pdf"),
    path("intakes/<int:pk>/addendum/", reviews.intake_addendum, name="intake-addendum"),
    path("rules/", rules.rule_index, name="rule-index"),
    path("rules/vocabulary/", rules.rule_vocabulary, name="rule-vocabulary"),
    path("rules/diff/", rules.ruleset_diff, name="ruleset-diff"),
    path("rules/import/", rules.ruleset_import, name="ruleset-import"),
    path("rules/drafts/new/", rules.ruleset_draft_create, name="ruleset-draft-create"),
    path("rules/rulesets/<int:pk>/", rules.ruleset_detail, name="ruleset-detail"),
    path("rules/rulesets/<int:pk>/rules/new/", rules.rule_create, name="rule-create"),
    path(
        "rules/rulesets/<int:pk>/settings/",
        rules.ruleset_settings_edit,
        name="ruleset-settings-edit",
    ),
    path(
        "rules/rulesets/<int:pk>/export/", rules.ruleset_export, name="ruleset-export"
    ),
    path(
        "rules/rulesets/<int:pk>/tests/",
        rule_publishing.ruleset_tests_run,
        name="ruleset-tests-run",
    ),
    path(
        "rules/rulesets/<int:pk>/cases/",
        rule_publishing.ruleset_cases,
        name="ruleset-cases",
    ),
    path(
        "rules/rulesets/<int:pk>/cases/<int:case_pk>/approve/",
        rule_publishing.test_case_approve,
        name="test-case-approve",
    ),
    path(
        "rules/rulesets/<int:pk>/impact/",
        rule_publishing.ruleset_impact,
        name="ruleset-impact",
    ),
    path(
        "rules/rulesets/<int:pk>/publish/",
        rule_publishing.ruleset_publish,
        name="ruleset-publish",
    ),
    path(
        "rules/rulesets/<int:pk>/discard/",
        rule_publishing.ruleset_discard,
        name="ruleset-discard",
    ),
    path("rules/rules/<int:pk>/edit/", rules.rule_edit, name="rule-edit"),
    path("rules/rules/<int:pk>/tests/", rules.rule_tests_edit, name="rule-tests-edit"),
    path("rules/rules/<int:pk>/retire/", rules.rule_retire, name="rule-retire"),
    path(
        "rules/jobs/<int:pk>/",
        rule_publishing.rescreen_job_detail,
        name="rescreen-job-detail",
    ),
    path(
        "rules/jobs/<int:pk>/progress/",
        rule_publishing.rescreen_job_progress,
        name="rescreen-job-progress",
    ),
]
