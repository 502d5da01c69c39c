"""Security headers, Content-Security-Policy and no caching of student data."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def _csp(response):
    return dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))


def test_every_page_has_the_security_headers(client, login, world):
    for response in (client.get(reverse("login")), login(world.teacher).get("/accounts/profile/")):
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert "Content-Security-Policy-Report-Only" not in response


def test_the_content_security_policy_is_strict(client, world):
    policy = _csp(client.get(reverse("login")))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # plus a nonce when a page uses one
    assert policy["style-src"] == "'self'"
    assert policy["img-src"] == "'self' data:"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert policy["base-uri"] == "'self'"
    assert "unsafe-inline" not in str(policy) and "unsafe-eval" not in str(policy)


@pytest.mark.urls("tests.accounts.urls_for_tests")
def test_a_page_that_uses_the_nonce_gets_it_in_the_policy(client, world):
    response = client.get("/test-nonce/")
    nonce = re.search(r'nonce="([^"]+)"', response.text).group(1)
    assert _csp(response)["script-src"] == f"'self' 'nonce-{nonce}'"


def test_pages_for_signed_in_users_are_not_stored(login, world):
    response = login(world.teacher).get("/accounts/profile/")
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private", "no-cache"} <= cache_control


def test_403_responses_for_signed_in_users_are_not_stored(login, world):
    response = login(world.teacher).get(reverse("audit:list"))
    assert response.status_code == 403
    assert "no-store" in response["Cache-Control"]


# Templates: no inline scripts, event handlers or style attributes, which the
# policy would block. JavaScript goes in static/js/*.js, styles in CSS files.

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"<style\b", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)


def _templates():
    """Page templates; email bodies (templates/**/email/) need inline styles
    and no browser applies our policy to them."""
    folders = [ROOT / "templates", *ROOT.glob("*/templates")]
    for folder in folders:
        if ".venv" in folder.parts:
            continue
        yield from sorted(path for path in folder.rglob("*.html") if "email" not in path.parent.parts)


@pytest.mark.parametrize("path", list(_templates()), ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_need_no_unsafe_inline(path):
    text = path.read_text()
    problems = []
    for name, pattern in [
        ("inline <script>", INLINE_SCRIPT),
        ("event handler attribute", EVENT_HANDLER),
        ("style attribute", STYLE_ATTRIBUTE),
        ("<style> block", STYLE_BLOCK),
        ("javascript: URL", JAVASCRIPT_URL),
    ]:
        problems += [f"{name}: {match.group(0)[:80]}" for match in pattern.finditer(text)]
    assert problems == []
