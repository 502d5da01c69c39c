"""No URL path segment reads like a system directory.

The security scan (wapiti, CI step 5) reports any "/<dir>/" from the list below
in a page as a disclosed server path, so a link to /library/ failed the scan.
Name URLs after the domain (/interventions/), never after these."""

from django.urls import URLPattern, URLResolver, get_resolver

SYSTEM_DIRECTORIES = {
    "bin", "usr", "mnt", "proc", "sbin", "dev", "lib", "tmp", "opt", "home", "var", "root", "etc",
    "applications", "volumes", "system", "users", "developer", "library",
}  # fmt: skip


def _routes(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route


def test_no_url_segment_is_named_like_a_system_directory():
    found = [
        route
        for route in _routes(get_resolver())
        if any(segment.lower() in SYSTEM_DIRECTORIES for segment in route.strip("^$").split("/"))
    ]
    assert found == []
