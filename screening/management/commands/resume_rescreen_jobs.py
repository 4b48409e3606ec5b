"""Queue again every re-screen job whose worker died; run it before `db_worker`."""

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from screening.services import rescreen


class Command(BaseCommand):
    help = (
        "Queue again the re-screen jobs left unfinished by a killed worker. Run it "
        "when the worker starts (before manage.py db_worker) and from a periodic check."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--stale-after",
            type=int,
            default=int(rescreen.STALE_AFTER.total_seconds()),
            help="Seconds without progress after which a job counts as abandoned. "
            "At worker start no other worker runs, so 0 resumes every unfinished job.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        jobs = rescreen.do_resume_stale_jobs(
            stale_after=timedelta(seconds=options["stale_after"])
        )
        self.stdout.write(f"{len(jobs)} re-screen job(s) queued again.")
