"""Two-step sign-in (TOTP app + recovery codes), tested with REQUIRE_2FA on."""

import datetime
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.two_factor import issue_recovery_codes
from audit.models import AuditAction, AuditEvent
from tests.accounts.conftest import totp_code
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime.datetime(2026, 9, 1, 7, 0, tzinfo=datetime.UTC)


def _sign_in(client, username, next_url=None):
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    response = client.post(reverse("login"), data)
    assert response.status_code == 302
    return response


# Who must use it


@pytest.mark.parametrize("role", ["counselor", "vp", "admin"])
def test_required_roles_without_an_app_are_sent_to_set_up(client, world, two_factor_on, role):
    response = _sign_in(client, world.roles[role].username)
    assert response["Location"].startswith(reverse("two_factor_setup"))
    for page in ("/", "/roster/", "/audit/", reverse("profile"), reverse("password_change")):
        blocked = client.get(page)
        assert blocked.status_code == 302, page
        assert blocked["Location"].startswith(reverse("two_factor_setup")), page


def test_teachers_sign_in_without_a_code(client, world, two_factor_on):
    response = _sign_in(client, "teacher")
    assert not response["Location"].startswith("/accounts/2fa/")
    assert client.get(reverse("profile")).status_code == 200


def test_a_teacher_who_turned_it_on_is_asked_for_a_code(client, world, two_factor_on, authenticator):
    authenticator(world.teacher)
    response = _sign_in(client, "teacher")
    assert response["Location"].startswith(reverse("two_factor_verify"))
    assert client.get(reverse("profile"))["Location"].startswith(reverse("two_factor_verify"))


def test_without_the_setting_the_demo_needs_no_code(client, world):
    response = _sign_in(client, "counselor")
    assert not response["Location"].startswith("/accounts/2fa/")


def test_the_admin_site_needs_the_second_step(client, world, two_factor_on):
    world.admin.is_superuser = True
    world.admin.save(update_fields=["is_superuser"])
    client.force_login(world.admin)
    for page in ("/admin/", "/admin/accounts/user/", "/admin/audit/auditevent/"):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(reverse("two_factor_setup")), page


def test_the_admin_login_page_is_the_one_sign_in_page(client, world):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=/admin/"


def test_sign_out_and_language_work_before_the_second_step(client, world, two_factor_on):
    _sign_in(client, "counselor")
    response = client.post(reverse("set_language"), {"language": "id", "next": "/"})
    assert response.status_code == 302 and not response["Location"].startswith("/accounts/2fa/")
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


# Setting it up


def test_set_up_with_the_app_then_recovery_codes_are_shown_once(client, world, two_factor_on):
    with time_machine.travel(T0, tick=False) as clock:
        response = _sign_in(client, "counselor", next_url="/audit/")
        page = client.get(response["Location"])
        assert page.status_code == 200
        assert "Set up two-step sign-in" in page.text
        assert 'src="data:image/svg+xml' in page.text
        device = TOTPDevice.objects.get(user=world.counselor)
        assert not device.confirmed
        assert re.search(r"([A-Z2-7]{4} ){3,}", page.text)  # the key to type by hand

        wrong = client.post(response["Location"], {"code": "000000", "next": "/audit/"})
        assert wrong.status_code == 200
        assert "That code is not right" in wrong.text
        clock.shift(datetime.timedelta(seconds=30))  # django-otp's back-off after a wrong code

        done = client.post(response["Location"], {"code": totp_code(device), "next": "/audit/"}, follow=True)
        assert done.status_code == 200
        assert "Two-step sign-in is on." in done.text
        assert "shown only this once" in done.text
        codes = re.findall(r'<li class="col">([a-z2-7]{8})</li>', done.text)
        assert len(codes) == 10
        assert set(codes) == set(
            StaticToken.objects.filter(device__user=world.counselor).values_list("token", flat=True)
        )
        assert 'href="/audit/"' in done.text

        # Verified now: the pages open; the codes are not shown again.
        assert client.get("/audit/").status_code == 200
        again = client.get(reverse("two_factor_recovery_codes"))
        assert not re.findall(r'<li class="col">', again.text)
    assert AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_ENABLED, actor=world.counselor).count() == 1


def test_someone_with_only_the_password_cannot_add_their_own_app(client, world, two_factor_on, authenticator):
    authenticator(world.counselor)
    _sign_in(client, "counselor")
    response = client.get(reverse("two_factor_setup"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))
    assert TOTPDevice.objects.filter(user=world.counselor).count() == 1


# Signing in with a code


def test_sign_in_with_the_code_from_the_app(client, world, two_factor_on, authenticator):
    device = authenticator(world.counselor)
    response = _sign_in(client, "counselor", next_url="/audit/")
    verify = response["Location"]
    assert "next=%2Faudit%2F" in verify
    page = client.get(verify)
    assert "Lost your phone?" in page.text
    assert "ask your school admin" in page.text.lower()

    wrong = client.post(verify, {"code": "123456", "next": "/audit/"})
    assert wrong.status_code == 200
    assert "That code is not right" in wrong.text
    assert client.get("/audit/").status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_FAILED, actor=world.counselor).exists()

    device.refresh_from_db()
    device.throttling_failure_count = 0  # the test need not wait for django-otp's back-off
    device.save()
    right = client.post(verify, {"code": totp_code(device), "next": "/audit/"})
    assert right.status_code == 302 and right["Location"] == "/audit/"
    assert client.get("/audit/").status_code == 200


