"""The navigation bar: folds behind "Menu", an account menu, nothing at the 2FA step."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import logged_in_client
from tests.factories import MembershipFactory, TOTPDeviceFactory, UserFactory

PASSWORD = "correct horse battery staple"  # UserFactory's


def test_it_links_the_password_and_recovery_code_pages_from_the_account_menu(
    clinician,
):
    html = logged_in_client(clinician).get(reverse("screening:home")).content.decode()

    assert f'href="{reverse("accounts-password")}"' in html
    assert f'href="{reverse("accounts-recovery-codes")}"' in html
    assert "Log out" in html


def test_it_leads_someone_without_an_authenticator_to_set_one_up(intake_staff):
    client = logged_in_client(intake_staff)
    html = client.get(reverse("screening:home")).content.decode()

    assert f'href="{reverse("accounts-recovery-codes")}"' in html
    response = client.get(reverse("accounts-recovery-codes"))
    assert response.url == reverse("accounts-mfa-enrol")


def test_it_folds_the_navigation_behind_a_menu_button(intake_staff):
    client = logged_in_client(intake_staff)
    html = client.get(reverse("screening:home")).content.decode()

    assert 'data-bs-toggle="collapse" data-bs-target="#main-nav"' in html
    assert 'class="collapse navbar-collapse" id="main-nav"' in html


def test_it_shows_only_log_out_at_the_second_login_step(clinic):
    user = UserFactory(username="doctor")
    MembershipFactory(user=user, clinic=clinic, role="clinician")
    TOTPDeviceFactory(user=user)
    client = Client()
    client.post(reverse("login"), {"username": "doctor", "password": PASSWORD})

    response = client.get(reverse("accounts-mfa-verify"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Type your code" in html
    assert "Log out" in html
    assert reverse("screening:patient-list") not in html
    assert reverse("accounts-password") not in html


@pytest.mark.parametrize(
    ("role", "entries"),
    [
        ("intake_staff", ["Home", "Patients", "Import"]),
        ("clinician", ["Home", "Patients", "Import", "Worklist", "Rules"]),
        ("rule_admin", ["Home", "Rules"]),
        ("auditor", ["Home", "Audit log"]),
        ("clinic_admin", ["Home", "Clinic settings"]),
    ],
)
def test_it_links_each_page_the_role_may_open_and_no_other(client_as, role, entries):
    client = client_as(role)
    html = client.get(reverse("screening:home"), follow=True).content.decode()

    nav = re.search(r'<ul class="navbar-nav">(.*?)</ul>', html, re.S)
    assert nav is not None
    shown = re.findall(r'<a class="nav-link" href="([^"]+)">([^<]+)</a>', nav[1])
    assert [words for _, words in shown] == entries
    for target, _ in shown:
        assert client.get(target).status_code == 200, target
