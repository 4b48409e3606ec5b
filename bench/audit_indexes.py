"""What the audit table's indexes cost an append: 50 rows into a copy of the table
with today's 7 indexes and into one with the 4 that migration 0020 dropped added back
(LIKE indexes of the two hashes, single-column clinic and patient indexes).

Usage (after bench/pages.py has seeded intake_bench_pages):
    .venv/bin/python bench/audit_indexes.py [--rounds 200]

Both copies hold the benchmark database's audit rows (the indexes at their real size);
rounds alternate between them, each one transaction of 50 rows with fresh hashes.
Printed: the median time of a round in each. The copies are dropped at the end.
"""

from __future__ import annotations

import argparse
import datetime
import json
import secrets
import statistics
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import benchdb, pages

COPIES = ("bench_audit_7_indexes", "bench_audit_11_indexes")
DROPPED = (
    "(prev_hash varchar_pattern_ops)",
    "(row_hash varchar_pattern_ops)",
    "(clinic_id)",
    "(patient_id)",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    options = parser.parse_args()
    url = benchdb.database_url(pages.DATABASE)
    with psycopg.connect(url, autocommit=True) as db:
        try:
            columns = set_up(db)
            spent: dict[str, list[float]] = {name: [] for name in COPIES}
            seq = 10**12
            for _ in range(options.rounds):
                for name in COPIES:
                    rows = [row(seq + n, columns) for n in range(50)]
                    seq += 50
                    started = time.perf_counter()
                    with db.transaction(), db.cursor() as cursor:
                        cursor.executemany(
                            f"INSERT INTO {name} ({', '.join(columns)})"  # noqa: S608 - own names
                            f" VALUES ({', '.join(['%s'] * len(columns))})",
                            rows,
                        )
                    spent[name].append(time.perf_counter() - started)
            for name, values in spent.items():
                print(f"{name}: 50 rows in {statistics.median(values) * 1000:.2f} ms")
        finally:
            db.execute(f"DROP TABLE IF EXISTS {', '.join(COPIES)}")
    return 0


def set_up(db: psycopg.Connection) -> list[str]:
    db.execute(f"DROP TABLE IF EXISTS {', '.join(COPIES)}")
    for name in COPIES:
        db.execute(f"CREATE TABLE {name} (LIKE screening_auditevent INCLUDING ALL)")
        db.execute(f"INSERT INTO {name} SELECT * FROM screening_auditevent")  # noqa: S608 - own names
        # The copy's id identity starts at 1: on past the copied rows.
        restart = (
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608 - own names
            f"(SELECT coalesce(max(id), 0) + 1 FROM {name}), false)"
        )
        db.execute(restart)
    for index in DROPPED:
        db.execute(f"CREATE INDEX ON {COPIES[1]} {index}")
    count = db.execute(f"SELECT count(*) FROM {COPIES[0]}").fetchone()  # noqa: S608 - own names
    print(f"{count[0] if count else 0} audit rows in each copy")
    return [
        name
        for (name,) in db.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s"
            " AND column_name <> 'id' ORDER BY ordinal_position",
            [COPIES[0]],
        )
    ]


def row(seq: int, columns: list[str]) -> list[object]:
    values = {
        "seq": seq,
        "occurred_at": datetime.datetime.now(datetime.UTC),
        "activity_at": None,
        "actor_id": None,
        "actor_username": "bench",
        "actor_role": "intake_staff",
        "clinic_id": None,
        "patient_id": None,
        "data_category": "patient",
        "action": "patient.viewed",
        "object_type": "patient",
        "object_id": str(seq),
        "object_version": "",
        "detail": json.dumps({"page": "patients"}),
        "outcome": "success",
        "reason": "",
        "request_id": "b" * 32,
        "source_ip": "192.0.2.1",
        "user_agent_hash": "a" * 64,
        "prev_hash": secrets.token_hex(32),
        "row_hash": secrets.token_hex(32),
    }
    return [values[name] for name in columns]


if __name__ == "__main__":
    raise SystemExit(main())
