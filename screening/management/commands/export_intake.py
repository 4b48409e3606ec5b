"""manage.py export_intake: write one intake as intake/1 JSON (normal form), audited."""

import os
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from screening import permissions
from screening.models import Intake
from screening.services import exports, imports


class Command(BaseCommand):
    help = (
        "Export an intake as an intake/1 JSON document in normal form, to stdout or "
        "--output FILE. The export is audited; its watermark (who, when) goes to "
        "stderr."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("intake_id", type=int, metavar="ID")
        parser.add_argument("--output", "-o", metavar="FILE")
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help=f"act as this user (default: {imports.SYSTEM_USERNAME})",
        )

    # What a subclass exporting another format changes (export_fhir).
    related: tuple[str, ...] = ("clinic", "patient")

    def export(self, intake: Intake, *, by: Any) -> Any:
        """The audited export: an object with the document's `text` and `watermark`."""
        return exports.do_export_intake(intake, by=by)

    def handle(self, *args: Any, **options: Any) -> None:
        intake = (
            Intake.objects.select_related(*self.related)
            .filter(pk=options["intake_id"], patient__is_deleted=False)
            .first()
        )
        if intake is None:
            raise CommandError(f"no intake {options['intake_id']}")
        user = _acting_user(options["user"], intake)
        exported = self.export(intake, by=user)
        if options["output"]:
            _write_private(options["output"], exported.text)
            self.stdout.write(f"Wrote intake {intake.pk} to {options['output']}.")
        else:
            self.stdout.write(exported.text, ending="")
        self.stderr.write(exported.watermark)


def _acting_user(username: str | None, intake: Intake) -> Any:
    if username is None:
        return imports.do_get_system_user()
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"no user {username!r}")
    if not permissions.can(user, permissions.EXPORT_INTAKE, clinic=intake.clinic):
        raise CommandError(f"user {username!r} may not export this clinic's intakes")
    return user


def _write_private(name: str, text: str) -> None:
    # The file holds PHI: readable by its owner only, like a backup.
    descriptor = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
