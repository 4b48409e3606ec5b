"""manage.py import_intakes: import intake/1 files or folders, all or nothing."""

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from screening import permissions
from screening.models import Clinic
from screening.services import imports

REFUSED_EXIT_STATUS = 2


class Command(BaseCommand):
    help = (
        "Import intake/1 JSON documents into a clinic. A folder imports every *.json "
        "in it. All files form one batch: if any is refused, nothing is imported, "
        "every error is listed by file on stderr and the exit status is 2."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="FILE_OR_DIR")
        parser.add_argument("--clinic", required=True, metavar="SLUG")
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help=f"act as this user (default: {imports.SYSTEM_USERNAME}, created "
            "inactive on first use)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        clinic = Clinic.objects.filter(slug=options["clinic"]).first()
        if clinic is None:
            raise CommandError(f"no clinic with slug {options['clinic']!r}")
        files = [
            (str(path), path.read_bytes()) for path in _json_files(options["paths"])
        ]
        with transaction.atomic():
            user = _acting_user(options["user"], clinic)
            report = imports.do_import_documents(
                files, clinic=clinic, by=user, today=timezone.localdate()
            )
            if report.is_refused:
                # Not even the system user is created when nothing is imported.
                transaction.set_rollback(True)
        if report.is_refused:
            for error in report.errors:
                self.stderr.write(str(error))
            refused_files = len({error.file_name for error in report.errors})
            raise CommandError(
                f"import refused: {len(report.errors)} error(s) in {refused_files} of "
                f"{len(files)} file(s); nothing was imported",
                returncode=REFUSED_EXIT_STATUS,
            )
        self._print_summary(report, clinic)

    def _print_summary(self, report: imports.ImportReport, clinic: Clinic) -> None:
        created = sum(item.patient_created for item in report.imported)
        self.stdout.write(
            f"Imported {len(report.imported)} intake(s) into {clinic.name} "
            f"({created} new patient(s)), {report.warning_count} warning(s)."
        )
        for item in report.imported:
            # Ids only: the summary may end up in a shell log.
            new = ", new patient" if item.patient_created else ""
            self.stdout.write(
                f"  {item.file_name}: intake {item.intake.pk} "
                f"(patient {item.intake.patient_id}{new}), screened"
            )
            for warning in item.warnings:
                self.stdout.write(f"    warning: {warning}")


def _acting_user(username: str | None, clinic: Clinic) -> Any:
    if username is None:
        return imports.do_get_system_user()
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"no user {username!r}")
    if not permissions.can(user, permissions.IMPORT_INTAKE, clinic=clinic):
        raise CommandError(f"user {username!r} may not import intakes into this clinic")
    return user


def _json_files(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            in_folder = sorted(p for p in path.glob("*.json") if p.is_file())
            if not in_folder:
                raise CommandError(f"no *.json files in {path}")
            found += in_folder
        elif path.is_file():
            found.append(path)
        else:
            raise CommandError(f"no such file or folder: {path}")
    return found
