import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from screening.models import AuditEvent, Membership, RecoveryCode
from screening.services import accounts
from tests.factories import ClinicFactory
from tests.security.conftest import PASSWORD, totp_code

pytestmark = pytest.mark.django_db

GENERIC_ERROR = "Please enter a correct username and password."
START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
PRODUCTION_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


def _login(client, username, password=PASSWORD):
    return client.post(
        reverse("login"), {"username": username, "password": password}, secure=True
    )


def test_it_locks_out_username_and_ip_after_five_failures__t_auth_01(
    time_machine, member, clinic
):
    time_machine.move_to(START, tick=False)
    x = member(clinic, "intake_staff", "locked-x")
    y = member(clinic, "intake_staff", "other-y")
    client = Client(REMOTE_ADDR="10.1.1.1")
    for _ in range(4):
        response = _login(client, x.username, "wrong password here")
        assert response.status_code == 200
        assert response.content.decode().count(GENERIC_ERROR) == 1
    fifth = _login(client, x.username, "wrong password here")
    assert fifth.status_code == 429
    assert x.username not in fifth.content.decode()
    assert _login(client, x.username, "still wrong password").status_code == 429
    time_machine.shift(timedelta(minutes=10))
    last = _login(client, x.username)  # the correct password, during the lockout
    assert last.status_code == 429
    assert _login(Client(REMOTE_ADDR="10.1.1.1"), y.username).status_code == 302
    # The attempt during the lockout restarted the cool-off: 15 min after the last one.
    time_machine.shift(timedelta(minutes=15, seconds=1))
    assert _login(Client(REMOTE_ADDR="10.1.1.1"), x.username).status_code == 302
    assert AuditEvent.objects.filter(action="auth.locked_out").count() == 1


def test_it_counts_an_overlong_username_without_failing__t_auth_01(clinic):
    # The login form validates no length; axes' counter column holds 255 characters.
    client = Client(REMOTE_ADDR="10.1.1.2")
    response = _login(client, "x" * 10_000, "wrong password here")
    assert response.status_code == 200
    assert GENERIC_ERROR in response.content.decode()
    attempt = AccessAttempt.objects.get()
    assert attempt.username == "x" * 150


def test_it_unlocks_with_axes_reset_username__t_auth_01(member, clinic):
    x = member(clinic, "intake_staff", "locked-z")
    client = Client(REMOTE_ADDR="10.1.1.2")
    for _ in range(5):
        _login(client, x.username, "wrong password here")
    assert _login(client, x.username).status_code == 429
    call_command("axes_reset_username", x.username)
    assert _login(client, x.username).status_code == 302


def test_it_answers_unknown_and_known_usernames_alike__t_auth_02(member, clinic):
    member(clinic, "intake_staff", "known-user")
    known = _login(Client(), "known-user", "wrong password here")
    unknown = _login(Client(), "nobody-here", "wrong password here")
    assert known.status_code == unknown.status_code == 200
    assert [t.name for t in known.templates] == [t.name for t in unknown.templates]

    def page(response, username):
        text = response.content.decode().replace(username, "USERNAME")
        return re.sub(r'value="[^"]{20,}"', "TOKEN", text)

    assert page(known, "known-user") == page(unknown, "nobody-here")
    assert GENERIC_ERROR in known.content.decode()


PASSPHRASE = "Żółw pływa wolno przez zielone jezioro, a ptaki śpiewają nad łąką "


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("elevenchars", "password_too_short"),
        ("qwerty123456", "password_too_common"),
        ("riverside wellness forever", "password_context_word"),
        ("my ketamine passphrase", "password_context_word"),
        ("margaret.hamilton2", "password_too_similar"),
    ],
)
def test_it_refuses_weak_passwords__t_auth_03(password, code):
    ClinicFactory(name="Riverside Wellness", slug="riverside")
    user = get_user_model()(username="margaret.hamilton", email="m@example.org")
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    codes = {error.code for error in refused.value.error_list}
    assert code in codes


@pytest.mark.parametrize("length", [64, 128])
def test_it_accepts_long_unicode_passphrases__t_auth_03(length, clinic):
    passphrase = (PASSPHRASE * 3)[:length]
    assert len(passphrase) == length
    user = get_user_model()(username="margaret.hamilton")
    validate_password(passphrase, user)


