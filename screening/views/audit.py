"""The auditors' report on the audit log: filter, sort, page, export (ONC (d)(3))."""

import csv
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from screening import access, audit, permissions
from screening.forms.audit import (
    COLUMNS,
    DEFAULT_SORT,
    AuditFilterForm,
    PatientLookupForm,
)
from screening.paging import CappedPaginator

PAGE_SIZE = 50
# A row's values, in the order the report shows them.
ROW_VALUES = [name for name, _ in COLUMNS]


class _Echo:
    """A file-like object whose write() returns the line, for streaming CSV."""

    def write(self, value: str) -> str:
        return value


def _query(form: AuditFilterForm, **changes: Any) -> str:
    """The filter's query string with some values changed (sort, page)."""
    # What QueryDict.urlencode() writes, without a QueryDict per link (#19: the
    # report writes one for each of its 13 headers).
    pairs = []
    for name in [*form.fields, "page"]:
        value = changes.get(name, form.data.get(name, ""))
        if value:
            pairs.append((name, str(value)))
    return urlencode(pairs)


def _headers(form: AuditFilterForm, sort: str) -> list[dict[str, str]]:
    # Each header's link is the filter with its own sort and no page: the filter's
    # part written once, the sort (the last of the filter's fields) after it (#19).
    filtered = _query(form, sort="", page="")
    headers = []
    for name, label in COLUMNS:
        if sort == name:
            next_sort, state = f"-{name}", "ascending"
        elif sort == f"-{name}":
            next_sort, state = name, "descending"
        else:
            next_sort, state = name, "none"
        headers.append(
            {
                "label": label,
                "query": "&".join(
                    [*([filtered] if filtered else []), urlencode({"sort": next_sort})]
                ),
                "sort": state,
            }
        )
    return headers


@require_http_methods(["GET", "POST"])
def audit_list(request: HttpRequest) -> HttpResponse:
    clinic = access.get_clinic_for_user(request, action=permissions.VIEW_AUDIT)
    clinics = audit.clinics_audited_by(request.user)
    # A POST is the MRN lookup: it answers with the report filtered by patient id.
    lookup = PatientLookupForm(
        request.POST if request.method == "POST" else None, clinics=clinics
    )
    if lookup.is_bound:
        valid = lookup.is_valid()
        # The count only: the MRN is PHI and never reaches a log or a URL.
        audit.record(
            audit.Event.PATIENT_SEARCHED,
            request=request,
            clinic=clinic,
            category="patient",
            detail={"result_count": int(valid)},
        )
        if valid and lookup.patient is not None:
            url = reverse("screening:audit-list")
            return redirect(f"{url}?patient={lookup.patient.pk}")
    form = AuditFilterForm(request.GET)
    events = audit.list_events(clinics)
    events = form.filter(events) if form.is_valid() else events.none()
    # The rows' values (named), not AuditEvent instances: the audit_row tag writes
    # them, and fifty instances cost more than the table (#19).
    rows = events.values_list(*ROW_VALUES, named=True)
    paginator = CappedPaginator(rows, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    counted = {"count": min(paginator.count, paginator.CAP), "page": page.number}
    audit.record(
        audit.Event.AUDIT_VIEWED,
        request=request,
        clinic=clinic,
        category="audit",
        detail=counted | ({"more": True} if paginator.is_capped else {}),
    )
    sort = (form.cleaned_data.get("sort") or DEFAULT_SORT) if form.is_valid() else ""
    context = {
        "form": form,
        "lookup": lookup,
        "page": page,
        "headers": _headers(form, sort),
        "query": _query(form, page=""),
    }
    return render(request, "screening/audit/list.html", context)


@require_GET
def audit_export(request: HttpRequest) -> HttpResponse:
    clinic = access.get_clinic_for_user(request, action=permissions.VIEW_AUDIT)
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        context = {"form": form, "page": None, "headers": [], "query": ""}
        return render(request, "screening/audit/list.html", context, status=400)
    events = form.filter(audit.list_events(audit.clinics_audited_by(request.user)))
    audit.record(
        audit.Event.AUDIT_EXPORTED,
        request=request,
        clinic=clinic,
        category="audit",
        detail={"count": events.count()},
    )
    writer = csv.writer(_Echo())
    rows = (writer.writerow(row) for row in audit.export_rows(events))
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response
