"""Where a page's server time goes: in-process timings, queries and a cProfile listing.

Usage (after bench/pages.py has seeded intake_bench_pages):
    .venv/bin/python bench/profile_pages.py                 # every page, 200 requests
    .venv/bin/python bench/profile_pages.py summary --profile 25

The pages of bench/pages.py (intake staff's home, worklist, flagged summary, section GET
and POST, JSON import, rules index, audit report, patient list and patient page),
requested through Django's test client under production settings on the seeded benchmark
database: no network, no gunicorn, one request at a time. Printed per page: median and
p95 server time, SQL statements per request and the time spent in them, and the Python
function calls of one request (counted by cProfile: unlike milliseconds, the count does
not move with the machine's load, so a before/after comparison holds on a busy machine)
and the garbage collector's mean time a request;
with --profile N, the N functions with the most cumulative time. A companion to
pages.py: pages.py says how fast, this says why.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import benchdb, pages

PAGES = (
    "home",
    "worklist",
    "summary",
    "section_get",
    "section_post",
    "import",
    "rules",
    "audit",
    "patients",
    "patient",
)
ROLES = ("intake", "clinician", "ruleadmin", "auditor")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", help=f"some of {', '.join(PAGES)}")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--profile", type=int, default=0, help="functions to list")
    parser.add_argument(
        "--sort",
        default="cumulative",
        choices=("cumulative", "tottime", "ncalls"),
        help="the order of --profile's listing (tottime: a function's own time)",
    )
    parser.add_argument(
        "--callers",
        default="",
        help="with --profile: also list who calls the functions matching this pattern",
    )
    parser.add_argument(
        "--sql", action="store_true", help="print the statements of the last request"
    )
    parser.add_argument(
        "--section",
        default="vitals",
        help="the section of section_get and section_post (its URL slug)",
    )
    parser.add_argument("--database", default=pages.DATABASE)
    options = parser.parse_args()
    options.pages = options.pages or list(PAGES)
    url = benchdb.database_url(options.database)
    os.environ.update(
        benchdb.production_env(url, STATICFILES_BACKEND=STATIC_PLAIN, CONN_MAX_AGE="60")
    )
    sessions = {
        role: found[0]
        for role, found in benchdb.sessions(ROLES, 1, env=dict(os.environ)).items()
    }
    import django

    django.setup()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs, load average {load}")
    print(
        f"{'page':14} {'p50 ms':>7} {'p95 ms':>7} {'queries':>7} {'SQL ms':>7}"
        f" {'GC ms':>6} {'calls':>8}"  # GC ms: the collector's mean a request
    )
    for name in options.pages:
        measure(name, sessions, options)
    return 0


# The in-process client needs no static files (as in worklist_scale.py).
STATIC_PLAIN = "django.contrib.staticfiles.storage.StaticFilesStorage"


def measure(name: str, sessions: dict, options: argparse.Namespace) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    plan = requests_for(name, sessions, section=options.section)
    session = sessions[plan["role"]]
    client = Client(HTTP_X_FORWARDED_PROTO="https", enforce_csrf_checks=False)
    client.cookies[session["session_cookie"]] = session["session_key"]
    elapsed, queries, sql_ms, gc_ms = [], [], [], []
    collecting, stop_collecting = gc_timer()
    profiler = cProfile.Profile()
    total = options.requests + 10
    origins: list[str] = []
    if options.sql:
        connection.execute_wrappers.append(origin_recorder(origins))
    for run in range(total):
        request = plan["next"](run)
        origins.clear()
        collecting.clear()
        connection.queries_log.clear()  # CaptureQueriesContext keeps at most 9,000
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            if options.profile and run >= 10:
                profiler.enable()
            response = request(client)
            profiler.disable()
        ms = (time.perf_counter() - started) * 1000
        if response.status_code != plan["expect"]:
            raise SystemExit(f"{name}: status {response.status_code}")
        if run >= 10:  # the first ten warm templates, ruleset and connections
            elapsed.append(ms)
            queries.append(len(captured.captured_queries))
            sql_ms.append(sum(float(q["time"]) for q in captured) * 1000)
            gc_ms.append(sum(collecting) * 1000)
    stop_collecting()
    statements = [
        f"  {float(query['time']) * 1000:6.2f} ms {origin:48} {query['sql'][:100]}"
        for query, origin in zip(captured.captured_queries, origins, strict=False)
    ]
    # One more request, counted: the Python function calls of one request.
    counter = cProfile.Profile()
    request = plan["next"](total)
    counter.enable()
    request(client)
    counter.disable()
    calls = pstats.Stats(counter).total_calls  # type: ignore[attr-defined]
    print(
        f"{name:14} {benchdb.percentile(elapsed, 0.5):7.2f}"
        f" {benchdb.percentile(elapsed, 0.95):7.2f} {max(queries):7d}"
        f" {benchdb.percentile(sql_ms, 0.5):7.2f} {sum(gc_ms) / len(gc_ms):6.2f}"
        f" {calls:8d}"
    )
    if options.sql:
        print("\n".join(statements))
    if options.profile:
        stats = pstats.Stats(profiler).sort_stats(options.sort)
        stats.print_stats(options.profile)
        if options.callers:
            stats.print_callers(options.callers)


def gc_timer() -> tuple[list[float], Callable[[], None]]:
    """A list that gets the seconds of each garbage collection, and what stops it."""
    import gc

    durations: list[float] = []
    started = [0.0]

    def callback(phase: str, info: dict) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            durations.append(time.perf_counter() - started[0])

    gc.callbacks.append(callback)
    return durations, lambda: gc.callbacks.remove(callback)


def origin_recorder(origins: list[str]):
    """An execute wrapper noting the app's innermost frame that ran each statement."""
    import traceback

    def wrapper(execute, sql, params, many, context):
        frames = [
            f"{Path(f.filename).relative_to(benchdb.ROOT)}:{f.lineno} {f.name}"
            for f in traceback.extract_stack()
            if "/screening/" in f.filename
        ]
        origins.append(frames[-1] if frames else "(django)")
        return execute(sql, params, many, context)

    return wrapper


