"""Access control, proven for every URL.

accounts.policy.URL_POLICY says, for every URL of the project, which role
permission it needs, which record it points at and which tie to that record
also lets a user in. Here the URL resolver is walked: a URL without an entry
fails. Each URL is then filled in with records in and out of each user's scope
(tests/security/grid.py) and opened with GET and POST by an anonymous visitor,
every role, a teacher on the case team and one who is not, a teacher of the
student's class on no team, the homeroom teacher of the student's class and a
user of another school; the status must be the one check_url_access() derives
from the table (sign-in redirect, 403, 404, or a page that works). The table
is enforced at run time by accounts.middleware.PolicyMiddleware, so a URL
without an entry is refused by the running app too (tested below).
"""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.policy import (
    ALLOW,
    FORBIDDEN,
    NOT_FOUND,
    PERMISSIONS,
    PUBLIC_URLS,
    URL_POLICY,
    Actor,
    check_url_access,
)
from tests.security.grid import USERS, is_admin, targets, url_entries

pytestmark = pytest.mark.django_db

SCOPES = {None, "referral", "case", "classroom", "meeting", "student", "group", "own", "forum"}
RELATIONS = {None, "referrer", "responsible", "author", "attendee", "leader", "verified"}


def _checked_entries():
    """The URL patterns the grid covers: all but the admin site's and the public list."""
    return [e for e in url_entries() if not is_admin(e) and e.name not in PUBLIC_URLS]


def test_every_url_has_an_entry_in_the_policy_table():
    entries = url_entries()
    unnamed = [e.route for e in entries if e.name is None and not is_admin(e)]
    missing = sorted({e.name for e in _checked_entries() if e.name not in URL_POLICY})
    assert unnamed == [], "URL patterns need a name (and an entry in accounts.policy.URL_POLICY)"
    assert missing == [], "add these URLs to accounts.policy.URL_POLICY"
    names = {e.name for e in entries}
    assert sorted(set(URL_POLICY) - names) == [], "URL_POLICY names URLs that no longer exist"
    assert sorted(PUBLIC_URLS - names) == []
    assert not set(URL_POLICY) & PUBLIC_URLS


def test_the_table_uses_known_permissions_scopes_and_relations():
    for name, rule in URL_POLICY.items():
        for permission in rule.permissions:
            assert permission in PERMISSIONS, (name, permission)
        assert rule.scope in SCOPES, name
        assert rule.relation in RELATIONS, name
        assert set(rule.methods) <= {"GET", "POST"} and rule.methods, name


def test_public_pages_are_marked_public_and_no_other_page_is():
    for entry in url_entries():
        if is_admin(entry) or entry.name is None:
            continue
        public = getattr(entry.callback, "login_required", True) is False
        if entry.name in PUBLIC_URLS - {"logout"}:
            assert public, entry.name
        elif entry.name in URL_POLICY:
            assert not public, f"{entry.name} is open without sign-in but has a URL_POLICY entry"


# The grid --------------------------------------------------------------------


EXPECTED_STATUS = {FORBIDDEN: 403, NOT_FOUND: 404}


def _request(client, method, path):
    try:
        return getattr(client, method.lower())(path), None
    except Exception as exc:  # a 500: reported with the rest
        return None, f"{type(exc).__name__}: {exc}"


def _verdict(response, error, expected, login_path):
    """None when the response is what the policy promises, else a description."""
    if error is not None:
        return error
    status = response.status_code
    if expected == ALLOW:
        to_login = status == 302 and response["Location"].startswith(login_path)
        if status >= 500 or status in (401, 403, 404, 405) or to_login:
            return f"{status} {response.get('Location', '')}".strip()
        return None
    return None if status == EXPECTED_STATUS[expected] else str(status)


# Records of the other school are opened by its own user and by the two
# roles that see the most of ours; the other users are checked on ours.
ELSEWHERE_USERS = ["outsider", "counselor", "vp"]


def test_every_url_answers_as_the_policy_says(grid, clients):
    anonymous = Client()
    login_path = reverse(settings.LOGIN_URL)
    actors = {name: Actor(grid.users[name]) for name in USERS}
    wrong, unbuildable, checked = [], [], set()
    cells = 0  # (URL, record, user, method) combinations checked

    def check(who, client, method, path, want, where):
        nonlocal cells
        cells += 1
        response, error = _request(client, method, path)
        if want == "sign_in":
            ok = error is None and response.status_code == 302 and response["Location"].startswith(login_path)
            problem = None if ok else (error or str(response.status_code))
        elif want == 405:
            problem = error or (None if response.status_code == 405 else str(response.status_code))
        else:
            problem = _verdict(response, error, want, login_path)
        if problem:
            shown = want if want in (ALLOW, 405, "sign_in") else EXPECTED_STATUS[want]
            wrong.append(f"{who} {method} {where}: expected {shown}, got {problem}")

    for entry in _checked_entries():
        rule = URL_POLICY[entry.name]
        found = targets(entry, rule, grid)
        if not found:
            unbuildable.append(entry.name)
            continue
        for i, target in enumerate(found):
            path = target.path(entry.name)
            where = f"{entry.name} [{target.label}]"
            if i == 0:
                # Anonymous visitors are sent to sign in, whatever the method;
                # a method the URL does not answer is refused before any check.
                for method in ("GET", "POST"):
                    check("anonymous", anonymous, method, path, "sign_in", where)
                    if method not in rule.methods:
                        check("counselor", clients["counselor"], method, path, 405, where)
            users = ELSEWHERE_USERS if target.elsewhere(grid) else USERS
            posted_empty = False
            for user in users:
                expected = check_url_access(actors[user], entry.name, **target.records)
                for method in rule.methods:
                    if method == "POST" and expected == ALLOW and "GET" in rule.methods:
                        # An empty form post by one allowed user is enough
                        # (the fuzz tests post real data to every form).
                        if posted_empty:
                            continue
                        posted_empty = True
                    check(user, clients[user], method, path, expected, where)
        checked.add(entry.name)

    assert unbuildable == [], "teach tests/security/grid.py to fill in these URLs"
    assert wrong == []
    assert checked == {e.name for e in _checked_entries()}
    print(f"access grid: {len(checked)} URL patterns, {len(USERS) + 1} users, {cells} checks")


