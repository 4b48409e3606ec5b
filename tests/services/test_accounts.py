"""Second factors: whether a user has set one up, in any device class."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from screening.models import RecoveryCodeDevice
from screening.services import accounts

pytestmark = pytest.mark.django_db


def test_a_user_without_devices_has_none(intake_staff):
    assert accounts.has_confirmed_device(intake_staff) is False


def test_an_unconfirmed_enrolment_is_no_device(intake_staff):
    TOTPDevice.objects.create(user=intake_staff, name="phone", confirmed=False)

    assert accounts.has_confirmed_device(intake_staff) is False


def test_a_confirmed_authenticator_app_counts(intake_staff):
    TOTPDevice.objects.create(user=intake_staff, name="phone", confirmed=True)

    assert accounts.has_confirmed_device(intake_staff) is True


def test_recovery_codes_alone_count(intake_staff):
    RecoveryCodeDevice.objects.create(
        user=intake_staff, name="recovery", confirmed=True
    )

    assert accounts.has_confirmed_device(intake_staff) is True


def test_another_users_device_does_not(intake_staff, clinician):
    TOTPDevice.objects.create(user=clinician, name="phone", confirmed=True)

    assert accounts.has_confirmed_device(intake_staff) is False