def test_it_renders_a_plain_password_input__t_auth_03():
    body = Client().get(reverse("login"), secure=True).content.decode()
    password_input = re.search(r"<input[^>]*name=\"password\"[^>]*>", body).group(0)
    assert 'type="password"' in password_input
    assert "onpaste" not in body
    assert 'autocomplete="off"' not in body


def test_it_hashes_with_argon2id_and_upgrades_pbkdf2__t_auth_04(settings, clinic):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS
    users = get_user_model().objects
    created = users.create_user("new-user", password="a long enough passphrase")
    assert created.password.startswith("argon2$argon2id$")
    old = users.create(
        username="old-user",
        password=make_password(PASSWORD, hasher="pbkdf2_sha256"),
    )
    assert old.password.startswith("pbkdf2_sha256$")
    assert _login(Client(), "old-user").status_code == 302
    old.refresh_from_db()
    assert old.password.startswith("argon2$argon2id$")


def _phi_urls(world):
    return [
        reverse("screening:intake-export", args=[world["own"]["intake"].pk]),
        reverse(
            "screening:intake-import-report", args=[world["own"]["imported_intake"].pk]
        ),
        reverse("screening:intake-import"),
        reverse("screening:home"),
    ]


@pytest.mark.parametrize("role", ["clinician", "rule_admin"])
def test_it_sends_an_unenrolled_user_to_enrolment__t_auth_05(
    role, member, clinic, world
):
    user = member(clinic, role)
    client = Client()
    client.force_login(user)
    for url in _phi_urls(world):
        response = client.get(url, secure=True)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts-mfa-enrol"))


def test_it_asks_for_the_code_then_lets_the_user_in__t_auth_05(
    time_machine, member, clinic, world, device_for
):
    time_machine.move_to(START, tick=False)
    user = member(clinic, "clinician")
    device = device_for(user)
    client = Client()
    assert _login(client, user.username).status_code == 302
    url = _phi_urls(world)[0]
    response = client.get(url, secure=True)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts-mfa-verify"))
    code = totp_code(device)
    verified = client.post(
        reverse("accounts-mfa-verify"), {"code": code, "next": url}, secure=True
    )
    assert verified.status_code == 302
    assert verified["Location"] == url
    assert client.get(url, secure=True).status_code == 200
    # The same code again, from another session in the same 30-s step: refused.
    replay = Client()
    _login(replay, user.username)
    refused = replay.post(reverse("accounts-mfa-verify"), {"code": code}, secure=True)
    assert refused.status_code == 200
    assert replay.get(url, secure=True).status_code == 302


def test_it_audits_a_wrong_code__t_auth_05(member, clinic, device_for):
    user = member(clinic, "clinician")
    device = device_for(user)
    client = Client()
    _login(client, user.username)
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("accounts-mfa-verify"), {"code": wrong}, secure=True)
    assert response.status_code == 200
    assert "not right" in response.content.decode()
    row = AuditEvent.objects.get(action="auth.mfa_failed")
    assert row.actor == user
    assert row.outcome == "denied"


def test_it_takes_each_recovery_code_once__t_auth_05(
    time_machine, member, clinic, device_for
):
    time_machine.move_to(START, tick=False)
    user = member(clinic, "clinician")
    device_for(user)
    codes = accounts.do_issue_recovery_codes(user)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    first = Client()
    _login(first, user.username)
    used = first.post(reverse("accounts-mfa-verify"), {"code": codes[0]}, secure=True)
    assert used.status_code == 302
    assert first.get(reverse("screening:home"), secure=True).status_code == 200
    assert AuditEvent.objects.filter(action="auth.recovery_code_used").count() == 1
    time_machine.shift(timedelta(minutes=1))  # past the throttle of any failure
    second = Client()
    _login(second, user.username)
    again = second.post(reverse("accounts-mfa-verify"), {"code": codes[0]}, secure=True)
    assert again.status_code == 200
    assert second.get(reverse("screening:home"), secure=True).status_code == 302
    stored = list(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert len(stored) == 9
    for code in codes:
        bare = code.replace("-", "")
        for value in stored:
            assert bare not in value
            assert code not in value


def test_it_still_asks_for_totp_after_a_password_reset__t_auth_05(
    member, clinic, device_for
):
    user = member(clinic, "rule_admin")
    device_for(user)
    user.set_password("a brand new passphrase here")
    user.save()
    client = Client()
    assert (
        _login(client, user.username, "a brand new passphrase here").status_code == 302
    )
    response = client.get(reverse("screening:home"), secure=True)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts-mfa-verify"))


def test_it_enrols_a_device_and_shows_recovery_codes_once__t_auth_05(
    time_machine, member, clinic
):
    time_machine.move_to(START, tick=False)
    user = member(clinic, "clinician")
    client = Client()
    _login(client, user.username)
    client.post(reverse("accounts-mfa-enrol"), {"password": PASSWORD}, secure=True)
    page = client.get(reverse("accounts-mfa-enrol"), secure=True)
    body = page.content.decode()
    assert "otpauth://totp/" in body
    assert "<svg" in body
    assert "style=" not in body
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(
        reverse("accounts-mfa-enrol"), {"code": totp_code(device)}, secure=True
    )
    assert response.status_code == 200
    assert response.content.decode().count("<li>") >= 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("screening:home"), secure=True).status_code == 200
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"auth.mfa_enrolled", "auth.recovery_codes_issued"} <= actions


