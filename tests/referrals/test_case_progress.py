"""#12: the referring teacher follows her referral's case on /referrals/ and
on the referral page: its state, since when, and a link to what she may see."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from casework import services as casework_services
from casework.models import CaseEvent, CaseMember, CaseStatus, Outcome
from referrals import services
from referrals.models import Referral, Since
from tests.referrals.factories import category

pytestmark = pytest.mark.django_db

LIST = reverse("referrals:list")


def accepted(world, student, by):
    referral = services.referral_submit(
        school=world.school,
        actor=by,
        student=student,
        categories=[category(world.school)],
        observation="Observation",
        observed_since=Since.WEEKS,
    )
    return casework_services.referral_accept(referral=referral, actor=world.counselor, message="Welcome aboard.")


def pages(client, referral):
    return client.get(LIST).text, client.get(reverse("referrals:detail", args=[referral.pk])).text


def test_closed_case_shows_its_outcome_and_date(login, world):
    referral = accepted(world, world.student_a, world.teacher)
    case = referral.case
    case.status = CaseStatus.ACTIVE
    case.save(update_fields=["status"])
    casework_services.case_close(case=case, actor=world.counselor, outcome=Outcome.IMPROVED, final_note="Better.")
    closed_on = timezone.localdate()
    CaseEvent.objects.filter(case=case).update(created_at=timezone.now() - datetime.timedelta(days=5))
    CaseEvent.objects.filter(case=case, kind="closed").update(created_at=timezone.now() - datetime.timedelta(days=2))
    client = login(world.teacher)
    for text in pages(client, referral):
        assert "Case closed: Improved" in text
        assert 'data-case-state="closed"' in text
        assert f"since {date_format(closed_on - datetime.timedelta(days=2), 'DATE_FORMAT')}" in text
        assert f'href="{reverse("casework:detail", args=[case.pk])}"' in text


def test_each_state_is_followed(login, world):
    referral = accepted(world, world.student_a, world.teacher)
    case = referral.case
    client = login(world.teacher)
    assert "Case opened" in client.get(LIST).text
    case.status = CaseStatus.ACTIVE
    case.save(update_fields=["status"])
    assert "Case active" in client.get(LIST).text
    case = casework_services.case_set_status(case=case, actor=world.counselor, status=CaseStatus.MONITORING) or case
    assert "Case in monitoring" in client.get(LIST).text
    case.refresh_from_db()
    casework_services.case_close(case=case, actor=world.counselor, outcome=Outcome.RESOLVED, final_note="Done.")
    assert "Case closed: Resolved" in client.get(LIST).text
    case.refresh_from_db()
    casework_services.case_reopen(case=case, actor=world.counselor, reason="Slipping again.")
    list_text, detail_text = pages(client, referral)
    for text in (list_text, detail_text):
        assert "Case reopened" in text and 'data-case-state="reopened"' in text


def test_the_date_is_that_of_the_last_status_change(login, world):
    referral = accepted(world, world.student_a, world.teacher)
    CaseEvent.objects.filter(case=referral.case).update(created_at=timezone.now() - datetime.timedelta(days=10))
    day = timezone.localdate() - datetime.timedelta(days=10)
    text = login(world.teacher).get(LIST).text
    assert f"since {date_format(day, 'DATE_FORMAT')}" in text


def test_off_the_team_she_gets_the_classroom_page(login, world):
    referral = accepted(world, world.student_a, world.teacher)  # she teaches VII-A
    CaseMember.objects.filter(case=referral.case, user=world.teacher).delete()
    client = login(world.teacher)
    classroom = reverse("casework:classroom", args=[referral.case.pk])
    for text in pages(client, referral):
        assert f'href="{classroom}"' in text
        assert f'href="{reverse("casework:detail", args=[referral.case.pk])}"' not in text
    assert client.get(classroom).status_code == 200


def test_no_link_when_she_may_see_neither(login, world):
    referral = accepted(world, world.student_b, world.teacher)  # she does not teach VIII-B
    CaseMember.objects.filter(case=referral.case, user=world.teacher).delete()
    client = login(world.teacher)
    for text in pages(client, referral):
        assert f"Case {referral.case.number}" in text
        assert f"/cases/{referral.case.pk}/" not in text
    assert client.get(reverse("casework:classroom", args=[referral.case.pk])).status_code == 404


def test_another_teacher_never_sees_it(login, world):
    referral = accepted(world, world.student_a, world.teacher)
    assert login(world.other_teacher).get(reverse("referrals:detail", args=[referral.pk])).status_code == 404
    assert login(world.outsider).get(reverse("referrals:detail", args=[referral.pk])).status_code == 404
    assert f"Case {referral.case.number}" not in login(world.outsider).get(LIST).text


@pytest.mark.parametrize("n", [2, 20])
def test_query_count_does_not_grow_with_cases(login, world, django_assert_num_queries, n):
    for i in range(n):
        student = world.student_a if i % 2 else world.student_b
        referral = accepted(world, student, world.teacher)
        if i % 3 == 0:
            case = referral.case
            case.status = CaseStatus.ACTIVE
            case.save(update_fields=["status"])
            casework_services.case_close(case=case, actor=world.counselor, outcome=Outcome.IMPROVED, final_note="x")
    assert Referral.objects.filter(case__isnull=False).count() == n
    client = login(world.teacher)
    client.get(LIST)
    # The list's ten queries (tests/referrals/test_list.py), her homeroom
    # classes (the actor's case scope) and one for the cases: their latest
    # status change and which page she may open.
    with django_assert_num_queries(12):
        assert client.get(LIST).status_code == 200
