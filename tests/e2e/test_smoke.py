"""The browser can reach the app, sign in, and pages pass axe on phone and desktop."""

import pytest

from tests.e2e.conftest import assert_no_horizontal_scroll, axe_violations, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_page_is_accessible_on_a_phone(phone, live_server):
    phone.goto(f"{live_server.url}/accounts/login/")
    assert phone.locator("h1").count() == 1
    assert_no_horizontal_scroll(phone)
    assert axe_violations(phone) == []
    screenshot(phone, "login-phone")


def test_each_role_lands_on_an_accessible_home(new_page, live_server, world):
    from tests.e2e.conftest import DESKTOP, PHONE

    for username in ["teacher", "homeroom", "counselor", "vp", "admin"]:
        for size_name, size in (("phone", PHONE), ("desktop", DESKTOP)):
            page = new_page(size)
            sign_in(page, live_server.url, username)
            assert "/accounts/login/" not in page.url, f"{username} could not sign in"
            assert page.locator("h1").count() == 1
            assert axe_violations(page) == [], f"{username} at {page.url}"
            if size_name == "phone":
                assert_no_horizontal_scroll(page)
            screenshot(page, f"home-{username}-{size_name}")