def test_it_starts_with_no_users_and_demo_adds_one_per_role__t_auth_06(settings):
    users = get_user_model().objects
    assert users.count() == 0
    settings.DEBUG = True
    printed = StringIO()
    call_command("setup_demo", stdout=printed)
    # The clinician, the 2 rule admins and the clinic admin.
    assert printed.getvalue().count("otpauth://totp/") == 4
    assert not users.filter(username__in=["admin", "root", "sa"]).exists()
    roles = dict(Membership.objects.values_list("user__username", "role"))
    assert set(roles.values()) == {choice.value for choice in Membership.Role}
    for username, role in roles.items():
        has_device = TOTPDevice.objects.filter(
            user__username=username, confirmed=True
        ).exists()
        mfa_roles = ("clinician", "rule_admin", "clinic_admin")
        assert has_device == (role in mfa_roles), username


def test_it_changes_the_password_and_ends_other_sessions__t_auth_07(member, clinic):
    user = member(clinic, "intake_staff")
    here, elsewhere = Client(), Client()
    _login(here, user.username)
    _login(elsewhere, user.username)
    old_hash = user.password
    refused = here.post(
        reverse("accounts-password"),
        {
            "new_password1": "a new long passphrase",
            "new_password2": "a new long passphrase",
        },
        secure=True,
    )
    assert refused.status_code == 200
    assert "old_password" in refused.context["form"].errors
    user.refresh_from_db()
    assert user.password == old_hash
    changed = here.post(
        reverse("accounts-password"),
        {
            "old_password": PASSWORD,
            "new_password1": "a new long passphrase",
            "new_password2": "a new long passphrase",
        },
        secure=True,
    )
    assert changed.status_code == 302
    assert here.get(reverse("screening:home"), secure=True).status_code == 200
    response = elsewhere.get(reverse("screening:home"), secure=True)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_gives_a_new_session_key_at_login__t_auth_08(member, clinic):
    user = member(clinic, "intake_staff")
    client = Client()
    session = client.session
    session["before_login"] = True
    session.save()
    before = session.session_key
    _login(client, user.username)
    assert client.session.session_key != before
    attacker = Client()
    attacker.cookies["sessionid"] = before
    response = attacker.get(reverse("screening:home"), secure=True)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_reauthenticates_with_password_and_a_fresh_code__t_auth_05(
    time_machine, member, clinic, device_for
):
    time_machine.move_to(START, tick=False)
    user = member(clinic, "clinician")
    device = device_for(user)
    client = Client()
    _login(client, user.username)
    used = totp_code(device)
    client.post(reverse("accounts-mfa-verify"), {"code": used})
    url = reverse("accounts-recovery-codes")

    wrong = client.post(url, {"password": "not my password", "otp_token": used})
    assert "password" in wrong.context["form"].errors
    assert AccessAttempt.objects.filter(username=user.username).count() == 1
    replayed = client.post(url, {"password": PASSWORD, "otp_token": used})
    assert "otp_token" in replayed.context["form"].errors
    rows = AuditEvent.objects.filter(action="auth.reauth_failed", actor=user)
    assert [row.detail["factor"] for row in rows] == ["password", "otp_token"]
    assert not AuditEvent.objects.filter(action="auth.login_failed").exists()
    assert not RecoveryCode.objects.exists()

    time_machine.shift(timedelta(seconds=30))
    before = client.session.session_key
    issued = client.post(url, {"password": PASSWORD, "otp_token": totp_code(device)})
    assert issued.status_code == 200
    assert len(issued.context["codes"]) == 10
    assert RecoveryCode.objects.count() == 10
    assert client.session.session_key != before


