"""What auditing a list page costs: the `patient.viewed` rows of 50 patients shown.

Usage (after bench/pages.py has seeded intake_bench_pages):
    .venv/bin/python bench/audit_rows.py [--rounds 150]

In one process, interleaved round by round, each inside a transaction rolled back:
"per row" builds each row with audit.record() and inserts them with Django's
bulk_create() (how list pages wrote them before issue #19's change), "list page" is
audit.record_patients_shown() as the pages call it (rows copied from the first, one
UNNEST insert). The request is a logged-in one as the middleware leaves it (a lazy
user, memberships read). Printed: the CPU time of each, median and lower quartile (CPU
time: on a shared machine other work moves wall time far more) and the wall time, which
has the database's part (the insert and its indexes).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import benchdb, pages

SHOWN = 50


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=150)
    options = parser.parse_args()
    url = benchdb.database_url(pages.DATABASE)
    os.environ.update(benchdb.production_env(url))
    import django

    django.setup()
    from django.db import transaction
    from django.test import RequestFactory
    from django.utils.functional import SimpleLazyObject

    from screening import audit, permissions
    from screening.logs import current_request
    from screening.models import AuditEvent, Membership, Patient

    member = (
        Membership.objects.select_related("user", "clinic")
        .filter(role="intake_staff", clinic__slug=benchdb.CLINIC)
        .first()
    )
    if member is None:
        raise SystemExit("seed the benchmark database first: bench/pages.py")
    clinic, user = member.clinic, member.user
    patients = list(Patient.objects.filter(clinic=clinic)[:SHOWN])
    request = RequestFactory().get(
        "/patients/", HTTP_USER_AGENT="Mozilla/5.0 (bench)", REMOTE_ADDR="192.0.2.1"
    )
    request.user = SimpleLazyObject(lambda: user)
    request.request_id = "b" * 32
    current_request.set(request)
    permissions.memberships_of(request.user)  # as the middleware reads them

    unnest_insert = audit._insert

    def bulk_create(events: list[AuditEvent]) -> None:
        AuditEvent.objects.bulk_create(events)

    def per_row() -> None:
        audit._insert = bulk_create  # the insert before the change
        try:
            with audit.batch():
                for patient in patients:
                    audit.record(
                        audit.Event.PATIENT_VIEWED,
                        request=request,
                        clinic=clinic,
                        patient=patient,
                        target=patient,
                        category="patient",
                        detail={"page": "patients"},
                    )
        finally:
            audit._insert = unnest_insert

    def list_page() -> None:
        audit.record_patients_shown(request, patients, page="patients", clinic=clinic)

    cpu: dict[str, list[float]] = {"per row": [], "list page": []}
    wall: dict[str, list[float]] = {"per row": [], "list page": []}
    for _ in range(options.rounds):
        for name, run in (("per row", per_row), ("list page", list_page)):
            with transaction.atomic():
                started, started_wall = time.process_time(), time.perf_counter()
                run()
                cpu[name].append(time.process_time() - started)
                wall[name].append(time.perf_counter() - started_wall)
                transaction.set_rollback(True)
    print(f"{len(patients)} patients shown, {options.rounds} rounds:")
    for name in cpu:
        print(
            f"  {name:10} CPU median {statistics.median(cpu[name]) * 1000:6.2f} ms"
            f" (lower quartile {sorted(cpu[name])[options.rounds // 4] * 1000:.2f}),"
            f" wall median {statistics.median(wall[name]) * 1000:6.2f} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
