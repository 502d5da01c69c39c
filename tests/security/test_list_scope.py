"""Out-of-scope records are never listed and never counted.

Each list page (/referrals/, /triage/, /cases/, /tasks/, /notifications/,
/reports/, /audit/) is drawn for every user allowed to open it, then drawn
again after records out of that user's scope were added: referrals, cases with
plans, notifications and audit rows of the other school, of VIII-B (for the
teachers of VII-A), of our school (for the other school's user), of a
colleague nobody else sees. The page must be byte for byte the same (bar the
CSRF token and the CSP nonce): nothing of the new rows is listed, and no
count, total or chart moved. Each snapshot runs in a savepoint that is rolled
back, so the pages' own audit rows do not differ between the two.
"""

import re

import pytest
from django.db import transaction
from django.urls import reverse

from accounts.models import Role
from accounts.policy import ALLOW, Actor, check_url_access
from audit.models import AuditAction, AuditEvent, ObjectType
from notifications.models import NotificationKind
from notifications.services import notify
from tests import factories as f
from tests.security.grid import USERS, _case, _file, _plan

pytestmark = pytest.mark.django_db

LIST_PAGES = [
    "referrals:list",
    "referrals:triage",
    "casework:caseload",
    "casework:tasks",
    "notifications:list",
    "reports:index",
    "audit:list",
]

_VOLATILE = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'), 'name="csrfmiddlewaretoken" value=""'),
    (re.compile(r'nonce="[^"]*"'), 'nonce=""'),
]


def _normalized(html):
    for pattern, replacement in _VOLATILE:
        html = pattern.sub(replacement, html)
    return html


def _draw(client, path, noise=None):
    with transaction.atomic():
        if noise is not None:
            noise()
        response = client.get(path)
        transaction.set_rollback(True)
    assert response.status_code == 200, path
    return _normalized(response.content.decode())


def _audit(school, user, **fields):
    AuditEvent.objects.create(
        school=school, actor=user, actor_username=user.username, action=AuditAction.VIEW, path="/noise/", **fields
    )


def _school_activity(school, teacher, counselor, student, stranger):
    """A referral waiting for triage, a case with a plan and a follow-up, a
    notification to a stranger and audit rows of case content and of the roster."""
    _file(teacher, school, student, observation="Noise referral waiting in triage.")
    case = _case(teacher, school, student, counselor)
    _plan(case, lead=counselor, responsible=teacher, attendees=[counselor, teacher])
    notify(
        school=school, recipients=[stranger], kind=NotificationKind.ADDED_TO_TEAM, url="/notifications/", label="NOISE"
    )
    _audit(school, counselor, object_type=ObjectType.CASE, case_id=case.pk, student=student)
    _audit(school, counselor, object_type=ObjectType.CONFIDENTIAL_NOTE, case_id=case.pk, student=student)
    _audit(school, stranger, object_type=ObjectType.ROSTER)