def requests_for(name: str, sessions: dict, *, section: str = "vitals") -> dict:
    """What to request for a page: a function of the run number giving a request."""
    from django.db.models import F

    from screening.models import Clinic, Intake, IntakeSection

    clinic = Clinic.objects.get(slug=benchdb.CLINIC)
    if name == "home":  # intake staff's start page: the fixed cost of a request
        # (a clinician's home is the worklist, a rule admin's the rules index)
        return plan("intake", 200, lambda run: lambda c: c.get("/"))
    if name == "worklist":
        return plan("clinician", 200, lambda run: lambda c: c.get("/reviews/"))
    if name == "rules":
        return plan("ruleadmin", 200, lambda run: lambda c: c.get("/rules/"))
    if name == "audit":
        return plan("auditor", 200, lambda run: lambda c: c.get("/audit/"))
    if name == "patients":
        return plan("intake", 200, lambda run: lambda c: c.get("/patients/"))
    if name == "patient":  # the patient of the first editable intake, as pages.py
        editable = pages.editable_intakes(clinic)
        patient = editable.values_list("patient_id", flat=True).first()
        path = f"/patients/{patient}/"
        return plan("intake", 200, lambda run: lambda c: c.get(path))
    if name == "summary":
        flagged = (
            Intake.objects.filter(clinic=clinic, status="ready_for_review")
            .exclude(current_screening__outcome="no_flags")
            .order_by(-F("current_screening__relative_count"))
            .values_list("pk", flat=True)
            .first()
        )
        path = f"/intakes/{flagged}/review/"
        return plan("clinician", 200, lambda run: lambda c: c.get(path))
    editable = list(
        Intake.objects.filter(
            clinic=clinic,
            status__in=["in_progress", "ready_for_review"],
            sections__kind=section.replace("-", "_"),
            sections__version__gte=1,
        ).values_list("pk", flat=True)[:2000]
    )
    vitals = "/intakes/{}/sections/" + section + "/"
    if name == "section_get":
        path = vitals.format(editable[0])
        return plan("intake", 200, lambda run: lambda c: c.get(path))
    if name == "section_post":
        cookie = sessions["intake"]
        csrf = {"HTTP_X_CSRFTOKEN": cookie["csrf_token"]}

        def post(run: int):
            pk = editable[1 + run]
            version = IntakeSection.objects.get(
                intake_id=pk, kind=section.replace("-", "_")
            ).version
            client_body = body_of(vitals.format(pk), cookie, version)
            return lambda c: c.post(
                vitals.format(pk),
                client_body,
                content_type="application/x-www-form-urlencoded",
                **csrf,
            )

        return plan("intake", 302, post)
    if name == "import":
        boundary = "benchboundary7MA4YWxkTrZu0gW"
        body = pages.import_body(clinic.pk, boundary)
        csrf = {"HTTP_X_CSRFTOKEN": sessions["intake"]["csrf_token"]}
        stamp = time.time_ns()
        return plan(
            "intake",
            302,
            lambda run: (
                lambda c: c.post(
                    "/intakes/import/",
                    body.replace("MRN_PLACEHOLDER", f"PROF-{stamp}-{run}"),
                    content_type=f"multipart/form-data; boundary={boundary}",
                    **csrf,
                )
            ),
        )
    raise SystemExit(f"unknown page {name}")


def plan(role: str, expect: int, next_request) -> dict:
    return {"role": role, "expect": expect, "next": next_request}


_bodies: dict[str, str] = {}


def body_of(path: str, session: dict, version: int) -> str:
    """The section form as a browser posts it unchanged (read once, version set)."""
    from urllib.parse import parse_qsl, urlencode

    from django.test import Client

    if "form" not in _bodies:
        client = Client(HTTP_X_FORWARDED_PROTO="https")
        client.cookies[session["session_cookie"]] = session["session_key"]
        parser = pages._FormFields()
        parser.feed(client.get(path).content.decode())
        form = next(f for f in parser.forms if any(k == "version" for k, _ in f))
        _bodies["form"] = urlencode([(k, v) for k, v in form])
    fields = [
        (k, str(version) if k == "version" else v)
        for k, v in parse_qsl(_bodies["form"], keep_blank_values=True)
    ]
    return urlencode(fields)


if __name__ == "__main__":
    sys.exit(main())
