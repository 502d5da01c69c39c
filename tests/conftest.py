"""Shared fixtures: one school with every role, and a second school.

`world` is the standing cast used across the suite (like healthchecks' alice,
bob and charlie): a subject teacher, a homeroom teacher of VII-A who also
teaches, two counselors, a vice principal, a school admin, and at another
school a teacher and a counselor who must never see anything here.
"""

import os
from types import SimpleNamespace

import pytest

from accounts.models import Role
from tests import factories as f


@pytest.fixture
def world(db):
    school = f.SchoolFactory(name="SMP Negeri 1 Contoh")
    term = f.TermFactory(school=school)
    w = SimpleNamespace(school=school, term=term)
    w.teacher = f.staff(school, "teacher", Role.TEACHER, full_name="Sri Wahyuni")
    w.homeroom = f.staff(school, "homeroom", Role.TEACHER, full_name="Bambang Sutrisno")
    w.counselor = f.staff(school, "counselor", Role.COUNSELOR, full_name="Dewi Kartika")
    w.counselor2 = f.staff(school, "counselor2", Role.COUNSELOR, full_name="Agus Salim")
    w.vp = f.staff(school, "vp", Role.VICE_PRINCIPAL, Role.TEACHER, full_name="Hadi Purnomo")
    w.admin = f.staff(school, "admin", Role.SCHOOL_ADMIN, full_name="Rina Operator", is_staff=True)
    w.other_teacher = f.staff(school, "teacher_b", Role.TEACHER, full_name="Teguh Santoso")
    w.class_a = f.ClassroomFactory(
        school=school, name="VII-A", grade=7, homeroom_teacher=w.homeroom, counselor=w.counselor
    )
    w.class_b = f.ClassroomFactory(school=school, name="VIII-B", grade=8, counselor=w.counselor2)
    w.maths = f.SubjectFactory(school=school, name="Matematika")
    w.bahasa = f.SubjectFactory(school=school, name="Bahasa Indonesia")
    f.TeachingAssignmentFactory(teacher=w.teacher, classroom=w.class_a, subject=w.maths, term=term)
    f.TeachingAssignmentFactory(teacher=w.homeroom, classroom=w.class_a, subject=w.bahasa, term=term)
    f.TeachingAssignmentFactory(teacher=w.other_teacher, classroom=w.class_b, subject=w.maths, term=term)
    w.student_a = f.enroll(f.StudentFactory(school=school, full_name="Andi Pratama"), w.class_a, term)
    w.student_b = f.enroll(f.StudentFactory(school=school, full_name="Sekar"), w.class_b, term)

    other = f.SchoolFactory(name="SMP Negeri 9 Lain")
    w.other_school = other
    w.other_term = f.TermFactory(school=other)
    w.outsider = f.staff(other, "outsider", Role.TEACHER, Role.COUNSELOR, Role.VICE_PRINCIPAL, Role.SCHOOL_ADMIN)
    w.other_class = f.ClassroomFactory(school=other, name="VII-A", grade=7, counselor=w.outsider)
    w.other_student = f.enroll(f.StudentFactory(school=other, full_name="Orang Lain"), w.other_class, w.other_term)
    w.roles = {
        "teacher": w.teacher,
        "homeroom": w.homeroom,
        "counselor": w.counselor,
        "vp": w.vp,
        "admin": w.admin,
        "outsider": w.outsider,
    }
    return w


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


def require_service(name):
    """Under CI=true a missing service fails the run; elsewhere the test skips."""
    message = f"{name} is not available"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " (CI=true: services must run)")
    pytest.skip(message)


@pytest.fixture(autouse=True)
def english_by_default(settings):
    """Tests read English text unless they ask for Indonesian."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache (the cached reports among it)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
