"""What people read outside the app: a short neutral sentence and a link.

Every text here is built from three things only: the notification's kind, its
label (a case number or "Referral #12") and its link. Nothing is read from the
referral, the case or the student, so no email or WhatsApp text can carry a
student's name, concerns, observations or notes. Texts are rendered in the
recipient's language.
"""

from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.links import absolute_url
from notifications.models import NotificationKind

SENTENCES = {
    NotificationKind.REFERRAL_SUBMITTED: gettext_lazy("A teacher referred a student from a class you cover."),
    NotificationKind.REFERRAL_URGENT: gettext_lazy("A teacher filed an urgent referral. Please look at it today."),
    NotificationKind.REFERRAL_NEEDS_INFO: gettext_lazy("A counselor asked for more information about your referral."),
    NotificationKind.REFERRAL_RESUBMITTED: gettext_lazy("A teacher added information to a referral."),
    NotificationKind.REFERRAL_ACCEPTED: gettext_lazy("A counselor accepted your referral."),
    NotificationKind.REFERRAL_JOINED_CASE: gettext_lazy("Your referral joined the student's open case."),
    NotificationKind.REFERRAL_DECLINED: gettext_lazy("A counselor declined your referral. The reason is in Sinergi."),
    NotificationKind.REFERRAL_WAITING: gettext_lazy("A referral has been waiting for triage for several school days."),
    NotificationKind.INPUT_REQUESTED: gettext_lazy("A counselor asks for your view of a student you teach."),
    NotificationKind.ADDED_TO_TEAM: gettext_lazy("You were added to a case team."),
    NotificationKind.ACTION_ASSIGNED: gettext_lazy("An action of an intervention plan was assigned to you."),
    NotificationKind.MEETING_SCHEDULED: gettext_lazy("You are invited to a case meeting."),
    NotificationKind.MEETING_CHANGED: gettext_lazy("A case meeting you attend was changed."),
    NotificationKind.MEETING_REMOVED: gettext_lazy("You are no longer invited to a case meeting."),
    NotificationKind.FOLLOW_UP_DUE: gettext_lazy("A follow-up you planned is due tomorrow."),
    NotificationKind.FOLLOW_UP_OVERDUE: gettext_lazy("A follow-up you planned is overdue."),
    NotificationKind.CASE_STATUS: gettext_lazy("A case you work on changed status."),
    NotificationKind.CASE_CLOSED: gettext_lazy("A case you worked on was closed."),
    NotificationKind.TALK_REQUESTED: gettext_lazy("A teacher proposes a short talk about a student at the time named."),
    NotificationKind.FORUM_SCHEDULED: gettext_lazy("You are invited to the school's coordination forum."),
    NotificationKind.FORUM_CANCELLED: gettext_lazy("The coordination forum you were invited to was cancelled."),
    NotificationKind.FORUM_RECAP: gettext_lazy(
        "The decisions of the coordination forum and who does what are in Sinergi."
    ),
}


def sentence_for(kind):
    return str(SENTENCES.get(kind) or NotificationKind(kind).label)


def language_of(user):
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


@dataclass
class Email:
    subject: str
    text: str
    html: str


def _render_email(name, context):
    subject = render_to_string(f"notifications/email/{name}_subject.txt", context)
    return Email(
        # A subject is one line.
        subject=" ".join(subject.split()),
        text=render_to_string(f"notifications/email/{name}_body.txt", context),
        html=render_to_string(f"notifications/email/{name}_body.html", context),
    )


def _common_context(user):
    return {
        "recipient_name": user.get_full_name(),
        "settings_link": absolute_url(reverse("notifications:settings")),
        "inbox_link": absolute_url(reverse("notifications:list")),
        "LANGUAGE_CODE": translation.get_language(),
    }


def notification_email(notification, *, with_invitation=False):
    user = notification.recipient
    with translation.override(language_of(user)):
        context = _common_context(user) | {
            "what": NotificationKind(notification.kind).label,
            "sentence": sentence_for(notification.kind),
            "about": notification.label,
            "link": absolute_url(notification.url),
            "with_invitation": with_invitation,
            "cancellation": notification.kind == NotificationKind.MEETING_REMOVED,
        }
        return _render_email("notification", context)


def digest_email(*, user, notifications, more=0):
    with translation.override(language_of(user)):
        items = [
            {
                "what": NotificationKind(n.kind).label,
                "about": n.label,
                "link": absolute_url(n.url),
                "created_at": n.created_at,
            }
            for n in notifications
        ]
        context = _common_context(user) | {"items": items, "count": len(items) + more, "more": more}
        return _render_email("digest", context)


def whatsapp_text(notification):
    """The text of a WhatsApp Business message for a notification."""
    with translation.override(language_of(notification.recipient)):
        if notification.label:
            return _("Sinergi · %(about)s: %(sentence)s %(link)s") % {
                "about": notification.label,
                "sentence": sentence_for(notification.kind),
                "link": absolute_url(notification.url),
            }
        return _("Sinergi: %(sentence)s %(link)s") % {
            "sentence": sentence_for(notification.kind),
            "link": absolute_url(notification.url),
        }


def click_to_chat_text(*, name, url, about=""):
    """The prefilled text of a wa.me link to a colleague, in the sender's language."""
    values = {"name": name, "about": about, "link": absolute_url(url)}
    if about:
        return _("Hello %(name)s, could we talk about %(about)s in Sinergi? %(link)s") % values
    return _("Hello %(name)s, could we talk about this in Sinergi? %(link)s") % values


def whatsapp_digits(number):
    """wa.me wants the international number as digits only (no +, spaces)."""
    return "".join(ch for ch in (number or "") if ch.isdigit())


def click_to_chat_url(*, number, text):
    digits = whatsapp_digits(number)
    if not digits:
        return ""
    return f"https://wa.me/{digits}?text={quote(text, safe='')}"
