"""Recovery codes: an own django-otp device, never otp_static (security.md §2.4).

otp_static keeps 40-bit tokens in clear in an indexed column; whoever reads the database
or a backup holds working second factors. Here each code is stored only as a salted
password hash, checked with check_password and deleted on use (ASVS 6.5.2).
"""

import re
from typing import Any

from django.contrib.auth.hashers import check_password
from django.db import models
from django_otp.models import Device, ThrottlingMixin


def normalise_code(code: str) -> str:
    """Upper case without separators: codes are shown grouped as XXXX-XXXX-XXXX."""
    return re.sub(r"[^0-9A-Z]", "", code.upper())


class RecoveryCodeDevice(ThrottlingMixin, Device):
    """One per user: the set of unused recovery codes."""

    class Meta:
        verbose_name = "recovery-code device"

    def get_throttle_factor(self) -> int:
        # Same back-off as the TOTP device: 1, 2, 4, 8 ... seconds after failures.
        return 1

    def verify_token(self, token: Any) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        code = normalise_code(str(token))
        for stored in self.codes.all():
            if code and check_password(code, stored.code_hash):
                # Single use: the code row goes, in the caller's transaction.
                stored.delete()
                self.throttle_reset()
                return True
        self.throttle_increment()
        return False


class RecoveryCode(models.Model):
    """One unused recovery code, as a salted hash (make_password)."""

    device = models.ForeignKey(
        RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes"
    )
    code_hash = models.CharField(max_length=256)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Recovery code {self.pk}"
