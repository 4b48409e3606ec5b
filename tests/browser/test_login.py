import pytest
from django.urls import reverse

from tests.factories import (
    ClinicFactory,
    MembershipFactory,
    TOTPDeviceFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _watch_csp(page):
    violations = []
    page.on(
        "console", lambda m: violations.append(m.text) if m.type == "error" else None
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => console.error('CSP ' + e.violatedDirective));"
    )
    return violations


def test_it_logs_in_with_password_and_totp_code(page, live_server, login):
    clinic = ClinicFactory(name="Riverside", slug="riverside")
    user = UserFactory(username="dr-lee")
    MembershipFactory(user=user, clinic=clinic, role="clinician")
    device = TOTPDeviceFactory(user=user)
    errors = _watch_csp(page)
    login(page, user, device)
    assert page.url == live_server.url + reverse("screening:home")
    # A clinician lands on their queue, the worklist (issue #15).
    assert page.get_by_role("heading", name="Worklist").is_visible()
    assert page.get_by_text("dr-lee").first.is_visible()
    assert errors == []


def test_it_enrols_an_authenticator_without_csp_errors(page, live_server, login):
    clinic = ClinicFactory(name="Riverside", slug="riverside")
    user = UserFactory(username="dr-new")
    MembershipFactory(user=user, clinic=clinic, role="rule_admin")
    errors = _watch_csp(page)
    login(page, user)
    page.wait_for_url("**" + reverse("accounts-mfa-enrol") + "**")
    # The password again before the key is shown (#13 F10).
    assert page.locator("figure.qr-code").count() == 0
    page.fill("#id_password", "correct horse battery staple")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("figure.qr-code svg").is_visible()
    assert "otpauth://totp/" in page.get_by_test_id("otpauth-uri").inner_text()
    assert errors == []


def test_it_warns_a_minute_before_the_idle_limit__t_ses_06(page, live_server, login):
    clinic = ClinicFactory(name="Riverside", slug="riverside")
    user = UserFactory(username="front-desk")
    MembershipFactory(user=user, clinic=clinic, role="intake_staff")
    page.clock.install()
    login(page, user)
    warning = page.locator("[data-session-warning]")
    assert warning.is_hidden()
    page.clock.run_for("13:00")
    assert warning.is_hidden()
    page.clock.run_for("00:31")  # 13 min 31 s: 89 s before the 15-minute limit
    assert warning.is_visible()
    page.clock.run_for("01:30")
    assert page.locator("[data-session-ended]").is_visible()
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
