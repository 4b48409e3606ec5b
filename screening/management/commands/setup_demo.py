"""Create the demo clinic: users per role, demo intakes, the default ruleset (DEBUG).

The demo clinician, rule admins and clinic admin get confirmed TOTP devices, and
their otpauth:// URIs are printed beside the logins: 2FA is exercised in the demo,
never bypassed.
"""

import datetime
from io import StringIO
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from screening.middleware import MFA_ROLES
from screening.models import Clinic, ClinicTestCase, ConsentDocument, Membership
from screening.services import consent, rulesets

DEMO_USERS = [
    ("intake", Membership.Role.INTAKE_STAFF, "Intake staff"),
    ("clinician", Membership.Role.CLINICIAN, "Clinician"),
    ("ruleadmin", Membership.Role.RULE_ADMIN, "Rule admin"),
    ("ruleadmin2", Membership.Role.RULE_ADMIN, "Second rule admin (approves drafts)"),
    ("auditor", Membership.Role.AUDITOR, "Auditor"),
    ("clinicadmin", Membership.Role.CLINIC_ADMIN, "Clinic admin"),
]
DEMO_INTAKES = 24
CLINIC_TEST_CASES = Path(settings.BASE_DIR) / "fixtures" / "clinic_test_cases"
DEMO_PASSWORD_SUFFIX = "-demo-passphrase"  # noqa: S105 - printed demo logins
DEMO_CONSENT_TEXT = (
    "I agree that the clinic records my answers and screens them against its rules "
    "for a clinician to review before any treatment is discussed. The screening "
    "never decides, doses or prescribes."
)


class Command(BaseCommand):
    help = "Create the demo clinic with one user per role and print their logins."

    def add_arguments(self, parser: CommandParser) -> None:
        # scripts/run passes the port it serves on, so the printed address is right.
        parser.add_argument("--port", type=int, default=8000)

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
                uri = ""
                if role in MFA_ROLES:
                    device, _ = TOTPDevice.objects.get_or_create(
                        user=user,
                        confirmed=True,
                        defaults={"name": "Demo authenticator"},
                    )
                    uri = device.config_url
                logins.append((label, username, password, uri))
        self._add_demo_data(clinic)
        address = f"http://127.0.0.1:{options['port']}/"
        self.stdout.write(f"Demo Clinic is ready. Log in at {address} as:")
        for label, username, password, uri in logins:
            self.stdout.write(f"  {label:38} {username:12} {password}")
            if uri:
                # Add this to an authenticator app (or compute codes from it).
                self.stdout.write(f"  {'':38} TOTP: {uri}")
        self.stdout.write(
            "Current TOTP code for a demo user: "
            "DEBUG=true .venv/bin/python manage.py demo_totp USERNAME"
        )

    def _add_demo_data(self, clinic: Clinic) -> None:
        """Generated patients with screened intakes, and the clinic's rule test set."""
        if not clinic.intakes.exists():
            # devtools' command, by name: DEBUG installs devtools, and nothing in
            # screening imports it (security.md, F14).
            call_command(
                "generate_intakes",
                DEMO_INTAKES,
                clinic=clinic.slug,
                seed=7,
                processes=1,
                stderr=StringIO(),
            )
        if not ConsentDocument.objects.filter(clinic=clinic).exists():
            # A published consent document, so that staff can record consent and a
            # clinician's "proceed" can be signed (#18).
            admin = get_user_model().objects.get(username="clinicadmin")
            document = consent.do_create_consent_document(
                clinic,
                title="Consent to screening for ketamine-assisted therapy",
                version="1",
                text=DEMO_CONSENT_TEXT,
                effective_on=datetime.date(2026, 1, 1),
                by=admin,
            )
            consent.do_publish_consent_document(document, by=admin)
        if not ClinicTestCase.objects.filter(clinic=clinic).exists():
            call_command(
                "load_clinic_test_cases",
                str(CLINIC_TEST_CASES),
                clinic=clinic.slug,
                stdout=StringIO(),
            )
