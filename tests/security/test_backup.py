import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from screening.models import AuditEvent
from tests.security.conftest import ROOT

PG = {"host": "127.0.0.1", "user": "postgres"}


def _manage(*args, env, timeout=300):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _row_counts(dbname):
    with psycopg.connect(dbname=dbname, **PG) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            )
        ]
        return {
            table: conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()[0]
            for table in tables
        }


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_dump and pg_restore need PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_it_restores_a_dump_with_its_trigger_and_chain__t_bak_01(world, tmp_path):
    source = connection.settings_dict["NAME"]
    restored = f"{source}_restore"
    dump = tmp_path / "intake.dump"
    tools = {**os.environ, "PGHOST": PG["host"], "PGUSER": PG["user"]}
    subprocess.run(
        ["pg_dump", "--format=custom", f"--file={dump}", source],
        env=tools,
        check=True,
    )
    subprocess.run(["dropdb", "--if-exists", restored], env=tools, check=True)
    subprocess.run(["createdb", restored], env=tools, check=True)
    try:
        subprocess.run(
            [
                "pg_restore",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={restored}",
                str(dump),
            ],
            env=tools,
            check=True,
        )
        assert _row_counts(restored) == _row_counts(source)
        assert AuditEvent.objects.count() > 10
        with (
            psycopg.connect(dbname=restored, **PG) as conn,
            pytest.raises(psycopg.errors.RaiseException),
        ):
            conn.execute("UPDATE screening_auditevent SET reason = 'x' WHERE seq = 1")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.test_settings",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{restored}",
        }
        check = _manage("migrate", "--check", env=env)
        assert check.returncode == 0, check.stdout + check.stderr
        run = _manage("verify_audit", env=env)
        assert run.returncode == 0, run.stdout + run.stderr
        head = AuditEvent.objects.order_by("-seq").first()
        assert run.stdout.startswith(
            f"audit chain ok: {AuditEvent.objects.count()} events, "
            f"head seq {head.seq} {head.row_hash}"
        )
    finally:
        subprocess.run(["dropdb", "--if-exists", restored], env=tools, check=True)


def _audit_count(db):
    return db.execute("SELECT count(*) FROM screening_auditevent").fetchone()[0]


def test_it_copies_a_running_sqlite_database_safely__t_bak_02(tmp_path: Path):
    live = tmp_path / "demo.sqlite3"
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{live}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("HTTPS_ONLY", None)
    for step in (("migrate", "--noinput"), ("setup_demo",)):
        run = _manage(*step, env=env)
        assert run.returncode == 0, run.stderr
    # The app keeps writing audit rows while the copy is taken.
    stop = tmp_path / "stop-writing"
    writer = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            # It writes until told to stop (at most a minute), so a quick machine
            # cannot finish writing before the copy is taken.
            "import os, time\n"
            "from screening import audit\n"
            "end = time.monotonic() + 60\n"
            f"while not os.path.exists({str(stop)!r}) and time.monotonic() < end:\n"
            "    audit.record('auth.login_failed')",
        ],
        cwd=ROOT,
        env=env,
    )
    copy = tmp_path / "copy.sqlite3"
    try:
        source = sqlite3.connect(live, timeout=30)
        start = _audit_count(source)
        while _audit_count(source) < start + 50 and writer.poll() is None:
            time.sleep(0.05)  # wait until the writer is really writing
        target = sqlite3.connect(copy)
        # All pages in one step, as documented (docs/security.md): one read of a
        # consistent state. Copied a few pages a step, the copy starts again after each
        # write of the other process, and a writer that never pauses kept it from ever
        # finishing while it wrote (a test that failed at random).
        source.backup(target)
        target.close()
        source.close()
        assert writer.poll() is None  # the copy was taken while it wrote
    finally:
        stop.touch()
        assert writer.wait(timeout=300) == 0
    with sqlite3.connect(copy) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    on_copy = {**env, "DATABASE_URL": f"sqlite:///{copy}"}
    boot = _manage("check", env=on_copy)
    assert boot.returncode == 0, boot.stderr
    run = _manage("verify_audit", env=on_copy)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("audit chain ok: ")