def test_wrong_codes_are_throttled(client, world, two_factor_on, authenticator):
    device = authenticator(world.counselor)
    with time_machine.travel(T0, tick=False):
        _sign_in(client, "counselor")
        client.post(reverse("two_factor_verify"), {"code": "111111"})
        response = client.post(reverse("two_factor_verify"), {"code": totp_code(device)})
    assert response.status_code == 200
    assert "Too many wrong codes" in response.text


def test_a_recovery_code_works_once(client, world, two_factor_on, authenticator):
    authenticator(world.counselor)
    codes = issue_recovery_codes(user=world.counselor)
    _sign_in(client, "counselor")
    response = client.post(reverse("two_factor_verify"), {"code": codes[0].upper(), "next": "/accounts/profile/"})
    assert response.status_code == 302
    assert "You used a recovery code. 9 are left" in client.get(response["Location"]).text

    client.post(reverse("logout"))
    _sign_in(client, "counselor")
    response = client.post(reverse("two_factor_verify"), {"code": codes[0]})
    assert response.status_code == 200
    assert "That code is not right" in response.text


def test_an_unsafe_next_is_ignored(client, world, two_factor_on, authenticator):
    device = authenticator(world.counselor)
    _sign_in(client, "counselor")
    response = client.post(reverse("two_factor_verify"), {"code": totp_code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


# Managing it


def test_a_teacher_may_turn_it_on_and_off(client, world, two_factor_on):
    with time_machine.travel(T0, tick=False):
        client = client
        client.force_login(world.teacher)
        assert "Two-step sign-in" in client.get(reverse("profile")).text
        assert client.get(reverse("two_factor_setup")).status_code == 200
        device = TOTPDevice.objects.get(user=world.teacher)
        client.post(reverse("two_factor_setup"), {"code": totp_code(device)})
        manage = client.get(reverse("two_factor_setup"))
        assert "You have 10 unused recovery codes." in manage.text
        assert "Turn off two-step sign-in" in manage.text
        response = client.post(reverse("two_factor_disable"), follow=True)
        assert "Two-step sign-in is off." in response.text
    assert not TOTPDevice.objects.filter(user=world.teacher).exists()
    assert AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_DISABLED, actor=world.teacher).exists()


def test_a_required_role_cannot_turn_it_off(client, world, two_factor_on):
    with time_machine.travel(T0, tick=False):
        client.force_login(world.counselor)
        client.get(reverse("two_factor_setup"))
        device = TOTPDevice.objects.get(user=world.counselor)
        client.post(reverse("two_factor_setup"), {"code": totp_code(device)})
        manage = client.get(reverse("two_factor_setup"))
        assert "cannot be turned off" in manage.text
        assert client.post(reverse("two_factor_disable")).status_code == 403
    assert TOTPDevice.objects.filter(user=world.counselor, confirmed=True).exists()


def test_new_recovery_codes_replace_the_old_ones(client, world, two_factor_on):
    with time_machine.travel(T0, tick=False):
        client.force_login(world.counselor)
        client.get(reverse("two_factor_setup"))
        device = TOTPDevice.objects.get(user=world.counselor)
        client.post(reverse("two_factor_setup"), {"code": totp_code(device)})
        old = set(StaticToken.objects.values_list("token", flat=True))
        page = client.post(reverse("two_factor_recovery_codes"), follow=True)
    new = set(re.findall(r'<li class="col">([a-z2-7]{8})</li>', page.text))
    assert len(new) == 10 and not new & old
    assert set(StaticToken.objects.values_list("token", flat=True)) == new


def test_recovery_codes_need_a_verified_session(client, world, two_factor_on):
    client.force_login(world.teacher)
    assert client.post(reverse("two_factor_recovery_codes")).status_code == 403


def test_the_school_admin_resets_a_lost_phone_in_the_admin(client, world, authenticator):
    authenticator(world.counselor)
    issue_recovery_codes(user=world.counselor)
    client.force_login(world.admin)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [world.counselor.pk]},
        follow=True,
    )
    assert "Two-step sign-in was reset for 1 user." in response.text
    assert not TOTPDevice.objects.filter(user=world.counselor).exists()
    event = AuditEvent.objects.get(action=AuditAction.TWO_FACTOR_RESET)
    assert event.actor == world.admin and event.object_type == "user" and event.object_id == str(world.counselor.pk)


def test_the_admin_cannot_reset_another_schools_user(client, world, authenticator):
    authenticator(world.outsider)
    client.force_login(world.admin)
    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [world.outsider.pk]},
    )
    assert TOTPDevice.objects.filter(user=world.outsider).exists()


# The setting


def _setting_in_subprocess(env_extra):
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SINERGI_TESTING", "REQUIRE_2FA")}
    env.update(env_extra)
    code = "import django; django.setup(); from django.conf import settings; print(settings.REQUIRE_2FA)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_required_by_default_in_production_and_off_in_development():
    production = {
        "DEBUG": "0",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "sinergi.example.sch.id",
        "FIELD_ENCRYPTION_KEYS": "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s=",
    }
    assert _setting_in_subprocess(production) == "True"
    assert _setting_in_subprocess({"DEBUG": "1"}) == "False"
    assert _setting_in_subprocess({"DEBUG": "1", "REQUIRE_2FA": "1"}) == "True"
