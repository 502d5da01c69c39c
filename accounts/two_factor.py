"""Two-step sign-in: a code from an authenticator app (TOTP) after the password.

Who must use it: counselors, vice principals, school admins and anyone who may
use the admin site, when settings.REQUIRE_2FA is on (the default in
production). Anyone else who turned it on (teachers may) is asked for a code
too. Until the code is given, TwoFactorRequiredMiddleware sends every page to
the verify page (or to the set-up page for a required user without an app).

Each user also gets ten single-use recovery codes for a lost phone; a school
admin can reset a user's two-step sign-in in the admin (Users → action).
"""

from base64 import b32encode
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.policy import Actor, actor_for, must_use_two_factor

# Set at sign-in: the user has a confirmed device, so a code is asked even
# when their role does not require it.
ENROLLED_SESSION_KEY = "sinergi_2fa_enrolled"
# New recovery codes, shown once on the next page and then removed.
NEW_CODES_SESSION_KEY = "sinergi_2fa_new_codes"
RECOVERY_CODE_COUNT = 10


def two_factor_exempt(view):
    """Mark a view reachable before the second step (the 2FA pages, sign-out)."""
    view.two_factor_exempt = True
    return view


def role_requires_two_factor(user, actor):
    if not settings.REQUIRE_2FA:
        return False
    return must_use_two_factor(actor)


def is_verified(user):
    # OTPMiddleware installs is_verified(); a user object just signed in by
    # login() in this request does not have it yet and is not verified.
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def two_factor_pending(request):
    """True when this signed-in user must give a code before going on."""
    user = request.user
    if not user.is_authenticated:
        return False
    enrolled = request.session.get(ENROLLED_SESSION_KEY, False)
    if not enrolled and not settings.REQUIRE_2FA:
        return False
    if is_verified(user):
        return False
    return enrolled or role_requires_two_factor(user, _actor(request))


def _actor(request):
    # Right after login() in this request, request.actor still describes the
    # anonymous user the request started with.
    actor = actor_for(request)
    if getattr(actor.user, "pk", None) != request.user.pk:
        actor = Actor(request.user)
    return actor


def safe_next(request, url, default=None):
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure()):
        return url
    return default or reverse("home")


def next_step_url(request, next_url):
    """The verify page, or the set-up page for a user without an app yet."""
    name = "two_factor_verify" if user_has_device(request.user) else "two_factor_setup"
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def confirmed_totp_device(user):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def pending_totp_device(user):
    """The unconfirmed device shown on the set-up page (one per user)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def secret_for_display(device):
    """The key in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_data_uri(device):
    """The otpauth:// link as an SVG QR code (a data: URI, made here)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def confirm_totp_device(*, user, device):
    """Make a verified device the user's only app and issue recovery codes."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    return issue_recovery_codes(user=user)


def issue_recovery_codes(*, user):
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def recovery_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def remove_devices(*, user):
    """Turn two-step sign-in off for a user (lost phone, or their choice)."""
    removed = 0
    for device in list(devices_for_user(user, confirmed=None)):
        device.delete()
        removed += 1
    return removed


def normalize_code(code):
    return "".join(code.split()).replace("-", "").lower()


def match_code(user, code):
    """(device that accepts the code or None, whether a device refused to
    check because of too many wrong codes: django-otp's throttling)."""
    from django_otp import verify_token

    code = normalize_code(code)
    # Six digits are an app code, anything else a recovery code: trying a
    # code on the wrong kind of device would count against its throttle.
    kind = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    throttled = False
    for device in kind.objects.devices_for_user(user, confirmed=True):
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            throttled = True
            continue
        verified = verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified, False
    return None, throttled
