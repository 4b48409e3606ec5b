"""URLs of the clinic UI. URLs carry <int:pk>, never PHI."""

from django.urls import path

from screening.views import audit, documents, home

app_name = "screening"

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", home.health, name="health"),
    path("audit/", audit.audit_list, name="audit-list"),
    path("audit/export.csv", audit.audit_export, name="audit-export"),
    path("intakes/import/", documents.intake_import, name="intake-import"),
    path(
        "intakes/<int:pk>/import-report/",
        documents.intake_import_report,
        name="intake-import-report",
    ),
    path("intakes/<int:pk>/export/", documents.intake_export, name="intake-export"),
]
