"""Playwright on Debian's chromium (never a downloaded browser), against live_server."""

import os
import shutil

import pytest
from django.urls import reverse
from django_otp.oath import totp

from screening.models import Intake
from tests.factories import (
    ClinicFactory,
    IntakeFactory,
    MembershipFactory,
    PatientFactory,
    UserFactory,
)

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the
# test body are still synchronous and safe here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": shutil.which("chromium"),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def base_url():
    # pytest-base-url's own fixture warns under pytest 9 (filterwarnings = error); the
    # tests use live_server.url instead.
    return None


@pytest.fixture(scope="session", autouse=True)
def _live_server_outlives_the_browser(live_server):
    """Start the live server before the browser, so it stops after the browser.

    Session fixtures end in reverse order. A live server stopped first leaves its
    request threads closing the browser's keep-alive connections afterwards, and on
    in-memory SQLite each one raises "DatabaseWrapper objects created in a thread can
    only be used in that same thread" into the last test of the run.
    """
    return live_server


FACTORY_PASSWORD = "correct horse battery staple"  # UserFactory's


@pytest.fixture
def login(live_server):
    """Log a user in through the real forms: password, then the current TOTP code.

    `login(page, user, device=None)`: a user whose role needs 2FA passes its TOTP
    device (tests.factories.TOTPDeviceFactory); its code is computed from the key.
    UserFactory's password is "correct horse battery staple".
    """

    def log_in(page, user, device=None, password=None):
        page.goto(live_server.url + reverse("login"))
        page.fill("#id_username", user.get_username())
        page.fill("#id_password", password or FACTORY_PASSWORD)
        page.click("main button[type=submit]")
        if device is not None:
            page.wait_for_url("**" + reverse("accounts-mfa-verify") + "**")
            code = totp(device.bin_key, device.step, device.t0, device.digits)
            page.fill("#id_code", f"{code:0{device.digits}d}")
            page.click("main button[type=submit]")
        page.wait_for_load_state()

    return log_in


@pytest.fixture
def staff():
    """Intake staff of a clinic of their own (the section pages' browser tests)."""
    clinic = ClinicFactory(name="Riverside", slug="riverside")
    user = UserFactory(username="front-desk")
    MembershipFactory(user=user, clinic=clinic, role="intake_staff")
    return user


@pytest.fixture
def intake(staff) -> Intake:
    """A blank intake of a patient of the staff member's clinic."""
    clinic = staff.memberships.get().clinic
    patient = PatientFactory(clinic=clinic, created_by=staff)
    return IntakeFactory(patient=patient, created_by=staff)
