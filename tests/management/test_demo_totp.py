import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory


@pytest.fixture
def device(db):
    return TOTPDevice.objects.create(
        user=UserFactory(username="democlinician"), name="demo", confirmed=True
    )


@override_settings(DEBUG=True)
def test_it_prints_the_code_the_device_accepts(device, capsys):
    call_command("demo_totp", "democlinician")
    code = capsys.readouterr().out.strip()
    assert len(code) == device.digits
    assert device.verify_token(code)


def test_it_refuses_outside_development_mode(device):
    with pytest.raises(CommandError, match="development mode"):
        call_command("demo_totp", "democlinician")


@override_settings(DEBUG=True)
def test_it_refuses_a_user_without_a_confirmed_device(db):
    UserFactory(username="nodevice")
    with pytest.raises(CommandError, match="no confirmed TOTP device"):
        call_command("demo_totp", "nodevice")
