"""Create the demo clinic, one user per role, and the default ruleset (development only)."""

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from screening.models import Clinic, Membership
from screening.services import rulesets

DEMO_USERS = [
    ("intake", Membership.Role.INTAKE_STAFF, "Intake staff"),
    ("clinician", Membership.Role.CLINICIAN, "Clinician"),
    ("ruleadmin", Membership.Role.RULE_ADMIN, "Rule admin"),
    ("ruleadmin2", Membership.Role.RULE_ADMIN, "Second rule admin (approves drafts)"),
    ("auditor", Membership.Role.AUDITOR, "Auditor"),
]
DEMO_PASSWORD_SUFFIX = "-demo-passphrase"


class Command(BaseCommand):
    help = "Create the demo clinic with one user per role and print their logins."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("setup_demo runs only in development mode (DEBUG=true).")
        with transaction.atomic():
            rulesets.do_install_default_ruleset()
            clinic, _ = Clinic.objects.get_or_create(
                slug="demo", defaults={"name": "Demo Clinic"}
            )
            logins = []
            for username, role, label in DEMO_USERS:
                password = f"{username}{DEMO_PASSWORD_SUFFIX}"
                user, created = get_user_model().objects.get_or_create(
                    username=username
                )
                if created:
                    user.set_password(password)
                    user.save(update_fields=["password"])
                Membership.objects.get_or_create(
                    user=user, clinic=clinic, defaults={"role": role}
                )
                logins.append((label, username, password))
        self.stdout.write("Demo Clinic is ready. Log in at http://127.0.0.1:8000/ as:")
        for label, username, password in logins:
            self.stdout.write(f"  {label:38} {username:12} {password}")
