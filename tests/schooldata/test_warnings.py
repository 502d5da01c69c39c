"""The early-warning list: thresholds at their boundaries, who is left out,
"not needed" until the figures change, and its fixed number of queries."""

import datetime
from decimal import Decimal

import pytest

from accounts.policy import Actor
from common.rules import RuleError
from referrals.models import Status
from roster.models import Term
from schooldata import services
from schooldata.models import Assessment, AttendanceMonth, Score, Thresholds
from schooldata.warnings import early_warnings, warning_classroom_ids
from tests import factories as f


@pytest.fixture
def terms(ledger_world):
    w = ledger_world
    previous_year = f.AcademicYearFactory(
        school=w.school, name="2025/2026", starts_on=datetime.date(2025, 7, 1), ends_on=datetime.date(2026, 6, 30)
    )
    w.previous_term = Term.objects.create(
        school=w.school,
        year=previous_year,
        name="Semester 2",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 6, 30),
    )
    w.ipa = f.SubjectFactory(school=w.school, name="IPA")
    return w


def mark(w, student, subject, value, *, term=None, name="PTS"):
    assessment, _ = Assessment.objects.get_or_create(
        school=w.school, term=term or w.term, classroom=student.classroom, subject=subject, name=name
    )
    Score.objects.update_or_create(assessment=assessment, student=student, defaults={"value": Decimal(value)})


def attend(w, student, *, present=20, sick=0, permitted=0, absent=0, month=datetime.date(2026, 9, 1)):
    AttendanceMonth.objects.update_or_create(
        school=w.school,
        student=student,
        month=month,
        defaults={"present": present, "sick": sick, "permitted": permitted, "absent": absent},
    )


def listed(w, actor=None):
    actor = Actor(actor or w.homeroom)
    _classes, found, _t = early_warnings(school=w.school, classroom_ids=warning_classroom_ids(actor))
    return {warning.student.full_name: [s.kind for s in warning.signals] for rows in found.values() for warning in rows}


def test_two_subjects_below_the_kkm_list_a_student_and_the_kkm_itself_passes(terms):
    w = terms
    mark(w, w.student_a, w.maths, "74.9")
    mark(w, w.student_a, w.bahasa, "74")
    mark(w, w.budi, w.maths, "75")  # at the KKM: passes
    mark(w, w.budi, w.bahasa, "60")
    mark(w, w.citra, w.maths, "50")  # one subject only
    assert listed(w) == {"Andi Pratama": ["kkm"]}


def test_the_averages_of_several_assessments_are_compared(terms):
    w = terms
    mark(w, w.student_a, w.maths, "70", name="UH 1")
    mark(w, w.student_a, w.maths, "80", name="PTS")  # average 75: passes
    mark(w, w.student_a, w.bahasa, "60")
    assert listed(w) == {}


def test_a_drop_of_more_than_n_points_from_last_term(terms):
    w = terms
    mark(w, w.student_a, w.maths, "90", term=w.previous_term)
    mark(w, w.student_a, w.maths, "75")  # a drop of 15: not more than 15
    mark(w, w.budi, w.maths, "90", term=w.previous_term)
    mark(w, w.budi, w.maths, "74.9")  # 15.1
    assert listed(w) == {"Budi Santoso": ["drop"]}


def test_attendance_rate_and_unexcused_absences_at_the_boundaries(terms):
    w = terms
    attend(w, w.student_a, present=17, sick=3)  # 85%: not under 85
    attend(w, w.budi, present=16, sick=2, absent=2)  # 80%
    attend(w, w.citra, present=27, absent=3)  # 90%, but 3 days without leave
    assert listed(w) == {"Budi Santoso": ["attendance"], "Citra Lestari": ["unexcused"]}


def test_only_the_latest_month_counts(terms):
    w = terms
    attend(w, w.student_a, present=10, absent=10, month=datetime.date(2026, 8, 1))
    attend(w, w.student_a, present=20, month=datetime.date(2026, 9, 1))
    assert listed(w) == {}


