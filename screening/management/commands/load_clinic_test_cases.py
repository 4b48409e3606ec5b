"""Load intake/1 test cases with their expected results into a clinic's test set."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from screening.models import Clinic
from screening.services import clinic_tests


class Command(BaseCommand):
    help = (
        "Add DIR/*.json (intake/1 documents) with DIR/expected/<same name>.json "
        "(the acceptance cases' expected format) to a clinic's test set, e.g. "
        "../shared/vignettes or fixtures/clinic_test_cases. Known case ids are kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument("--clinic", required=True, help="The clinic's slug.")

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]
        if not (directory / "expected").is_dir():
            raise CommandError(f"{directory} has no expected/ directory.")
        clinic = Clinic.objects.filter(slug=options["clinic"]).first()
        if clinic is None:
            raise CommandError(f"No clinic with the slug {options['clinic']!r}.")
        try:
            added, skipped = clinic_tests.do_load_test_cases(clinic, directory)
        except clinic_tests.TestCaseFileError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{len(added)} test case(s) added to {clinic.slug}"
            + (f"; already there: {', '.join(skipped)}" if skipped else "")
            + "."
        )
