"""Argon2 hashing, Django's password validators, and a password reset that
never reveals whether an account exists."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "kopi tubruk di kantin sekolah setiap pagi"  # 40+ characters, easy to remember


def test_argon2_is_the_hasher_outside_tests():
    # The test suite swaps in a fast hasher (SINERGI_TESTING); read the real list.
    env = {k: v for k, v in os.environ.items() if k != "SINERGI_TESTING"}
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "from django.contrib.auth.hashers import make_password; "
        "print(settings.PASSWORD_HASHERS[0]); print(make_password('x').split('$')[0])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.contrib.auth.hashers.Argon2PasswordHasher", "argon2"]


def test_the_argon2_hasher_works():
    hasher = Argon2PasswordHasher()
    encoded = hasher.encode(PASSPHRASE, hasher.salt())
    assert encoded.startswith("argon2$argon2id$")
    assert hasher.verify(PASSPHRASE, encoded)
    assert not hasher.verify("wrong", encoded)


def test_a_long_passphrase_is_accepted(world):
    assert len(PASSPHRASE) >= 40
    validate_password(PASSPHRASE, user=world.teacher)


@pytest.mark.parametrize("weak", ["password123", "12345678901", "short"])
def test_weak_passwords_are_refused(world, weak):
    with pytest.raises(ValidationError):
        validate_password(weak, user=world.teacher)


def _change(client, new):
    return client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )


def test_changing_to_a_common_password_shows_why(login, world):
    response = _change(login(world.teacher), "password123")
    assert response.status_code == 200
    assert "This password is too common." in response.text


def test_changing_to_a_passphrase_works(login, world):
    response = _change(login(world.teacher), PASSPHRASE)
    assert response.status_code == 302
    world.teacher.refresh_from_db()
    assert world.teacher.check_password(PASSPHRASE)


def test_password_reset_looks_the_same_for_any_address(client, world, mailoutbox):
    world.homeroom.is_active = False
    world.homeroom.save(update_fields=["is_active"])
    pages = []
    for email in (world.teacher.email, "nobody@example.com", world.homeroom.email):
        response = client.post(reverse("password_reset"), {"email": email}, follow=True)
        pages.append((response.status_code, response.redirect_chain, response.text.replace(email, "")))
    assert pages[0][:2] == pages[1][:2] == pages[2][:2]
    assert "If an account uses that address" in pages[1][2]
    assert len(mailoutbox) == 1  # only the active account gets a link
    assert mailoutbox[0].to == [world.teacher.email]


def _reset_from_browser(client, email, browser_language):
    return client.post(reverse("password_reset"), {"email": email}, follow=True, HTTP_ACCEPT_LANGUAGE=browser_language)


def test_the_reset_email_is_in_the_users_language_not_the_browsers(client, world, mailoutbox):
    world.teacher.language = "id"
    world.teacher.save(update_fields=["language"])
    page = _reset_from_browser(client, world.teacher.email, "en")
    # The page answers in the browser's language...
    assert page["Content-Language"] == "en"
    assert "If an account uses that address" in page.text
    # ...the email in the one the user chose.
    [email] = mailoutbox
    assert email.subject == "Atur ulang kata sandi Sinergi Anda"
    assert "Jika Anda tidak memintanya, abaikan saja email ini." in email.body
    assert "If you did not ask for this" not in email.body


def test_an_english_user_gets_english_from_an_indonesian_browser(client, world, mailoutbox):
    assert world.counselor.language == "en"
    page = _reset_from_browser(client, world.counselor.email, "id")
    assert page["Content-Language"] == "id"
    [email] = mailoutbox
    assert email.subject == "Reset your Sinergi password"
    assert "If you did not ask for this, you can ignore this email." in email.body


def test_a_user_without_a_language_gets_the_schools_default(client, world, mailoutbox, settings):
    settings.LANGUAGE_CODE = "id"
    world.teacher.language = ""
    world.teacher.save(update_fields=["language"])
    _reset_from_browser(client, world.teacher.email, "en")
    [email] = mailoutbox
    assert email.subject == "Atur ulang kata sandi Sinergi Anda"


def test_the_users_language_does_not_reveal_the_account(client, world, mailoutbox):
    """An Indonesian account, an English one and no account at all give the
    same page in the browser's language."""
    world.teacher.language = "id"
    world.teacher.save(update_fields=["language"])
    pages = []
    for email in (world.teacher.email, world.counselor.email, "nobody@example.com"):
        response = _reset_from_browser(client, email, "en")
        # Everything but the address and the CSRF token (masked afresh on each page).
        text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.text.replace(email, ""))
        pages.append((response.status_code, response.redirect_chain, text))
        assert response["Content-Language"] == "en"
    assert pages[0] == pages[1] == pages[2]
    assert [m.subject for m in mailoutbox] == ["Atur ulang kata sandi Sinergi Anda", "Reset your Sinergi password"]
