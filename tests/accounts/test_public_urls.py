"""Every page needs sign-in, except a short public list.

This walks the URL resolver, so pages added by any app are checked too: an
anonymous GET of each one must end on the sign-in page. A page meant to be
public must be added to PUBLIC below (and decorated with login_not_required).
"""

import re
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RoutePattern

pytestmark = pytest.mark.django_db

# URL names anyone may open without signing in.
PUBLIC = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
    "healthz",
    "healthz_live",
}

SAMPLES = {"int": "1", "str": "x", "slug": "x", "uuid": str(uuid.UUID(int=1)), "path": "x"}


def _route_to_path(pattern):
    if isinstance(pattern, RoutePattern):
        return re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES.get(m.group(1) or "str", "1"), str(pattern._route))
    regex = str(pattern._regex).lstrip("^").rstrip("$").replace("\\Z", "")

    def group(match):
        body = match.group(1)
        if re.fullmatch(r"[\w|-]+", body):  # an alternation of words: take the first
            return body.split("|")[0]
        return "1" if "\\d" in body else "x"

    regex = re.sub(r"\(\?P<\w+>((?:[^()]|\([^()]*\))*)\)", group, regex)
    return regex.replace("\\", "").replace("?", "")


def _walk(patterns, prefix="", namespace=None):
    for entry in patterns:
        path = prefix + _route_to_path(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from _walk(entry.url_patterns, path, f"{namespace}:{ns}" if namespace and entry.namespace else ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield "/" + path, name, entry.callback


def _all_urls():
    return list(_walk(get_resolver().url_patterns))


def test_the_walker_finds_the_pages():
    urls = _all_urls()
    assert len(urls) > 50  # the admin alone has many
    names = {name for _, name, _ in urls}
    assert {"login", "home", "profile", "audit:list", "admin:index", "two_factor_setup"} <= names


def test_every_public_page_on_the_list_exists_and_is_marked_public():
    found = {name: callback for _, name, callback in _all_urls() if name in PUBLIC}
    assert set(found) == PUBLIC
    for name, callback in found.items():
        assert getattr(callback, "login_required", True) is False, name


def test_anonymous_visitors_are_sent_to_sign_in_from_every_other_page():
    client = Client(raise_request_exception=False)
    unchecked, wrong = [], []
    login_path = reverse("login")
    for path, name, _callback in _all_urls():
        if name in PUBLIC:
            continue
        try:
            resolve(path)
        except Exception:
            unchecked.append(path)  # the sample path could not be built
            continue
        response = client.get(path, follow=True)
        final = response.redirect_chain[-1][0] if response.redirect_chain else path
        if not final.startswith(login_path):
            wrong.append(f"{path} ({name}) -> {response.status_code} {final}")
    assert unchecked == []
    assert wrong == []
