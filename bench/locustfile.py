"""Locust users of bench/load_mixed.py (T-LOAD-01): intake staff saving sections and
clinicians reading flagged summaries, each user on patients of its own.

Not run alone: bench/load_mixed.py seeds the database, starts gunicorn, writes the plan
this file reads (BENCH_LOAD_PLAN: sessions, intakes, the section form's body) and reads
back what it writes when the run stops (BENCH_LOAD_RESULT: the saves each intake got).
"""

from __future__ import annotations

import itertools
import json
import os
import re
from collections import Counter
from pathlib import Path

from locust import HttpUser, between, events, task

PLAN = json.loads(Path(os.environ["BENCH_LOAD_PLAN"]).read_text())
VERSION = re.compile(r'name="version" value="(\d+)"')
# Successful saves per intake, written out when the run stops.
saves: Counter[int] = Counter()
_numbers = {"intake": itertools.count(), "clinician": itertools.count()}


class LoggedInUser(HttpUser):
    abstract = True
    wait_time = between(0.2, 1.0)
    # As many users of each role as the plan has intake slices for.
    fixed_count = PLAN["users_per_role"]
    role = ""

    def on_start(self) -> None:
        # Each user its own session and its own intakes (distinct patients).
        sessions = PLAN["sessions"][self.role]
        number = next(_numbers[self.role])
        self.login = sessions[number % len(sessions)]
        users = PLAN["users_per_role"]
        self.turn = itertools.cycle(PLAN["intakes"][self.role][number % users :: users])
        self.headers = {
            "X-Forwarded-Proto": "https",  # locust plays the TLS proxy
            "Cookie": self.login["cookie_header"],
        }


class IntakeStaff(LoggedInUser):
    """Opens a section of one of its intakes and saves it at the version it read."""

    role = "intake"

    @task
    def save_section(self) -> None:
        pk = next(self.turn)
        path = f"/intakes/{pk}/sections/vitals/"
        with self.client.get(
            path, headers=self.headers, name="section GET", catch_response=True
        ) as page:
            found = VERSION.search(page.text or "")
            if page.status_code != 200 or found is None:
                page.failure(f"status {page.status_code}")
                return
        body = re.sub(r"(^|&)version=\d+", rf"\g<1>version={found[1]}", PLAN["body"])
        with self.client.post(
            path,
            data=body,
            headers={
                **self.headers,
                "Content-Type": "application/x-www-form-urlencoded",
                "X-CSRFToken": self.login["csrf_token"],
                "Origin": PLAN["origin"],
            },
            name="section POST",
            allow_redirects=False,
            catch_response=True,
        ) as saved:
            if saved.status_code == 302:
                saves[pk] += 1
            else:
                saved.failure(f"status {saved.status_code}")


class Clinician(LoggedInUser):
    """Reads the flagged summaries of its intakes."""

    role = "clinician"

    @task
    def read_summary(self) -> None:
        pk = next(self.turn)
        with self.client.get(
            f"/intakes/{pk}/review/",
            headers=self.headers,
            name="flagged summary",
            catch_response=True,
        ) as page:
            if page.status_code != 200:
                page.failure(f"status {page.status_code}")


@events.test_stop.add_listener
def write_saves(**_: object) -> None:
    Path(os.environ["BENCH_LOAD_RESULT"]).write_text(json.dumps(saves))
