"""Argon2 hashing, Django's password validators, and a password reset that
never reveals whether an account exists."""

import os
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