def _noise_for(user_name, grid):
    """A function adding records out of this user's scope."""
    w = grid.world
    grid_referral_id = grid.ref_a.pk

    def other_school():
        student = f.enroll(
            f.StudentFactory(school=w.other_school, full_name="Noise Elsewhere"), w.other_class, w.other_term
        )
        stranger = f.staff(w.other_school, "noise_o", Role.TEACHER)
        _school_activity(w.other_school, w.outsider, w.outsider, student, stranger)

    def class_b():
        student = f.enroll(f.StudentFactory(school=w.school, full_name="Noise Delapan"), w.class_b, w.term)
        stranger = f.staff(w.school, "noise_b", Role.TEACHER)
        _school_activity(w.school, w.other_teacher, w.counselor2, student, stranger)

    def class_a():
        student = f.enroll(f.StudentFactory(school=w.school, full_name="Noise Tujuh"), w.class_a, w.term)
        stranger = f.staff(w.school, "noise_a", Role.TEACHER)
        _school_activity(w.school, w.teacher, w.counselor, student, stranger)

    def stranger_only():
        stranger = f.staff(w.school, "noise_s", Role.TEACHER)
        notify(
            school=w.school,
            recipients=[stranger],
            kind=NotificationKind.CASE_STATUS,
            url="/notifications/",
            label="NOISE",
        )

    def case_content_audit():
        # What the school admin must not read in the audit trail: case content.
        _audit(w.school, w.counselor, object_type=ObjectType.CASE, student=w.student_a)
        _audit(
            w.school, w.counselor, object_type=ObjectType.REFERRAL, referral_id=grid_referral_id, student=w.student_a
        )

    noise = {
        "teacher": [other_school, class_b, stranger_only],
        "homeroom": [other_school, class_b, stranger_only],
        "class_teacher": [other_school, class_b, stranger_only],
        "other_teacher": [other_school, stranger_only],
        "counselor": [other_school, stranger_only],
        "counselor2": [other_school, stranger_only],
        "vp": [other_school, stranger_only],
        "admin": [other_school, stranger_only, case_content_audit],
        "outsider": [class_a, class_b, stranger_only],
    }[user_name]

    def build():
        for part in noise:
            part()

    return build


def test_out_of_scope_records_change_nothing_on_list_pages(grid, clients):
    drawn = []
    for page in LIST_PAGES:
        path = reverse(page)
        for user in USERS:
            if check_url_access(Actor(grid.users[user]), page) != ALLOW:
                continue
            client = clients[user]
            before = _draw(client, path)
            after = _draw(client, path, noise=_noise_for(user, grid))
            assert after == before, f"{user} on {page}: out-of-scope rows changed the page"
            drawn.append((page, user))
    # Every list page was checked for at least its main user.
    assert {page for page, _user in drawn} == set(LIST_PAGES)
    assert ("referrals:list", "teacher") in drawn and ("reports:index", "vp") in drawn


def test_noise_would_show_if_it_were_in_scope(grid, clients):
    """The comparison above can fail: the same kind of rows, in the user's own
    scope, do change the pages."""
    w = grid.world
    for page, user, noise in [
        ("referrals:triage", "counselor", "class_a"),
        ("casework:caseload", "counselor", "class_a"),
        ("referrals:list", "outsider", "other_school"),
        ("reports:index", "vp", "class_b"),
    ]:
        path = reverse(page)
        client = clients[user]
        before = _draw(client, path)
        builders = {
            "class_a": lambda: _school_activity(
                w.school,
                w.teacher,
                w.counselor,
                f.enroll(f.StudentFactory(school=w.school, full_name="In Scope"), w.class_a, w.term),
                f.staff(w.school, "in_scope_a", Role.TEACHER),
            ),
            "class_b": lambda: _school_activity(
                w.school,
                w.other_teacher,
                w.counselor2,
                f.enroll(f.StudentFactory(school=w.school, full_name="In Scope"), w.class_b, w.term),
                f.staff(w.school, "in_scope_b", Role.TEACHER),
            ),
            "other_school": lambda: _school_activity(
                w.other_school,
                w.outsider,
                w.outsider,
                f.enroll(f.StudentFactory(school=w.other_school, full_name="In Scope"), w.other_class, w.other_term),
                f.staff(w.other_school, "in_scope_o", Role.TEACHER),
            ),
        }
        after = _draw(client, path, noise=builders[noise])
        assert "In Scope" in after and "In Scope" not in before, (page, user)


def test_the_teacher_never_sees_the_other_class_on_their_lists(grid, clients):
    w = grid.world
    for page in ("referrals:list", "casework:tasks", "notifications:list"):
        for user in ("teacher", "homeroom"):
            html = clients[user].get(reverse(page)).content.decode()
            assert w.student_b.full_name not in html, (user, page)
            assert w.other_student.full_name not in html, (user, page)
    html = clients["outsider"].get(reverse("referrals:triage")).content.decode()
    assert w.student_a.full_name not in html and w.student_b.full_name not in html
