"""Session lifetime: signed out after SESSION_IDLE_TIMEOUT seconds without a
request and SESSION_COOKIE_AGE seconds after signing in, whatever happens in
between. Both times live in the session; the last-activity time is written at
most once a minute so that reading pages does not write the session each time.
"""

import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device

from accounts.two_factor import ENROLLED_SESSION_KEY

SIGNED_IN_AT_KEY = "sinergi_signed_in_at"
LAST_SEEN_KEY = "sinergi_last_seen"
LAST_SEEN_WRITE_EVERY = 60  # seconds

IDLE_MESSAGE = _("You were signed out after %(minutes)s minutes without activity. Please sign in again.")
ABSOLUTE_MESSAGE = _("You were signed out because you signed in %(hours)s hours ago. Please sign in again.")


@receiver(user_logged_in, dispatch_uid="accounts_session_times")
def start_session(sender, request, user, **kwargs):
    now = int(time.time())
    request.session[SIGNED_IN_AT_KEY] = now
    request.session[LAST_SEEN_KEY] = now
    request.session[ENROLLED_SESSION_KEY] = user_has_device(user)


def session_expired(request):
    """None while the session is fresh, else why it ended ("idle" or "age").
    Also records the activity."""
    session = request.session
    now = int(time.time())
    signed_in_at = session.get(SIGNED_IN_AT_KEY)
    last_seen = session.get(LAST_SEEN_KEY)
    if signed_in_at is None:  # a session from before these keys existed
        session[SIGNED_IN_AT_KEY] = signed_in_at = now
    if last_seen is not None and now - last_seen > settings.SESSION_IDLE_TIMEOUT:
        return "idle"
    if now - signed_in_at > settings.SESSION_COOKIE_AGE:
        return "age"
    if last_seen is None or now - last_seen >= LAST_SEEN_WRITE_EVERY:
        session[LAST_SEEN_KEY] = now
    return None


def expiry_message(reason):
    if reason == "idle":
        return IDLE_MESSAGE % {"minutes": settings.SESSION_IDLE_TIMEOUT // 60}
    return ABSOLUTE_MESSAGE % {"hours": settings.SESSION_COOKIE_AGE // 3600}
