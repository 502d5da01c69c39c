"""Error pages are plain and friendly, with no details and no student data."""

import logging

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.urls("tests.accounts.urls_for_tests")
def test_a_forced_error_shows_a_plain_500_page(settings, caplog):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.post("/test-boom/", {"observation": "Andi cries in every maths lesson"})
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "nothing was saved" in response.text
    for leak in ("Traceback", "RuntimeError", "secret detail", "Andi", "observation", "settings"):
        assert leak not in response.text
    # The log names the path, never what was typed.
    assert "/test-boom/" in caplog.text
    assert "Andi cries" not in caplog.text


@pytest.mark.urls("tests.accounts.urls_for_tests")
def test_error_reports_hide_every_posted_value_and_local_variable(settings, rf):
    import sys

    from django.views.debug import ExceptionReporter

    settings.DEBUG = False
    request = rf.post("/test-boom/", {"observation": "Andi cries in every maths lesson"})
    try:
        note = "Andi's confidential note"  # noqa: F841  (a local the report must hide)
        raise RuntimeError("boom")
    except RuntimeError:
        report = ExceptionReporter(request, *sys.exc_info()).get_traceback_text()
    assert "Andi" not in report
    assert "observation" in report  # the field name may show, its value not


def test_404_page_is_friendly(login, world):
    response = login(world.teacher).get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "Go to my start page" in response.text


def test_403_page_is_friendly(login, world):
    response = login(world.teacher).get(reverse("audit:list"))
    assert response.status_code == 403
    assert "This page is not for your role" in response.text
