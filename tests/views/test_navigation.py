"""The navigation bar: folds behind "Menu", an account menu, nothing at the 2FA step."""

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