def test_it_sends_the_lockout_page_with_no_store__info_axes(member, clinic):
    x = member(clinic, "intake_staff", "locked-nostore")
    client = Client(REMOTE_ADDR="10.1.1.3")
    for _ in range(4):
        _login(client, x.username, "wrong password here")
    locked = _login(client, x.username, "wrong password here")
    assert locked.status_code == 429
    assert "no-store" in locked["Cache-Control"]
    assert locked["X-Frame-Options"] == "DENY"


def test_it_counts_audits_and_locks_out_wrong_old_passwords__f3(member, clinic):
    user = member(clinic, "intake_staff", "changer")
    client = Client(REMOTE_ADDR="10.1.1.4")
    _login(client, user.username)
    url = reverse("accounts-password")
    guess = {
        "old_password": "a guessed password",
        "new_password1": "a new long passphrase",
        "new_password2": "a new long passphrase",
    }
    for attempt in range(1, 5):
        refused = client.post(url, guess, secure=True)
        assert refused.status_code == 200
        assert "old_password" in refused.context["form"].errors
        # Counted by axes, as a wrong password at login is.
        counted = AccessAttempt.objects.get(username=user.username)
        assert counted.failures_since_start == attempt
    rows = AuditEvent.objects.filter(action="auth.reauth_failed", actor=user)
    assert [row.detail for row in rows] == [
        {"factor": "password", "purpose": "password_change"}
    ] * 4
    assert not AuditEvent.objects.filter(action="auth.login_failed").exists()

    locked = client.post(url, guess, secure=True)
    assert locked.status_code == 429
    assert AuditEvent.objects.filter(action="auth.locked_out", actor=user).count() == 1
    # As at login: this session ends, and logging in again is refused for now.
    home = client.get(reverse("screening:home"), secure=True)
    assert home.status_code == 302
    assert home["Location"].startswith(reverse("login"))
    assert _login(client, user.username).status_code == 429
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_it_asks_for_the_password_before_showing_a_new_authenticator_key__f10(
    time_machine, member, clinic
):
    time_machine.move_to(START, tick=False)
    user = member(clinic, "intake_staff", "front-desk")
    owner, bystander = Client(), Client()
    _login(owner, user.username)
    _login(bystander, user.username)  # the session left open at the front desk
    url = reverse("accounts-mfa-enrol")

    prompt = bystander.get(url, secure=True)
    assert prompt.status_code == 200
    assert "otpauth://" not in prompt.content.decode()
    assert 'type="password"' in prompt.content.decode()
    assert not TOTPDevice.objects.filter(user=user).exists()
    wrong = bystander.post(url, {"password": "a guessed password"}, secure=True)
    assert "password" in wrong.context["form"].errors
    assert "otpauth://" not in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=user).exists()
    row = AuditEvent.objects.get(action="auth.reauth_failed", actor=user)
    assert row.detail == {"factor": "password", "purpose": "mfa_enrol"}
    assert AccessAttempt.objects.get(username=user.username).failures_since_start == 1

    passed = owner.post(url, {"password": PASSWORD}, secure=True)
    assert passed.status_code == 302
    assert "otpauth://totp/" in owner.get(url, secure=True).content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    # The other session never gave the password: the key's code does not work there.
    stolen = bystander.post(url, {"code": totp_code(device)}, secure=True)
    assert "otpauth://" not in stolen.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    confirmed = owner.post(url, {"code": totp_code(device)}, secure=True)
    assert confirmed.status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_it_makes_a_new_key_after_each_password_check__f10(member, clinic):
    user = member(clinic, "clinician", "rekey")
    client = Client()
    _login(client, user.username)
    url = reverse("accounts-mfa-enrol")
    client.post(url, {"password": PASSWORD}, secure=True)
    first = TOTPDevice.objects.get(user=user, confirmed=False).key
    client.post(url, {"password": PASSWORD}, secure=True)
    # A key someone may have seen on the screen earlier is never the one confirmed.
    assert TOTPDevice.objects.get(user=user, confirmed=False).key != first
