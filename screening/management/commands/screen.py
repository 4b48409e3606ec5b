"""Screen one intake/1 document and print the result; stores nothing (§11)."""

import sys
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from screening import engine
from screening.intake_format import DocumentInvalid, dumps, load_document
from screening.services import screen_text


class Command(BaseCommand):
    help = "Screen an intake/1 document; print the outcome, flags and derived values."
    # An offline tool: it reads a file, so the URL and model checks are not needed.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="an intake/1 JSON document")
        parser.add_argument("--format", choices=["json", "text"], default="text")
        parser.add_argument(
            "--ruleset",
            help='a published ruleset version ("default-1", "<clinic-slug>-<n>"); '
            "default: the shipped default ruleset",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            raw = Path(options["file"]).read_bytes()
        except OSError as error:
            self._refuse([f"(document): cannot read the file: {error.strerror}"])
        try:
            # Screening refuses exactly what import refuses (intake-format.md 4.1).
            document = load_document(raw, today=date.today())  # noqa: DTZ011 - the clinic's day
        except DocumentInvalid as invalid:
            self._refuse([f"{issue.path}: {issue.message}" for issue in invalid.issues])
        ruleset = self._ruleset(options["ruleset"])
        result = engine.screen_document(document, ruleset)
        if options["format"] == "json":
            self.stdout.write(dumps(result))
        else:
            self.stdout.write(screen_text.render(result))

    def _ruleset(self, label: str | None) -> engine.Ruleset:
        if label is None:
            return engine.load_default_ruleset()
        from screening.services import rulesets  # needs the database

        try:
            return rulesets.get_engine_ruleset_by_label(label)
        except rulesets.UnknownRulesetError:
            message = f"no published ruleset {label!r}"
        except DatabaseError:
            message = (
                "cannot read rulesets: is the database migrated (manage.py migrate)?"
            )
        except engine.RulesetError as error:
            # Stored before today's limits on conditions (#13 F4), say, or altered.
            message = f"the ruleset {label!r} cannot be used: {error}"
        raise CommandError(message, returncode=2)

    def _refuse(self, errors: list[str]) -> None:
        self.stderr.write("The document is invalid; nothing was screened:")
        for error in errors:
            self.stderr.write(f"  {error}")
        sys.exit(2)
