"""seed_demo: two terms of grades and attendance, and a few students the early-warning list catches."""

import pytest
from django.core.management import call_command

from accounts.models import User
from accounts.policy import Actor
from demo import schooldata as demo
from roster.models import School, Term
from schooldata.models import Assessment, AttendanceMonth, Score
from schooldata.warnings import early_warnings, warning_classroom_ids

pytestmark = pytest.mark.django_db


def test_the_demo_school_has_two_terms_of_records_and_three_students_to_look_at(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    school = School.objects.get()
    current = Term.objects.current(school)
    terms = set(Assessment.objects.for_school(school).values_list("term_id", flat=True))
    assert len(terms) == 2 and current.pk in terms
    counts = (Score.objects.count(), AttendanceMonth.objects.count())
    assert counts[0] > 10_000 and counts[1] > 500

    demo.seed(school)  # idempotent
    assert (Score.objects.count(), AttendanceMonth.objects.count()) == counts

    homeroom = Actor(User.objects.get(username="homeroom"))
    _classes, found, _t = early_warnings(school=school, classroom_ids=warning_classroom_ids(homeroom))
    kinds = sorted(sorted(s.kind for s in w.signals) for rows in found.values() for w in rows)
    # Below the KKM in Matematika and IPA (which also fell from last term), Matematika fell, often absent.
    assert kinds == [["attendance", "unexcused"], ["drop"], ["drop", "drop", "kkm"]]
    counselor2 = Actor(User.objects.get(username="counselor2"))
    _classes, found, _t = early_warnings(school=school, classroom_ids=warning_classroom_ids(counselor2))
    assert sum(len(rows) for rows in found.values()) == 0
