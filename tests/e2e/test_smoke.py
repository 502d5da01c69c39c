"""The browser can reach the app and the sign-in page passes axe on a phone.

Every other page, for every role, is checked in test_pages.py."""

import pytest

from tests.e2e.conftest import DESKTOP, assert_no_horizontal_scroll, axe_violations, screenshot, small_touch_targets

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_page_is_accessible_on_a_phone(phone, live_server):
    phone.goto(f"{live_server.url}/accounts/login/")
    assert phone.locator("h1").count() == 1
    assert_no_horizontal_scroll(phone)
    assert small_touch_targets(phone) == []
    assert axe_violations(phone) == []
    screenshot(phone, "login-phone")
    phone.set_viewport_size(DESKTOP)
    assert axe_violations(phone) == []
    screenshot(phone, "login-desktop")
