"""Sessions: new key at sign-in, 30 minutes idle, 10 hours in all, and a
deactivated account stops working at its next request."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from accounts.sessions import LAST_SEEN_KEY
from audit.models import AuditAction, AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 9, 1, 7, 0, tzinfo=datetime.UTC)
PAGE = "/accounts/profile/"


def _sign_in(client, username="teacher"):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def _signed_out(response):
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_settings():
    assert settings.SESSION_COOKIE_AGE == 10 * 60 * 60
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_the_session_key_changes_at_sign_in(client, world):
    client.get(reverse("login"))
    session = client.session
    session["before"] = "anonymous"
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    before = session.session_key

    _sign_in(client)

    assert client.cookies[settings.SESSION_COOKIE_NAME].value != before


def test_activity_keeps_the_session_alive(client, world):
    with time_machine.travel(T0, tick=False) as clock:
        _sign_in(client)
        for _ in range(6):  # three hours, a request every 29 minutes
            clock.shift(datetime.timedelta(minutes=29))
            assert client.get(PAGE).status_code == 200


def test_30_minutes_idle_signs_out_with_a_message(client, world):
    with time_machine.travel(T0, tick=False) as clock:
        _sign_in(client)
        clock.shift(datetime.timedelta(minutes=30, seconds=1))
        response = client.get(PAGE)
        assert _signed_out(response)
        assert "next=/accounts/profile/" in response["Location"]
        page = client.get(response["Location"])
        assert "You were signed out after 30 minutes without activity." in page.text
        assert client.get(PAGE).status_code == 302
    logout = AuditEvent.objects.get(action=AuditAction.LOGOUT)
    assert logout.detail == {"reason": "idle"} and logout.actor_username == "teacher"


def test_10_hours_signs_out_even_when_active(client, world):
    with time_machine.travel(T0, tick=False) as clock:
        _sign_in(client)
        for _ in range(24):  # 9 h 36 min of steady work
            clock.shift(datetime.timedelta(minutes=24))
            assert client.get(PAGE).status_code == 200
        clock.shift(datetime.timedelta(minutes=25))
        response = client.get(PAGE)
        assert _signed_out(response)
        assert "you signed in 10 hours ago" in client.get(response["Location"]).text


def test_last_activity_is_written_at_most_once_a_minute(client, world):
    with time_machine.travel(T0, tick=False) as clock:
        _sign_in(client)
        first = client.session[LAST_SEEN_KEY]
        clock.shift(datetime.timedelta(seconds=30))
        client.get(PAGE)
        assert client.session[LAST_SEEN_KEY] == first
        clock.shift(datetime.timedelta(seconds=31))
        client.get(PAGE)
        assert client.session[LAST_SEEN_KEY] == first + 61


def test_a_deactivated_user_is_signed_out_at_the_next_request(client, world):
    _sign_in(client)
    assert client.get(PAGE).status_code == 200
    world.teacher.is_active = False
    world.teacher.save(update_fields=["is_active"])
    assert _signed_out(client.get(PAGE))


def test_a_deactivated_user_cannot_sign_in(client, world):
    world.teacher.is_active = False
    world.teacher.save(update_fields=["is_active"])
    response = client.post(reverse("login"), {"username": "teacher", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_password_change_ends_other_sessions(client, world, django_user_model):
    from django.test import Client

    other_device = Client()
    other_device.force_login(world.teacher)
    _sign_in(client)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a long passphrase about mangoes",
            "new_password2": "a long passphrase about mangoes",
        },
    )
    assert response.status_code == 302
    assert client.get(PAGE).status_code == 200
    assert _signed_out(other_device.get(PAGE))
