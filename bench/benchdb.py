"""Shared by the benchmark scripts: a throwaway PostgreSQL database, seeded.

Only loopback PostgreSQL (127.0.0.1) is ever touched: the scripts refuse any other host,
so a benchmark can never drop or fill a real database.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parents[1]
# The server the benchmark databases live on (a database name is added to it).
SERVER_URL = os.environ.get("BENCH_SERVER_URL", "postgres://postgres@127.0.0.1:5432")
LOOPBACK = ("127.0.0.1", "localhost", "::1")
CLINIC = "demo"  # made by setup_demo, with one user per role (TOTP devices included)


def database_url(name: str) -> str:
    parts = urlsplit(SERVER_URL)
    if parts.hostname not in LOOPBACK:
        raise SystemExit(
            f"benchmarks run against loopback PostgreSQL only, not {parts.hostname}"
        )
    return urlunsplit(parts._replace(path=f"/{name}"))


def recreate_database(name: str) -> str:
    """Drop and create the benchmark database; return its URL."""
    if not name.replace("_", "").isalnum() or not name.startswith("intake_bench"):
        raise SystemExit("benchmark database names start with intake_bench")
    with psycopg.connect(database_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return database_url(name)


def drop_database(name: str) -> None:
    if not name.startswith("intake_bench"):
        raise SystemExit("benchmark database names start with intake_bench")
    with psycopg.connect(database_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def production_env(url: str, **extra: str) -> dict[str, str]:
    """Production settings (no DEBUG) on the benchmark database, behind a proxy that
    sets X-Forwarded-Proto (the load tool plays the proxy, security.md §2.3)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "HTTPS_ONLY")}
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DATABASE_URL=url,
        TRUST_X_FORWARDED_PROTO="true",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    env.update(extra)
    return env


def devtools_env(env: dict[str, str]) -> dict[str, str]:
    """The same settings with the development tools (bench_session, generate_intakes),
    which production settings never install: only for those commands, never for the
    server under test."""
    return {**env, "DEVTOOLS": "true"}


def development_env(url: str) -> dict[str, str]:
    """Development mode, only to create the demo clinic and its users (setup_demo)."""
    env = {k: v for k, v in os.environ.items() if k != "HTTPS_ONLY"}
    env.update(DEBUG="true", DATABASE_URL=url, DJANGO_SETTINGS_MODULE="config.settings")
    return env


def manage(*args: str, env: dict[str, str]) -> str:
    run = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0:
        raise SystemExit(
            f"manage.py {' '.join(args)} failed:\n{run.stdout}{run.stderr}"
        )
    return run.stdout


def seed(url: str, intakes: int, *, seed: int = 1) -> float:
    """Migrate, create the demo clinic and users, generate intakes; seconds spent
    generating."""
    manage("migrate", "-v0", env=development_env(url))
    manage("setup_demo", env=development_env(url))
    started = time.perf_counter()
    print(
        manage(
            "generate_intakes",
            str(intakes),
            "--clinic",
            CLINIC,
            "--seed",
            str(seed),
            env=devtools_env(production_env(url)),
        ).strip()
    )
    return time.perf_counter() - started


@contextmanager
def seeded_database(
    name: str, intakes: int, *, smoke: bool = False, reuse: bool = False
) -> Iterator[str]:
    """The URL of a benchmark database seeded with `intakes` (or as left, with
    `reuse`). A smoke run (CI) gets a database of its own, dropped at the end."""
    if smoke:
        name = f"intake_bench_smoke_{os.getpid()}"
    if reuse:
        url = database_url(name)
    else:
        url = recreate_database(name)
        seconds = seed(url, intakes)
        print(f"seeded {intakes} intakes in {seconds:.1f} s")
    analyse(url)
    try:
        yield url
    finally:
        if smoke:
            drop_database(name)


def analyse(url: str) -> None:
    """VACUUM ANALYZE, as autovacuum would have done on a production server: a local
    cluster may run without it (this machine's has autovacuum off), and then the
    planner counts 229,000 audit rows as 149 and reads them through the heap."""
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    print(f"vacuumed and analysed in {time.perf_counter() - started:.1f} s")


def sessions(
    roles: tuple[str, ...],
    count: int,
    *,
    env: dict[str, str],
    backend: str | None = None,
) -> dict[str, list[dict[str, str]]]:
    """`count` logged-in sessions per role, from `manage.py bench_session` (naming
    `backend` as the user's authentication backend when given)."""
    extra = ["--backend", backend] if backend else []
    return {
        role: [
            json.loads(line)
            for line in manage(
                "bench_session",
                role,
                "--i-am-a-benchmark",
                "--count",
                str(count),
                *extra,
                env=devtools_env(env),
            ).splitlines()
        ]
        for role in roles
    }


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (share 0.5 = median) of a non-empty list."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]
