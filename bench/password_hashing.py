"""The production password hash, timed (T-LOAD-03).

Usage:
    .venv/bin/python bench/password_hashing.py [--count 20]

Loads the production settings (PASSWORD_HASHERS[0], Argon2id with Django's parameters)
and times --count `make_password` calls and as many `check_password` calls: what a
login costs the server before anything else. Printed: milliseconds per hash (min,
median, max) and the parameters. Target: well under 1 s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20)
    options = parser.parse_args()
    # Production settings: no DEBUG; nothing here touches the database.
    os.environ.pop("DEBUG", None)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="localhost",
        DATABASE_URL="sqlite:///:memory:",
    )
    import django

    django.setup()
    from django.contrib.auth.hashers import check_password, get_hasher, make_password

    hasher = get_hasher()
    password = secrets.token_urlsafe(16)
    hashed, checked = [], []
    for _ in range(options.count):
        started = time.perf_counter()
        encoded = make_password(password)
        hashed.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        assert check_password(password, encoded)  # noqa: S101 - a wrong hash is a bug
        checked.append((time.perf_counter() - started) * 1000)
    print(
        f"{hasher.algorithm}: time_cost {hasher.time_cost}, memory_cost "
        f"{hasher.memory_cost} KiB, parallelism {hasher.parallelism}; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    for name, values in (("make_password", hashed), ("check_password", checked)):
        print(
            f"{name:15} {options.count} calls: min {min(values):.1f} ms, median "
            f"{statistics.median(values):.1f} ms, max {max(values):.1f} ms"
        )
    print("target: well under 1 s per hash")
    return 0


if __name__ == "__main__":
    sys.exit(main())
