"""Message bodies: a neutral sentence, the record's label and a link, in the
recipient's language, for every kind of notification."""

import pytest
from django.utils import translation

from notifications import messages
from notifications.models import Notification, NotificationKind


def _notification(world, kind, user=None, label="2026-0042", url="/cases/5/"):
    return Notification.objects.create(
        school=world.school, recipient=user or world.teacher, kind=kind, label=label, url=url
    )


@pytest.mark.parametrize("kind", NotificationKind.values)
def test_every_kind_has_a_neutral_email(world, site_url, kind):
    notification = _notification(world, kind)
    email = messages.notification_email(notification)
    label = NotificationKind(kind).label
    assert email.subject == f"Sinergi · {label} (2026-0042)"
    assert "\n" not in email.subject
    assert f"Hello {world.teacher.full_name}," in email.text
    assert messages.sentence_for(kind) in email.text
    assert "https://sinergi.example.sch.id/cases/5/" in email.text
    assert 'href="https://sinergi.example.sch.id/cases/5/"' in email.html
    assert "https://sinergi.example.sch.id/notifications/settings/" in email.text
    assert "&amp;#" not in email.text  # the text part is not HTML-escaped


@pytest.mark.parametrize("kind", NotificationKind.values)
def test_every_kind_has_a_whatsapp_text(world, site_url, kind):
    text = messages.whatsapp_text(_notification(world, kind))
    assert text == f"Sinergi · 2026-0042: {messages.sentence_for(kind)} https://sinergi.example.sch.id/cases/5/"


def test_a_notification_without_label(world, site_url):
    notification = _notification(world, NotificationKind.ACTION_ASSIGNED, label="", url="/tasks/")
    assert messages.notification_email(notification).subject == "Sinergi · An action was assigned to you"
    assert messages.whatsapp_text(notification) == (
        "Sinergi: An action of an intervention plan was assigned to you. https://sinergi.example.sch.id/tasks/"
    )


def test_every_kind_has_its_own_sentence():
    assert set(messages.SENTENCES) == set(NotificationKind)
    assert len({str(s) for s in messages.SENTENCES.values()}) == len(NotificationKind)


@pytest.mark.parametrize("language", ["id", "en"])
def test_emails_are_rendered_in_the_recipient_s_language(world, language):
    world.teacher.language = language
    world.teacher.save()
    notification = _notification(world, NotificationKind.REFERRAL_ACCEPTED, label="Referral #4", url="/referrals/4/")
    other = "en" if language == "id" else "id"
    with translation.override(other):
        email = messages.notification_email(notification)
        digest = messages.digest_email(user=world.teacher, notifications=[notification])
        assert translation.get_language() == other
    assert f'<html lang="{language}">' in email.html
    assert f'<html lang="{language}">' in digest.html
    with translation.override(language):
        expected_subject = f"Sinergi · {NotificationKind.REFERRAL_ACCEPTED.label} (Referral #4)"
    assert email.subject == expected_subject
    assert "http://127.0.0.1:8000/referrals/4/" in email.text


def test_html_email_escapes_what_it_shows(world):
    notification = _notification(world, NotificationKind.CASE_CLOSED, label="<b>2026-0001</b>")
    email = messages.notification_email(notification)
    assert "&lt;b&gt;2026-0001&lt;/b&gt;" in email.html
    assert "<b>2026-0001</b>" in email.text


def test_digest_lists_each_notification_with_its_link(world):
    rows = [
        _notification(world, NotificationKind.ADDED_TO_TEAM, label="2026-0001", url="/cases/1/"),
        _notification(world, NotificationKind.FOLLOW_UP_DUE, label="2026-0002", url="/cases/2/"),
    ]
    email = messages.digest_email(user=world.teacher, notifications=rows, more=3)
    assert email.subject == "Sinergi · 5 new notifications"
    assert "- You were added to a case team (2026-0001)\n  http://127.0.0.1:8000/cases/1/" in email.text
    assert "…and 3 more." in email.text
    assert 'href="http://127.0.0.1:8000/cases/2/"' in email.html
