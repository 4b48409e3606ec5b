"""The clinicians' worklist at scale: server time per page, and the query plan.

Usage:
    .venv/bin/python bench/worklist_scale.py --intakes 100000  # new intake_bench_scale
    .venv/bin/python bench/worklist_scale.py --reuse           # as seeded before

It seeds a throwaway PostgreSQL database (loopback only; generate_intakes, so about 65 %
of the intakes wait on the worklist), logs a clinician in through
`manage.py bench_session --i-am-a-benchmark`, and requests each variant through
Django's test client in this process: middleware, session, the one worklist query and
the template, as production settings run them (no network, no gunicorn). Printed per
variant: p50 and p95 of the whole request and of the worklist query alone, then the
EXPLAIN (ANALYZE, BUFFERS) of each variant's query. Target: p95 <= 50 ms.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import benchdb

DATABASE = "intake_bench_scale"
TARGET_MS = 50.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--intakes", type=int, default=100_000)
    parser.add_argument("--reuse", action="store_true", help="keep the seeded database")
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--runs", type=int, default=200, help="requests per variant")
    options = parser.parse_args()
    if options.reuse:
        url = benchdb.database_url(options.database)
    else:
        url = benchdb.recreate_database(options.database)
        seconds = benchdb.seed(url, options.intakes)
        print(f"seeded {options.intakes} intakes in {seconds:.1f} s")
    os.environ.update(benchdb.production_env(url, STATICFILES_BACKEND=STATIC_PLAIN))
    [session] = benchdb.sessions(("clinician",), 1, env=dict(os.environ))["clinician"]
    measure(session, runs=options.runs)
    return 0


# Template {% static %} tags read the manifest only after collectstatic; the in-process
# client needs no static files, so the plain storage stands in (same URLs but the hash).
STATIC_PLAIN = "django.contrib.staticfiles.storage.StaticFilesStorage"


def measure(session: dict[str, str], *, runs: int) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from screening import worklist
    from screening.models import Clinic, Intake

    clinic = Clinic.objects.get(slug=benchdb.CLINIC)
    ready = Intake.objects.filter(clinic=clinic, status="ready_for_review").count()
    total = Intake.objects.filter(clinic=clinic).count()
    deep = deep_cursor(clinic, ready)
    variants = {
        "first page": ({"status": "ready_for_review"}, ""),
        "filtered: absolute": (
            {"status": "ready_for_review", "outcome": "absolute_contraindication"},
            "?outcome=absolute_contraindication",
        ),
        "filtered: no flags": (
            {"status": "ready_for_review", "outcome": "no_flags"},
            "?outcome=no_flags",
        ),
        f"deep keyset page (row {int(ready * 0.9)})": (
            {"status": "ready_for_review", "after": deep},
            f"?after={deep}",
        ),
        "any status": ({"status": ""}, "?status="),
        "filter matching nothing (signed)": ({"status": "signed"}, "?status=signed"),
    }
    client = Client(HTTP_X_FORWARDED_PROTO="https")
    client.cookies[session["session_cookie"]] = session["session_key"]
    base = reverse("screening:review-worklist")
    print(
        f"database: {connection.settings_dict['NAME']}, PostgreSQL "
        f"{connection.cursor().connection.info.server_version}"
    )
    print(
        f"clinic intakes: {total}, ready for review: {ready}; {runs} runs per variant"
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs, load average {load}")
    print(f"{'variant':42} {'request p50':>11} {'p95':>7} {'query p50':>10} {'p95':>7}")
    plans = {}
    for name, (filters, query) in variants.items():
        request_ms, query_ms = [], []
        for run in range(runs + 10):  # the first 10 warm the caches
            started = time.perf_counter()
            response = client.get(base + query)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise SystemExit(f"{name}: status {response.status_code}")
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                worklist.list_worklist_page(clinic, **filters)
            query_elapsed = (time.perf_counter() - started) * 1000
            if run >= 10:
                request_ms.append(elapsed)
                query_ms.append(query_elapsed)
        plans[name] = captured.captured_queries[-1]["sql"]
        p95 = benchdb.percentile(request_ms, 0.95)
        verdict = "ok" if p95 <= TARGET_MS else f"over {TARGET_MS:.0f} ms"
        print(
            f"{name:42} {benchdb.percentile(request_ms, 0.5):9.1f} ms {p95:5.1f} ms"
            f" {benchdb.percentile(query_ms, 0.5):8.1f} ms"
            f" {benchdb.percentile(query_ms, 0.95):5.1f} ms  {verdict}"
        )
    for name, sql in plans.items():
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            print(f"\n== EXPLAIN ANALYZE: {name}")
            print("\n".join(row[0] for row in cursor.fetchall()))


def deep_cursor(clinic, ready: int) -> object:
    """The cursor of the row 90 % down the ready-for-review worklist (setup only:
    OFFSET walks the rows before it, which is what the keyset page avoids)."""
    from screening import worklist

    rows = worklist.current_screenings(clinic, status="ready_for_review").order_by(
        "-current_screening__absolute_count",
        "-current_screening__relative_count",
        "-current_screening__caution_count",
        "pk",
    )
    return worklist.Cursor.of(rows[int(ready * 0.9)])


if __name__ == "__main__":
    sys.exit(main())
