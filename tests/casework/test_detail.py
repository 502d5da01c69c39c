import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.models import Case, CaseEvent, Goal
from referrals.models import EventKind, ReferralEvent
from tests.casework.factories import accepted_case, planned_case

pytestmark = pytest.mark.django_db


def _url(case, name="casework:detail"):
    return reverse(name, args=[case.pk])


def test_a_teacher_on_the_team_reads_the_shared_parts_only(world, login):
    case = planned_case(world, teacher_view="Weak in fractions")
    Case.objects.filter(pk=case.pk).update(classroom_guidance="Seat near the front; check understanding quietly.")
    page = login(world.teacher).get(_url(case)).text
    assert page.count("<h1") == 1
    for text in ["Seat near the front", "Weak in fractions", "Who does what", "Evaluation log", "Timeline"]:
        assert text in page
    for text in ["Add a goal", "Add an action", "Schedule a meeting", "Close the case", "Confidential notes"]:
        assert text not in page
    assert "Add an entry" in page  # the teacher is responsible for an action
    assert "Mark as done" in page


def test_the_homeroom_teacher_without_an_action_is_told_how_to_add_entries(world, login):
    case = planned_case(world)
    page = login(world.homeroom).get(_url(case)).text
    assert "You can add entries once an action of this plan is yours." in page
    assert "Add an entry" not in page


def test_progress_chart_has_a_text_alternative(world, login):
    case = planned_case(world)
    page = login(world.teacher).get(_url(case)).text
    svg = re.search(r"<svg class=\"progress-chart[^>]*>", page).group(0)
    assert 'role="img"' in svg and "aria-label=" in svg
    assert "baseline 55, latest 58, target 70, 1 measurement." in svg
    assert '<caption class="visually-hidden">Measured values for Maths score back to the class average' in page


def test_perspectives_point_to_discuss(world, login):
    case = planned_case(world, teacher_view="Trouble at home")
    client = login(world.counselor)
    assert "Point to discuss at the next meeting" in client.get(_url(case)).text
    client.post(
        _url(case, "casework:assessment"),
        {"counselor_assessment": "A gap in fractions", "version": case.version},
    )
    assert "Point to discuss at the next meeting" not in client.get(_url(case)).text
    client.post(
        _url(case, "casework:assessment"),
        {"counselor_assessment": "A gap in fractions", "perspectives_to_discuss": "on", "version": case.version + 1},
    )
    page = client.get(_url(case)).text
    assert "the referring teacher's view and the counselor's assessment differ" in page
    assert "To discuss" in page  # on the upcoming meeting


def test_timeline_has_referral_and_status_history_in_order(world, login):
    case = planned_case(world)
    referral = case.referrals.get()
    event = ReferralEvent.objects.create(referral=referral, actor=world.teacher, kind=EventKind.SUBMITTED)
    ReferralEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - datetime.timedelta(days=3))
    page = login(world.teacher).get(_url(case)).text
    timeline = page[page.index('id="timeline"') :]
    filed = timeline.index("Referral filed")
    opened = timeline.index("Case opened")
    active = timeline.index("Status changed</strong>: Open → Active")
    assert filed < opened < active
    assert CaseEvent.objects.filter(case=case, kind="entry_added").exists()
    assert "Evaluation entry added" in timeline


def test_print_view_is_a_summary_without_forms_or_notes(world, login):
    case = planned_case(world)
    client = login(world.counselor)
    client.post(_url(case, "casework:note_add"), {"body": "Only for us"})
    page = client.get(_url(case, "casework:print")).text
    assert page.count("<h1") == 1
    assert "Without confidential notes." in page
    assert "css/print.css" in page and "js/case-print.js" in page
    assert "Only for us" not in page and "Confidential notes" not in page
    assert '<form method="post" action="/cases/' not in page
    assert "Who does what" in page and "Maths score back to the class average" in page


@pytest.mark.parametrize(
    ("name", "data", "error"),
    [
        ("casework:goal_add", {"statement": "", "indicator": "x"}, "This field is required."),
        ("casework:goal_add", {"statement": "x", "indicator": "y", "baseline": "5", "target": "5"}, "should differ"),
        ("casework:goal_add", {"statement": "x", "indicator": "y", "baseline": "many"}, "Enter a number."),
        ("casework:action_add", {"description": "x", "responsible": "999"}, "Select a valid choice."),
        (
            "casework:action_add",
            {"description": "x", "responsible": "RESP", "starts_on": "2030-02-02", "ends_on": "2030-01-01"},
            "The end date cannot be before the start date.",
        ),
        ("casework:entry_add", {"kind": "session", "date": "2999-01-01"}, "The date cannot be in the future."),
        ("casework:entry_add", {"kind": "session", "date": "TODAY", "measured_value": "3"}, "Choose the goal"),
        (
            "casework:entry_add",
            {"kind": "session", "date": "TODAY", "next_follow_up": "2000-01-01"},
            "The next follow-up cannot be before the entry",
        ),
        (
            "casework:meeting_add",
            {"kind": "coordination", "starts_at": "soon", "place": "x"},
            "Enter a valid date/time.",
        ),
        (
            "casework:meeting_add",
            {"kind": "coordination", "starts_at": "2030-01-01T10:00", "duration_minutes": "0", "place": "x"},
            "Between 5 and 480 minutes.",
        ),
        ("casework:team_add", {"user": "RESP", "role": "subject_teacher"}, "Select a valid choice."),
        ("casework:note_add", {"body": ""}, "This field is required."),
        ("casework:reopen", {"reason": "x"}, "Only a closed case can be reopened."),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(world, login, name, data, error):
    case = planned_case(world)
    data = {
        k: (str(world.teacher.pk) if v == "RESP" else timezone.localdate().isoformat() if v == "TODAY" else v)
        for k, v in data.items()
    }
    before = (Goal.objects.count(), case.actions.count(), case.entries.count(), case.meetings.count())
    response = login(world.counselor).post(_url(case, name), data)
    assert response.status_code == 200
    assert error in response.text
    assert (Goal.objects.count(), case.actions.count(), case.entries.count(), case.meetings.count()) == before


def test_writes_to_a_closed_case_are_refused_with_a_message(world, login):
    case = accepted_case(world)
    client = login(world.counselor)
    client.post(_url(case, "casework:close"), {"outcome": "left_school", "final_note": "Moved away"})
    response = client.post(_url(case, "casework:goal_add"), {"statement": "x", "indicator": "y"})
    assert "This case is closed. Reopen it to change it." in response.text
    page = client.get(_url(case)).text
    assert "Reopen the case" in page and "Add a goal" not in page
    response = client.post(_url(case, "casework:reopen"), {"reason": "Came back"}, follow=True)
    assert "The case was reopened." in response.text
    assert Case.objects.get(pk=case.pk).status == "open"  # no plan yet


def test_the_vice_principal_reassigns_the_lead(world, login):
    case = planned_case(world)
    client = login(world.vp)
    page = client.get(_url(case)).text
    assert "Change the lead counselor" in page and "Add a goal" not in page
    response = client.post(_url(case, "casework:reassign"), {"counselor": world.counselor2.pk}, follow=True)
    assert "The lead counselor was changed." in response.text
    assert Case.objects.get(pk=case.pk).lead_counselor == world.counselor2
    refused = client.post(_url(case, "casework:reassign"), {"counselor": world.teacher.pk})
    assert "Select a valid choice." in refused.text
