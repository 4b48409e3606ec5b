"""Mixed load with locust: section saves and summary reads at once, no update lost
(T-LOAD-01).

Usage:
    .venv/bin/python bench/load_mixed.py                    # 20 users, 2 minutes
    .venv/bin/python bench/load_mixed.py --time 30s --reuse
    .venv/bin/python bench/load_mixed.py --smoke            # CI: 4 users, 10 s

One run: a fresh PostgreSQL database (intake_bench_load on 127.0.0.1) seeded like
bench/pages.py (setup_demo, then generate_intakes), the app under gunicorn (2 sync
workers, production settings, loopback), sessions from `manage.py bench_session
--i-am-a-benchmark`, then `locust --headless -u USERS -r RATE -t TIME` with
bench/locustfile.py: half the users are intake staff who open the vitals section of
one of their intakes and save it at the version they read, half are clinicians who
read flagged summaries; every user has patients of its own. Printed: requests, error
share, p50, p95 and p99 per endpoint (locust's figures), then the lost-update check:
every save the server answered with its redirect must have moved that section's
version by one (versions gained = successful saves). Targets: 0 errors, p95 < 500 ms,
0 lost updates. Exit status 1 when an error or a lost update happened (slow figures
never fail it).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import benchdb, pages

DATABASE = "intake_bench_load"
P95_TARGET_MS = 500


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--intakes", type=int, default=2000)
    parser.add_argument("--users", type=int, default=20, help="half of each role")
    parser.add_argument("--spawn-rate", type=float, default=5)
    parser.add_argument("--time", default="2m", help="locust's --run-time")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--conn-max-age", type=int, default=60)
    parser.add_argument("--reuse", action="store_true", help="keep the seeded database")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="errors and lost updates only: 4 users, 10 s",
    )
    options = parser.parse_args()
    if options.smoke:
        options.intakes, options.users, options.time = 300, 4, "10s"
    options.users -= options.users % 2  # as many of each role
    with benchdb.seeded_database(
        DATABASE, options.intakes, smoke=options.smoke, reuse=options.reuse
    ) as url:
        return measure(url, options)


def measure(url: str, options: argparse.Namespace) -> int:
    env = benchdb.production_env(url, CONN_MAX_AGE=str(options.conn_max_age))
    benchdb.manage("collectstatic", "--noinput", "-v0", env=env)
    per_role = options.users // 2
    sessions = benchdb.sessions(("intake", "clinician"), per_role, env=env)
    pages.APP_PORT = port = pages.free_port()
    server = pages.gunicorn("config.wsgi:application", port, env, options)
    try:
        pages.wait_until_up(port, "/healthz")
        plan = make_plan(env, sessions, per_role, port)
        before = section_versions(plan["intakes"]["intake"])
        with tempfile.TemporaryDirectory(prefix="bench-load-") as scratch:
            stats, saves = run_locust(plan, options, port, Path(scratch))
    finally:
        pages.stop(server)
    after = section_versions(plan["intakes"]["intake"])
    return report(stats, saves, before, after, options)


def make_plan(
    env: dict[str, str],
    sessions: dict[str, list[dict[str, str]]],
    per_role: int,
    port: int,
) -> dict[str, object]:
    """Sessions, each role's intakes (one patient each) and the section form's body."""
    os.environ.update(env)
    import django

    django.setup()
    from screening.models import Clinic, Intake

    clinic = Clinic.objects.get(slug=benchdb.CLINIC)
    open_intakes = Intake.objects.filter(
        clinic=clinic, status__in=["in_progress", "ready_for_review"]
    )
    editable = list(
        open_intakes.filter(sections__kind="vitals", sections__version__gte=1)
        .order_by("pk")
        .values_list("pk", "patient_id")
    )
    flagged = list(
        open_intakes.filter(status="ready_for_review")
        .exclude(current_screening__outcome="no_flags")
        .order_by("-pk")
        .values_list("pk", "patient_id")
    )
    # Distinct patients: a patient is either saved or read, by one user only.
    saved = dict(editable[: len(editable) // 2])
    read = [pk for pk, patient in flagged if patient not in saved.values()]
    if len(saved) < per_role or len(read) < per_role:
        raise SystemExit("too few intakes for the users: seed more with --intakes")
    body = pages.form_body(
        f"/intakes/{next(iter(saved))}/sections/vitals/", sessions["intake"][0]
    )
    return {
        "sessions": sessions,
        "users_per_role": per_role,
        "intakes": {"intake": list(saved), "clinician": read},
        "body": body,
        "origin": f"https://{pages.HOST}:{port}",
    }


def section_versions(intakes: list[int]) -> dict[int, int]:
    from screening.models import IntakeSection

    return dict(
        IntakeSection.objects.filter(intake_id__in=intakes, kind="vitals").values_list(
            "intake_id", "version"
        )
    )


def run_locust(
    plan: dict[str, object], options: argparse.Namespace, port: int, scratch: Path
) -> tuple[list[dict[str, str]], dict[int, int]]:
    plan_file, result_file = scratch / "plan.json", scratch / "saves.json"
    plan_file.write_text(json.dumps(plan))
    command = [
        str(Path(sys.executable).with_name("locust")),
        "-f",
        str(Path(__file__).with_name("locustfile.py")),
        "--headless",
        "--users",
        str(options.users),
        "--spawn-rate",
        str(options.spawn_rate),
        "--run-time",
        options.time,
        "--host",
        f"http://{pages.HOST}:{port}",
        "--csv",
        str(scratch / "load"),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    print(
        f"locust: {options.users} users ({options.users // 2} intake staff saving, "
        f"{options.users // 2} clinicians reading), spawn rate {options.spawn_rate}/s,"
        f" {options.time}; gunicorn {options.workers} sync workers on port {port}"
    )
    run = subprocess.run(
        command,
        env={
            **os.environ,
            "BENCH_LOAD_PLAN": str(plan_file),
            "BENCH_LOAD_RESULT": str(result_file),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    stats_file = scratch / "load_stats.csv"
    if not stats_file.exists() or not result_file.exists():
        raise SystemExit(f"locust failed:\n{run.stdout}{run.stderr}")
    with stats_file.open() as stats:
        rows = list(csv.DictReader(stats))
    saves = {
        int(pk): count for pk, count in json.loads(result_file.read_text()).items()
    }
    return rows, saves


def report(
    stats: list[dict[str, str]],
    saves: dict[int, int],
    before: dict[int, int],
    after: dict[int, int],
    options: argparse.Namespace,
) -> int:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nmachine: {os.cpu_count()} CPUs, load average {load} after the run")
    header = (
        f"{'endpoint':18} {'requests':>8} {'errors':>7} {'p50 ms':>7} {'p95 ms':>7}"
        f" {'p99 ms':>7}"
    )
    print(header)
    print("-" * len(header))
    errors = 0
    for row in stats:
        requests, failures = int(row["Request Count"]), int(row["Failure Count"])
        share = f"{failures / requests:.1%}" if requests else "-"
        slow = "" if float(row["95%"] or 0) < P95_TARGET_MS else "  p95 over target"
        print(
            f"{row['Name']:18} {requests:8d} {share:>7} {row['50%']:>7}"
            f" {row['95%']:>7} {row['99%']:>7}{slow}"
        )
        if row["Name"] != "Aggregated":
            errors += failures
    gained = {pk: after[pk] - before[pk] for pk in before}
    lost = sum(max(0, saves.get(pk, 0) - gained[pk]) for pk in gained)
    print(
        f"\nsaves answered with a redirect: {sum(saves.values())}; section versions "
        f"gained: {sum(gained.values())}; lost updates: {lost}"
        f" (intakes whose version moved by other than their saves: "
        f"{sum(1 for pk in gained if gained[pk] != saves.get(pk, 0))})"
    )
    print(f"targets: 0 errors, p95 < {P95_TARGET_MS} ms, 0 lost updates")
    return (
        1 if errors or lost or gained != {pk: saves.get(pk, 0) for pk in gained} else 0
    )


if __name__ == "__main__":
    sys.exit(main())