def test_the_policy_verdicts_follow_the_roles_and_scopes(grid):
    """A few verdicts spelled out, so that the derivation itself is checked."""
    w = grid.world
    teacher, homeroom, outsider = Actor(w.teacher), Actor(w.homeroom), Actor(w.outsider)
    case_a, case_b = grid.case_a, grid.case_b
    assert check_url_access(teacher, "casework:detail", case=case_a) == ALLOW  # on the team
    assert check_url_access(teacher, "casework:detail", case=case_b) == NOT_FOUND  # not on the team
    assert check_url_access(homeroom, "casework:detail", case=case_a) == ALLOW  # student of their class
    assert check_url_access(homeroom, "casework:detail", case=case_b) == NOT_FOUND  # another class
    # A teacher of the student's class off the team reads the classroom guidance only.
    class_teacher = Actor(w.class_teacher)
    assert check_url_access(class_teacher, "casework:detail", case=case_a) == NOT_FOUND
    assert check_url_access(class_teacher, "casework:print", case=case_a) == NOT_FOUND
    assert check_url_access(class_teacher, "casework:classroom", case=case_a) == ALLOW
    assert check_url_access(class_teacher, "casework:classroom", case=case_b) == NOT_FOUND  # not their class
    assert check_url_access(teacher, "casework:classroom", case=case_b) == NOT_FOUND
    assert check_url_access(Actor(w.counselor2), "casework:classroom", case=case_a) == ALLOW
    assert check_url_access(Actor(w.admin), "casework:classroom", case=case_a) == NOT_FOUND  # no case content
    assert check_url_access(outsider, "casework:classroom", case=case_a) == NOT_FOUND
    assert check_url_access(teacher, "casework:goal_add", case=case_a) == FORBIDDEN  # in scope, not a counselor
    assert check_url_access(outsider, "casework:goal_add", case=case_a) == NOT_FOUND  # holds the role, elsewhere
    assert check_url_access(teacher, "casework:action_done", case=case_a, action=case_a.action) == ALLOW
    assert check_url_access(homeroom, "casework:action_done", case=case_a, action=case_a.action) == FORBIDDEN
    assert check_url_access(Actor(w.admin), "referrals:triage") == FORBIDDEN
    assert check_url_access(outsider, "referrals:triage") == ALLOW  # their own school's queue
    assert check_url_access(Actor(w.counselor), "referrals:withdraw", referral=grid.ref_a) == FORBIDDEN
    assert check_url_access(teacher, "referrals:withdraw", referral=grid.ref_b) == NOT_FOUND
    export = dict(grid.exports)["export_vp"]
    assert check_url_access(Actor(w.counselor), "reports:export_download", owner=export.requested_by) == FORBIDDEN
    assert check_url_access(outsider, "reports:export_download", owner=export.requested_by) == NOT_FOUND
    assert check_url_access(Actor(w.vp), "reports:export_download", owner=export.requested_by) == ALLOW


# Run-time enforcement ------------------------------------------------------------


@pytest.mark.parametrize("path", ["/unlisted/", "/unlisted/7/"])
def test_a_url_without_a_policy_entry_is_refused_at_run_time(world, settings, path):
    settings.ROOT_URLCONF = "tests.security.urls_unlisted"
    anonymous = Client()
    response = anonymous.get(path)
    assert response.status_code == 302 and response["Location"].startswith(reverse(settings.LOGIN_URL))
    for user in (world.counselor, world.vp, world.admin):
        client = Client()
        client.force_login(user)
        for method in ("get", "post"):
            assert getattr(client, method)(path).status_code == 403, (user.username, method)
    # The project's own pages still answer under the same URLconf.
    client = Client()
    client.force_login(world.counselor)
    assert client.get(reverse("casework:caseload")).status_code == 200


def test_a_method_the_entry_does_not_list_is_refused_before_the_view(world, login):
    client = login(world.counselor)
    assert client.put(reverse("home")).status_code == 405
    assert client.get(reverse("notifications:read_all")).status_code == 405
    assert client.head(reverse("notifications:list")).status_code == 200