def test_thresholds_are_per_school(terms):
    w = terms
    Thresholds.objects.create(school=w.school, kkm=Decimal("80"), subjects_below=1, max_unexcused=5)
    mark(w, w.student_a, w.maths, "78")
    attend(w, w.budi, present=27, absent=3)
    assert listed(w) == {"Andi Pratama": ["kkm"]}


def test_students_with_an_open_referral_or_case_are_left_out(terms):
    from tests.security.grid import _case, _file

    w = terms
    for student in (w.student_a, w.budi, w.citra):
        attend(w, student, present=10, absent=10)
    _file(w.teacher, w.school, w.student_a)
    _case(w.teacher, w.school, w.budi, w.counselor)
    assert listed(w) == {"Citra Lestari": ["attendance", "unexcused"]}
    w.student_a.referrals.update(status=Status.DECLINED, decline_reason="Not for us")
    assert set(listed(w)) == {"Andi Pratama", "Citra Lestari"}


def test_who_sees_which_class(terms):
    w = terms
    attend(w, w.student_a, present=10, absent=10)
    attend(w, w.student_b, present=10, absent=10)
    assert set(listed(w, w.homeroom)) == {"Andi Pratama"}
    assert set(listed(w, w.counselor)) == {"Andi Pratama"}  # covers VII-A
    assert set(listed(w, w.counselor2)) == {"Sekar"}  # covers VIII-B
    for nobody in (w.teacher, w.vp, w.admin, w.outsider):
        assert listed(w, nobody) == {}


def test_not_needed_is_remembered_until_the_figures_change(terms):
    w = terms
    attend(w, w.student_a, present=10, absent=10)
    with pytest.raises(RuleError) as error:
        services.warning_dismiss(actor=w.homeroom, student_id=w.student_a.pk, reason="  ")
    assert error.value.field == "reason"
    services.warning_dismiss(actor=w.homeroom, student_id=w.student_a.pk, reason="Was in hospital, now back.")
    assert listed(w) == {}
    attend(w, w.student_a, present=12, absent=8)  # the figures changed
    assert set(listed(w)) == {"Andi Pratama"}


def test_not_needed_only_for_a_student_on_my_list(terms):
    w = terms
    attend(w, w.student_b, present=10, absent=10)
    with pytest.raises(RuleError):
        services.warning_dismiss(actor=w.homeroom, student_id=w.student_b.pk, reason="Not mine")
    with pytest.raises(RuleError):
        services.warning_dismiss(actor=w.outsider, student_id=w.student_b.pk, reason="Not mine")


@pytest.mark.parametrize("count", [1, 12])
def test_the_list_costs_a_fixed_number_of_queries(terms, login, django_assert_num_queries, count):
    from django.urls import reverse

    w = terms
    for i in range(count):
        student = f.enroll(f.StudentFactory(school=w.school, full_name=f"Murid {i:02d}"), w.class_a, w.term)
        mark(w, student, w.maths, "50")
        mark(w, student, w.bahasa, "50")
        mark(w, student, w.maths, "95", term=w.previous_term)
        attend(w, student, present=10, absent=10)
    client = login(w.homeroom)
    client.get(reverse("schooldata:early_warning"))  # sessions and caches warm
    with django_assert_num_queries(QUERIES):
        response = client.get(reverse("schooldata:early_warning"))
    assert response.status_code == 200
    assert response.content.decode().count('class="card mb-3"') == count


# Session, user, memberships and the nav (8); thresholds, classes (homeroom
# and covered), students, terms, scores, attendance, open referrals or cases,
# dismissals (7).
QUERIES = 15


def test_the_list_is_never_sent_anywhere(terms, login, mailoutbox):
    """Importing, listing, "not needed" and "refer" send no email, WhatsApp or notification."""
    from django.urls import reverse

    from notifications.models import Notification

    w = terms
    attend(w, w.student_a, present=10, absent=10)
    client = login(w.homeroom)
    client.get(reverse("schooldata:early_warning"))
    client.post(reverse("schooldata:early_warning"), {"action": "refer", "student": w.student_a.pk})
    client.post(
        reverse("schooldata:early_warning"), {"action": "dismiss", "student": w.student_a.pk, "reason": "Known"}
    )
    assert Notification.objects.count() == 0
    assert mailoutbox == []
