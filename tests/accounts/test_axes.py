"""Sign-in lockout (django-axes): by username and IP together, never IP alone."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

SCHOOL_IP = "203.0.113.7"
HOME_IP = "198.51.100.20"
T0 = datetime.datetime(2026, 9, 1, 8, 0, tzinfo=datetime.UTC)


def _sign_in(client, username, password, ip=SCHOOL_IP):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def _fail(client, username, times, ip=SCHOOL_IP):
    for _ in range(times):
        response = _sign_in(client, username, "wrong-password", ip)
    return response


def test_settings_lock_by_username_and_ip_together():
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert "axes.middleware.AxesMiddleware" in settings.MIDDLEWARE


def test_four_failures_do_not_lock(client, world):
    with time_machine.travel(T0, tick=False):
        response = _fail(client, "teacher", 4)
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.text
        response = _sign_in(client, "teacher", PASSWORD)
    assert response.status_code == 302


def test_five_failures_lock_the_account_from_that_ip(client, world):
    with time_machine.travel(T0, tick=False):
        response = _fail(client, "teacher", 5)
        assert response.status_code == 429
        assert "Too many failed sign-ins for this account. Try again in 15 minutes or ask your school admin." in (
            response.text
        )
        # Even the right password is refused now, with the same clear message.
        response = _sign_in(client, "teacher", PASSWORD)
        assert response.status_code == 429
        assert "Too many failed sign-ins" in response.text
        assert "_auth_user_id" not in client.session


def test_another_user_from_the_same_school_ip_still_signs_in(client, world):
    with time_machine.travel(T0, tick=False):
        _fail(client, "teacher", 5)
        response = _sign_in(client, "counselor", PASSWORD)
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(world.counselor.pk)


def test_the_same_user_from_another_ip_still_signs_in(client, world):
    with time_machine.travel(T0, tick=False):
        _fail(client, "teacher", 5)
        response = _sign_in(client, "teacher", PASSWORD, ip=HOME_IP)
    assert response.status_code == 302


def test_the_lock_ends_after_15_minutes(client, world):
    with time_machine.travel(T0, tick=False) as clock:
        _fail(client, "teacher", 5)
        clock.shift(datetime.timedelta(minutes=14))
        assert _sign_in(client, "teacher", PASSWORD).status_code == 429
        # A failure during the lock starts the 15 minutes again (axes default).
        clock.shift(datetime.timedelta(minutes=15, seconds=1))
        response = _sign_in(client, "teacher", PASSWORD)
    assert response.status_code == 302


def test_a_successful_sign_in_resets_the_count(client, world):
    with time_machine.travel(T0, tick=False):
        _fail(client, "teacher", 4)
        assert _sign_in(client, "teacher", PASSWORD).status_code == 302
        client.post(reverse("logout"), REMOTE_ADDR=SCHOOL_IP)
        response = _fail(client, "teacher", 4)
    assert response.status_code == 200


def test_failed_sign_ins_are_audited_without_the_typed_text(client, world):
    with time_machine.travel(T0, tick=False):
        _fail(client, "teacher", 5)
        _sign_in(client, "no-such-user-maybe-a-password", "x")
    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert failed.count() == 6
    known = failed.filter(actor_username="teacher")
    assert known.count() == 5
    assert all(event.school_id == world.school.id and event.ip == SCHOOL_IP for event in known)
    unknown = failed.exclude(actor_username="teacher").get()
    assert unknown.actor_username == "" and unknown.detail == {"known_account": False}
    assert not AuditEvent.objects.filter(detail__icontains="no-such-user").exists()


def test_attempts_while_locked_are_audited_as_locked_out(client, world):
    with time_machine.travel(T0, tick=False):
        _fail(client, "teacher", 5)
        _sign_in(client, "teacher", PASSWORD)
    last = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).order_by("-id").first()
    assert last.detail.get("locked_out") is True


def test_the_school_admin_unlocks_a_user_in_the_admin(client, login, world):
    with time_machine.travel(T0, tick=False):
        _fail(client, "teacher", 5)
        admin = login(world.admin)
        response = admin.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "unlock_sign_in", "_selected_action": [world.teacher.pk]},
            follow=True,
        )
        assert "Sign-in was unlocked for 1 user." in response.text
        admin.post(reverse("logout"))
        assert _sign_in(client, "teacher", PASSWORD).status_code == 302
