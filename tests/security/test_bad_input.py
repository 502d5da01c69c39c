"""Bad input found by the fuzz tests, kept as plain regression tests: each is
refused with a message next to the field, never a 500 (on PostgreSQL, a NUL
character in a query is an error; on SQLite, so is a LIKE pattern over 50,000
bytes)."""

import pytest
from django.db import connection
from django.urls import reverse

from tests.security.test_fuzz import _reject_nul

pytestmark = pytest.mark.django_db


def test_student_search_refuses_nul_and_overlong_text(world, login):
    client = login(world.teacher)
    with connection.execute_wrapper(_reject_nul):
        for path in (reverse("referrals:student_search"), reverse("referrals:new")):
            response = client.get(path, {"q": "An\x00di"})
            assert response.status_code == 200
            assert "Null characters are not allowed." in response.text
            response = client.get(path, {"q": "Andi" * 30})
            assert response.status_code == 200
            assert "Ensure this value has at most 100 characters" in response.text
            assert "Andi Pratama" not in response.text


def test_the_referral_form_ignores_a_student_that_is_not_a_number(world, login):
    client = login(world.teacher)
    for value in ("²", "٣", "9" * 30):
        response = client.get(reverse("referrals:new"), {"student": value})
        assert response.status_code == 200
        assert "Choose a student of your school from the search." in response.text


def test_caseload_and_audit_filters_refuse_overlong_text(world, login):
    text = "😀" * 10_000  # 40,000 bytes, and more once escaped for LIKE
    response = login(world.counselor).get(reverse("casework:caseload"), {"q": text})
    assert response.status_code == 200
    assert "Ensure this value has at most 100 characters" in response.text
    response = login(world.vp).get(reverse("audit:list"), {"username": "%" * 30_000})
    assert response.status_code == 200
    assert "Ensure this value has at most 150 characters" in response.text
