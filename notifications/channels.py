"""Sending one delivery on its channel: email, or a WhatsApp Business Cloud API
message. Raise PermanentError when trying again cannot help; any other
exception is retried with backoff."""

import json
import logging
import urllib.error
import urllib.request
from urllib.parse import urlparse

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from notifications import attachments, messages
from notifications.models import Channel, NotificationKind

logger = logging.getLogger(__name__)

# What cannot wait for the daily digest: emailed at once also to people who
# chose the digest. The one place that decides what is urgent.
URGENT_KINDS = frozenset({NotificationKind.REFERRAL_URGENT})


class PermanentError(Exception):
    """The delivery cannot succeed (no address, channel turned off, rejected)."""


def whatsapp_enabled():
    return settings.WHATSAPP_BACKEND == "cloud_api"


def send(delivery, *, on_sent=None):
    """Send one delivery. on_sent() runs as soon as the message has left (the
    mail server accepted it, before the connection closes; the API answered),
    so that the caller can mark it sent with the smallest window in between."""
    notification = delivery.notification
    if delivery.channel == Channel.EMAIL:
        send_email(notification, message_id=delivery_message_id(delivery), on_sent=on_sent)
    elif delivery.channel == Channel.WHATSAPP:
        send_whatsapp(notification)
        if on_sent is not None:
            on_sent()
    else:
        raise PermanentError(f"Unknown channel {delivery.channel!r}")


# Email.


def _message_id(key):
    return f"<{key}@{urlparse(settings.SITE_URL).hostname or 'sinergi.local'}>"


def delivery_message_id(delivery):
    """The same Message-ID for every attempt of a delivery, so that a repeat
    (a worker killed between sending and marking it sent) is recognisable and
    mail systems that deduplicate by Message-ID drop it."""
    return _message_id(f"sinergi.delivery.{delivery.pk}")


def digest_message_id(user, day):
    return _message_id(f"sinergi.digest.{user.pk}.{day.isoformat()}")


def _send(message, on_sent=None):
    """Send on the default mailer, then on_sent() before the connection closes
    (the server has accepted the message once send_messages returns)."""
    mailer = mail.mailers["default"]
    mailer.open()
    try:
        mailer.send_messages([message])
        if on_sent is not None:
            on_sent()
    finally:
        mailer.close()


def send_email(notification, *, message_id=None, on_sent=None):
    address = notification.recipient.email
    if not address:
        raise PermanentError("The recipient has no email address.")
    attachment = attachments.attachment_for(notification)
    email = messages.notification_email(notification, with_invitation=bool(attachment))
    headers = {"Message-ID": message_id} if message_id else None
    message = EmailMultiAlternatives(email.subject, email.text, to=[address], headers=headers)
    message.attach_alternative(email.html, "text/html")
    if attachment:
        message.attach(*attachment)
    _send(message, on_sent)


def send_digest(*, user, notifications, more=0, day=None):
    email = messages.digest_email(user=user, notifications=notifications, more=more)
    headers = {"Message-ID": digest_message_id(user, day)} if day else None
    message = EmailMultiAlternatives(email.subject, email.text, to=[user.email], headers=headers)
    message.attach_alternative(email.html, "text/html")
    _send(message)


# WhatsApp Business Cloud API.


def send_whatsapp(notification):
    if not whatsapp_enabled():
        raise PermanentError("WhatsApp delivery is turned off (WHATSAPP_BACKEND).")
    number = messages.whatsapp_digits(notification.recipient.whatsapp)
    if not number:
        raise PermanentError("The recipient has no WhatsApp number.")
    post_whatsapp_text(to=number, text=messages.whatsapp_text(notification))


def post_whatsapp_text(*, to, text):
    """POST a text message to the Cloud API (graph.facebook.com in production,
    a local fake server in tests)."""
    url = f"{settings.WHATSAPP_API_URL}/{settings.WHATSAPP_PHONE_NUMBER_ID}/messages"
    payload = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "text",
        "text": {"preview_url": True, "body": text},
    }
    request = urllib.request.Request(  # noqa: S310 (the URL comes from settings)
        url,
        data=json.dumps(payload).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {settings.WHATSAPP_TOKEN}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read(500).decode(errors="replace")
        # 429 and 5xx may pass; any other refusal will not.
        if exc.code == 429 or exc.code >= 500:
            raise RuntimeError(f"WhatsApp API {exc.code}: {detail}") from exc
        raise PermanentError(f"WhatsApp API {exc.code}: {detail}") from exc
