import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.policy import Actor
from casework import services
from casework.models import EntryKind, EvaluationEntry
from referrals.models import Referral, Since, Urgency
from tests.casework.factories import accepted_case, planned_case
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db
URL = reverse("casework:caseload")


def _day(days):
    return timezone.localdate() + datetime.timedelta(days=days)


def test_it_shows_my_open_cases_with_follow_ups_actions_due_and_urgency(world, login):
    case = planned_case(world, urgency=Urgency.URGENT, opened_days_ago=7)
    services.entry_add(
        case=case,
        actor=Actor(world.teacher),
        kind=EntryKind.PROGRESS_CHECK,
        date=_day(-3),
        action=case.action,
        next_follow_up=_day(-1),
    )
    other = accepted_case(world, student=world.student_b, teacher=world.other_teacher, counselor=world.counselor2)
    routine = accepted_case(world, student=StudentFactory(school=world.school, classroom=world.class_a))
    Referral.objects.create(
        school=world.school, student=world.student_a, referred_by=world.teacher, observation="New",
        observed_since=Since.DAYS,
    )  # fmt: skip

    response = login(world.counselor).get(URL)
    assert response.status_code == 200
    assert "My caseload" in response.text
    assert f"{case.number} · Andi Pratama" in response.text
    assert other.number not in response.text  # led by counselor2
    row = response.context["page_obj"][0]
    assert row.urgent and row.overdue_follow_ups == 1 and row.actions_due == 1
    assert row.next_follow_up == _day(-1)
    assert not response.context["page_obj"][1].urgent
    assert routine.number in response.text
    assert response.context["totals"] == {"cases": 2, "overdue": 1, "due": 1, "urgent": 1}
    assert response.context["triage_waiting"] == 1
    assert "Urgent" in response.text and "Overdue" in response.text
    assert "referrals waiting in triage" in response.text


def test_filters(world, login):
    case = planned_case(world)
    other = accepted_case(world, student=world.student_b, teacher=world.other_teacher, counselor=world.counselor2)
    client = login(world.counselor)
    all_cases = client.get(URL, {"scope": "all"}).text
    assert case.number in all_cases and other.number in all_cases
    assert other.number not in client.get(URL, {"scope": "all", "status": "active"}).text
    assert other.number in client.get(URL, {"scope": "all", "status": "open"}).text
    assert case.number not in client.get(URL, {"scope": "all", "q": "Sekar"}).text
    assert case.number not in client.get(URL, {"scope": "all", "classroom": world.class_b.pk}).text
    services.case_close(case=case, actor=Actor(world.counselor), outcome="resolved", final_note="Ok")
    assert case.number not in client.get(URL).text
    assert case.number in client.get(URL, {"status": "closed"}).text
    # A member of the team who does not lead the case sees it under "my cases".
    assert case.number not in login(world.counselor2).get(URL).text
    services.case_add_member(case=other, user=world.counselor, role="other_counselor", actor=world.counselor2)
    assert other.number in login(world.counselor).get(URL).text


def test_quick_add_follow_up(world, login):
    case = planned_case(world)
    client = login(world.counselor)
    url = reverse("casework:follow_up_add", args=[case.pk])
    response = client.post(url, {"date": _day(4).isoformat(), "note": "Call the parents", "next": URL}, follow=True)
    assert response.redirect_chain[-1][0] == URL
    assert f"Follow-up for {case.number} set for {_day(4).isoformat()}." in response.text
    entry = EvaluationEntry.objects.get(case=case, note="Call the parents")
    assert entry.next_follow_up == _day(4) and entry.author == world.counselor
    assert response.context["page_obj"][0].next_follow_up == _day(4)

    refused = client.post(url, {"date": _day(-1).isoformat(), "note": "Too late"})
    assert refused.status_code == 200
    assert "The follow-up date cannot be in the past." in refused.text
    refused = client.post(url, {"date": "not a date"})
    assert "Enter a valid date." in refused.text
    assert not EvaluationEntry.objects.filter(note="Too late").exists()


def test_pagination_keeps_the_filters(world, login, monkeypatch):
    from casework import views

    monkeypatch.setattr(views, "CASELOAD_PAGE_SIZE", 1)
    planned_case(world)
    accepted_case(world, student=world.student_b, teacher=world.other_teacher)
    response = login(world.counselor).get(URL, {"scope": "all"})
    assert "Page 1 of 2" in response.text
    assert "scope=all&amp;page=2" in response.text


@pytest.mark.parametrize("query", [{"status": "bogus"}, {"classroom": "abc"}, {"scope": "x"}, {"page": "999"}])
def test_odd_filter_values_never_fail(world, login, query):
    planned_case(world)
    response = login(world.counselor).get(URL, query)
    assert response.status_code == 200


def test_the_student_filter_ignores_apostrophes_hyphens_and_spaces(world, login):
    world.student_a.full_name = "Muhammad Al-Ghifari"
    world.student_a.save(update_fields=["full_name"])
    case = planned_case(world)
    client = login(world.counselor)
    for typed in ("Al Ghifari", "al\u2019ghifari", "alghifari"):
        assert case.number in client.get(URL, {"scope": "all", "q": typed}).text, typed
    assert case.number not in client.get(URL, {"scope": "all", "q": "Al Ghafur"}).text
