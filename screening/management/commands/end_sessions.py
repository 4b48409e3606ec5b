"""manage.py end_sessions USERNAME: log a user out everywhere (audited)."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from screening.services import accounts


class Command(BaseCommand):
    help = "End every session of a user (a lost device, a departure); audited."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError("No such user.")
        ended = accounts.do_end_sessions(user, by=None)
        self.stdout.write(f"Ended {ended} session(s).")
