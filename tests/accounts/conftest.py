import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


@pytest.fixture
def two_factor_on(settings):
    """Two-step sign-in required for counselors, vice principals, school
    admins and admin-site users, as in production."""
    settings.REQUIRE_2FA = True


def totp_code(device):
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


@pytest.fixture
def authenticator():
    """Give a user a confirmed authenticator app; returns the device."""

    def _make(user):
        return TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)

    return _make
