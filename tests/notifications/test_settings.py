import re

import pytest

from notifications.models import NotificationPreference

URL = "/notifications/settings/"


def test_it_requires_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["teacher", "homeroom", "counselor", "vp", "admin", "outsider"])
def test_every_role_can_choose(world, login, role):
    user = world.roles[role]
    client = login(user)
    response = client.get(URL)
    assert response.status_code == 200
    text = response.content.decode()
    assert text.count("<h1") == 1
    assert "In Sinergi (always on)" in text
    # Looking does not write anything.
    assert not NotificationPreference.objects.filter(user=user).exists()
    response = client.post(URL, {"email": "on"}, follow=True)
    assert "Your notification settings have been saved." in response.content.decode()
    preference = NotificationPreference.objects.get(user=user)
    assert (preference.email, preference.email_digest) == (True, False)


def test_a_daily_digest_instead_of_single_emails(world, login):
    client = login(world.teacher)
    client.post(URL, {"email": "on", "whatsapp": "on", "email_digest": "on"})
    preference = NotificationPreference.objects.get(user=world.teacher)
    assert (preference.email, preference.whatsapp, preference.email_digest) == (True, True, True)
    text = client.get(URL).content.decode()
    assert re.search(r'<input[^>]*name="email_digest"[^>]*checked', text)


def test_a_digest_needs_email(world, login):
    response = login(world.teacher).post(URL, {"email_digest": "on"})
    assert response.status_code == 200
    assert "The daily summary is an email: turn on email to receive it." in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_each_user_changes_only_their_own_settings(world, login):
    NotificationPreference.objects.create(user=world.counselor, email=True)
    login(world.teacher).post(URL, {})
    assert NotificationPreference.objects.get(user=world.counselor).email is True
    assert NotificationPreference.objects.get(user=world.teacher).email is False


def test_it_says_what_is_missing(world, login, settings):
    world.teacher.email = ""
    world.teacher.save()
    text = login(world.teacher).get(URL).content.decode()
    assert "You have no email address yet." in text
    assert "Your school does not send WhatsApp messages from Sinergi." in text


def test_with_whatsapp_on_it_asks_for_a_number(world, login, fake_whatsapp):
    text = login(world.teacher).get(URL).content.decode()
    assert "You have no WhatsApp number yet." in text


def test_whatsapp_messages_can_be_turned_off(world, login, fake_whatsapp):
    client = login(world.teacher)
    assert "Send me WhatsApp messages" in client.get(URL).content.decode()
    client.post(URL, {"email": "on"})
    assert NotificationPreference.objects.get(user=world.teacher).whatsapp is False


def test_no_whatsapp_switch_while_the_school_sends_none(world, login):
    client = login(world.teacher)
    assert "Send me WhatsApp messages" not in client.get(URL).content.decode()
    NotificationPreference.objects.create(user=world.teacher, whatsapp=False)
    client.post(URL, {"email": "on"})
    # The hidden choice is kept as it was.
    assert NotificationPreference.objects.get(user=world.teacher).whatsapp is False
