"""The confidential-note sentinel never reaches anyone but a counselor.

A counselor writes confidential notes holding a sentinel on two cases, then
the team works on the cases (meetings, entries, status), which sends
notifications and emails and writes the timeline and the audit trail. Then
every user who is not a counselor opens every URL of the project (the access
grid's URL builder fills in each with every record; among them the classroom
guidance page, also as a teacher of the class on no team), the report exports (CSV
and XLSX), calendar files, print views, student search results and every
Django admin page they can reach; the sentinel must be in none of them, nor in
any email, WhatsApp text, notification, audit row or any other stored row.
The counselor does see it on the case page.
"""

import io
import re
import zipfile
from collections import deque
from decimal import Decimal
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.policy import ALLOW, URL_POLICY, Actor, check_url_access
from casework.models import ConfidentialNote
from notifications import messages
from notifications.models import Notification
from tests import factories as f
from tests.security.grid import NOT_COUNSELORS, targets, url_entries

pytestmark = pytest.mark.django_db

SENTINEL = "SNTNL-CONF-93d1e6"


def _body(response):
    """Everything a response carries, unzipped when it is a zip (XLSX)."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            content = b"".join(archive.read(name) for name in archive.namelist())
    return content


@pytest.fixture
def planted(grid, clients, django_capture_on_commit_callbacks, mailoutbox):
    """Notes with the sentinel on case A and case B, written through the page,
    then a round of work that notifies the team."""
    counselor = clients["counselor"]
    with django_capture_on_commit_callbacks(execute=True):
        for case in (grid.case_a, grid.case_b):
            response = counselor.post(
                reverse("casework:note_add", args=[case.pk]),
                {"body": f"Home situation, do not share: {SENTINEL}"},
                follow=True,
            )
            assert "The confidential note was saved." in response.text
        case = grid.case_a
        counselor.get(reverse("casework:detail", args=[case.pk]))
        responses = [
            counselor.post(
                reverse("casework:meeting_add", args=[case.pk]),
                {
                    "kind": "case_conference",
                    "starts_at": (timezone.localtime() + timezone.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
                    "duration_minutes": "45",
                    "place": "Ruang BK",
                    "agenda": "Next steps",
                    "attendees": [
                        str(grid.world.counselor.pk),
                        str(grid.world.teacher.pk),
                        str(grid.world.homeroom.pk),
                    ],
                },
            ),
            counselor.post(
                reverse("casework:entry_add", args=[case.pk]),
                {
                    "kind": "progress_check",
                    "date": timezone.localdate().isoformat(),
                    "goal": str(case.goal.pk),
                    "measured_value": "61",
                    "note": "Better this week.",
                },
            ),
            counselor.post(
                reverse("casework:action_add", args=[case.pk]),
                {"description": "Check homework daily", "responsible": str(grid.world.homeroom.pk)},
            ),
            clients["teacher"].post(
                reverse("casework:action_done", args=[case.pk, case.action.pk]),
                {"note": "Done twice this week.", "measured_value": str(Decimal("63"))},
            ),
            counselor.post(reverse("casework:status", args=[case.pk]), {"status": "monitoring"}),
        ]
        assert [r.status_code for r in responses] == [302] * len(responses)
    assert mailoutbox, "the round of work sent emails"
    return grid


def _grid_paths(grid, user):
    """Every URL the user may open with GET, filled in with every record of
    the grid they may reach (refused ones are bare 403/404 pages, checked by
    the access grid)."""
    actor = Actor(grid.users[user])
    paths = []
    for entry in url_entries():
        rule = URL_POLICY.get(entry.name)
        if rule is None or "GET" not in rule.methods:
            continue
        for target in targets(entry, rule, grid) or []:
            if check_url_access(actor, entry.name, **target.records) == ALLOW:
                paths.append(target.path(entry.name))
    return paths


def _export_paths():
    base = reverse("reports:export")
    return [f"{base}?format={fmt}&dataset={dataset}" for fmt in ("csv", "xlsx") for dataset in ("cases", "indicators")]


def _search_paths(grid):
    w = grid.world
    search, new = reverse("referrals:student_search"), reverse("referrals:new")
    return [
        f"{search}?q=Andi",
        f"{search}?q=Andi&partial=1",
        f"{search}?q={w.student_a.nisn}",
        f"{new}?q=Andi",
        f"{new}?student={w.student_a.pk}",
        f"{new}?student={w.student_b.pk}",
    ]


def test_the_counselor_sees_the_note(planted, clients):
    for name in ("counselor", "counselor2"):
        page = clients[name].get(reverse("casework:detail", args=[planted.case_a.pk]))
        assert SENTINEL in page.text


def test_no_page_export_or_search_shows_it_to_anyone_else(planted, clients):
    opened = set()
    for user in NOT_COUNSELORS:
        client = clients[user]
        for path in _grid_paths(planted, user) + _export_paths() + _search_paths(planted):
            response = client.get(path, follow=True)
            assert response.status_code < 500, (user, path)
            assert SENTINEL.encode() not in _body(response), (user, path)
            if response.status_code == 200:
                opened.add((user, path))
    # The non-counselors did reach case pages, prints, calendars and exports.
    assert len(opened) > 60
    # And the classroom guidance of both noted cases, also as a teacher of
    # the class on no team, who opens nothing else of the case.
    classroom = {case: reverse("casework:classroom", args=[case.pk]) for case in (planted.case_a, planted.case_b)}
    assert ("class_teacher", classroom[planted.case_a]) in opened
    assert ("other_teacher", classroom[planted.case_b]) in opened
    assert ("vp", classroom[planted.case_b]) in opened
    assert ("class_teacher", reverse("casework:detail", args=[planted.case_a.pk])) not in opened


# Sign-out, deletions and empty forms hold nothing to find.
ADMIN_SKIP = re.compile(r"/(logout|delete|password_change|add|history)/|/admin/login/|/jsi18n/|/autocomplete/")


def _crawl_admin(client, limit=120, per_model=2):
    """Every admin page a user can reach by following links from the index:
    each app, each list and the change pages of a few records of each."""
    seen, pages, per = set(), [], {}
    queue = deque(["/admin/"])
    while queue and len(pages) < limit:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        pages.append((path, response))
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for href in re.findall(r'href="([^"#]+)"', response.content.decode()):
            link = urlsplit(urljoin(path, href.replace("&amp;", "&")))
            target = link.path
            if not target.startswith("/admin/") or ADMIN_SKIP.search(target) or link.query or target in seen:
                continue
            model = "/".join(target.split("/")[2:4])
            if re.search(r"/\d+/change/$", target):
                if per.get(model, 0) >= per_model:
                    continue
                per[model] = per.get(model, 0) + 1
            queue.append(target)
    return pages


def test_no_admin_page_shows_it(planted):
    w = planted.world
    school_admin = Client()
    school_admin.force_login(w.admin)
    # Like the demo's `admin`: a school admin who is also a superuser.
    super_admin = f.staff(w.school, "superadmin", Role.SCHOOL_ADMIN, is_staff=True, is_superuser=True)
    # A platform superuser with no school at all.
    root = f.UserFactory(username="root", is_staff=True, is_superuser=True)
    reached = {}
    for name, user in (("admin", w.admin), ("superadmin", super_admin), ("root", root)):
        client = Client()
        client.force_login(user)
        pages = _crawl_admin(client)
        for path, response in pages:
            assert response.status_code < 500, (name, path)
            assert SENTINEL.encode() not in response.content, (name, path)
        reached[name] = {path for path, response in pages if response.status_code == 200}
    assert len(reached["admin"]) > 10 and len(reached["superadmin"]) > 10, reached
    # The platform superuser reaches the case records there (without the
    # notes); the school admins do not.
    case_pages = re.compile(r"^/admin/casework/case/\d+/change/$")
    assert any(case_pages.match(path) for path in reached["root"])
    assert not any(case_pages.match(path) for path in reached["admin"] | reached["superadmin"])


def test_no_email_whatsapp_text_or_notification_holds_it(planted, mailoutbox):
    for message in mailoutbox:
        parts = [message.subject, message.body]
        parts += [content for content, _type in getattr(message, "alternatives", [])]
        parts += [str(attachment) for attachment in message.attachments]
        assert all(SENTINEL not in str(part) for part in parts), message.subject
    for notification in Notification.objects.select_related("recipient"):
        email = messages.notification_email(notification, with_invitation=True)
        assert SENTINEL not in f"{email.subject} {email.text} {email.html}"
        assert SENTINEL not in messages.whatsapp_text(notification)
        assert SENTINEL not in f"{notification.label} {notification.url}"
    for user in planted.users.values():
        inbox = list(Notification.objects.filter(recipient=user))
        digest = messages.digest_email(user=user, notifications=inbox)
        assert SENTINEL not in f"{digest.subject} {digest.text} {digest.html}"


def test_no_stored_row_but_the_note_holds_it(planted, clients):
    """The audit trail (its detail JSON too), the timelines, notifications,
    deliveries, exports, sessions: only the note itself holds the text."""
    # Some more audited work first: the pages a non-counselor opens.
    for user in NOT_COUNSELORS:
        clients[user].get(reverse("casework:detail", args=[planted.case_a.pk]))
    found = []
    for model in apps.get_models():
        if model is ConfidentialNote or model._meta.proxy:
            continue
        for row in model._default_manager.all().values():
            if SENTINEL in repr(row):
                found.append(model._meta.label)
    assert found == []
