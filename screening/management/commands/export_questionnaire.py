"""manage.py export_questionnaire: the FHIR R4B Questionnaire the declaration makes."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from screening.fhir.questionnaire import questionnaire


class Command(BaseCommand):
    help = (
        "Write the intake's FHIR R4B Questionnaire, generated from "
        "screening/questionnaire/, to stdout or --output FILE. It holds no patient "
        "data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        text = questionnaire().model_dump_json(indent=2) + "\n"
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote the questionnaire to {options['output']}.")
        else:
            self.stdout.write(text, ending="")
