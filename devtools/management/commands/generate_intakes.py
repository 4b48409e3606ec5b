"""manage.py generate_intakes N --clinic SLUG [--seed S]: bulk test data, screened.

For load and scale tests (bench/), never for a clinic's real database: it creates
patients GEN-<n> with realistic, varied and valid intake/1 answers, in audited batches.
"""

import os
import time
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from devtools import generated
from screening.models import Clinic
from screening.services import imports


class Command(BaseCommand):
    help = "Create N generated patients, each with one screened intake (test data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("count", type=int)
        parser.add_argument("--clinic", required=True, help="the clinic's slug")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--user", help="who creates them (default: the system-import user)"
        )
        parser.add_argument(
            "--until",
            type=date.fromisoformat,
            help="last intake date, YYYY-MM-DD (default 2026-10-31, or today if "
            "earlier): the dates spread over the two years before it",
        )
        parser.add_argument(
            "--batch-size", type=int, default=generated.DEFAULT_BATCH_SIZE
        )
        parser.add_argument(
            "--processes",
            type=int,
            help="worker processes that build and screen the documents (default: "
            "the CPU count on PostgreSQL, 1 on SQLite)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["count"] < 1:
            raise CommandError("Give a count of 1 or more.")
        clinic = Clinic.objects.filter(slug=options["clinic"]).first()
        if clinic is None:
            raise CommandError(f"No clinic with the slug {options['clinic']!r}.")
        by = self._user(options["user"])
        processes = options["processes"] or (
            os.cpu_count() or 1 if connection.vendor == "postgresql" else 1
        )
        started = time.perf_counter()
        total = options["count"]
        step = max(1, total // 10)

        def progress(report: generated.GenerationReport) -> None:
            if report.count % step < options["batch_size"] or report.count == total:
                seconds = time.perf_counter() - started
                self.stderr.write(
                    f"{report.count}/{total} intakes, {seconds:.1f} s, "
                    f"{report.count / seconds:.0f}/s"
                )

        report = generated.do_generate_intakes(
            clinic,
            total,
            seed=options["seed"],
            by=by,
            until=options["until"],
            batch_size=options["batch_size"],
            processes=processes,
            after_batch=progress,
        )
        seconds = time.perf_counter() - started
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(report.outcomes.items()))
        self.stdout.write(
            f"Generated {report.count} intakes (ids {report.first_intake_id}-"
            f"{report.last_intake_id}) in {report.batches} batches, {seconds:.1f} s "
            f"({report.count / seconds:.0f} intakes/s, {processes} processes). "
            f"Outcomes: {outcomes}."
        )

    def _user(self, username: str | None) -> Any:
        if username is None:
            return imports.do_get_system_user()
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        return user
