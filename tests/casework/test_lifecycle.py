"""A case from accepted referral to closing, driven through HTTP the way the
counselor, the subject teacher and the homeroom teacher would."""

import datetime

import pytest
from django.urls import reverse
from django.utils import dateformat, timezone

from casework.models import Action, Case, CaseStatus, EvaluationEntry, Goal, Meeting
from notifications.models import Notification, NotificationKind
from tests.casework.factories import accepted_case

pytestmark = pytest.mark.django_db


def _day(days=0):
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def _tasks(client):
    response = client.get(reverse("casework:tasks"))
    assert response.status_code == 200
    return response.text


def test_case_from_accepted_referral_to_closing(world, login, client):
    case = accepted_case(world, teacher_view="Has not understood fractions since grade 6.", opened_days_ago=21)
    url = reverse("casework:detail", args=[case.pk])
    counselor, teacher, homeroom = world.counselor, world.teacher, world.homeroom

    # The counselor opens the case: the referring teacher and the homeroom teacher are on the team already.
    client.force_login(counselor)
    page = client.get(url)
    assert page.status_code == 200
    assert f"Case {case.number}: Andi Pratama" in page.text
    assert "Referring teacher" in page.text and "Homeroom teacher" in page.text
    assert "Point to discuss at the next meeting" in page.text
    assert case.status == CaseStatus.OPEN

    # The vice principal joins the team.
    response = client.post(
        reverse("casework:team_add", args=[case.pk]), {"user": world.vp.pk, "role": "vice_principal"}, follow=True
    )
    assert "Hadi Purnomo joined the team." in response.text

    # Plan: two goals ...
    add_goal = reverse("casework:goal_add", args=[case.pk])
    assert client.get(add_goal).status_code == 200
    response = client.post(
        add_goal,
        {
            "statement": "Maths score back to the pass mark",
            "indicator": "Weekly maths quiz",
            "baseline": "55",
            "target": "75",
            "unit": "points",
            "target_date": _day(60),
        },
        follow=True,
    )
    assert "The goal was added to the plan." in response.text
    client.post(
        add_goal,
        {
            "statement": "Comes to school every day",
            "indicator": "Days absent this month",
            "baseline": "6",
            "target": "1",
            "unit": "days",
        },
    )
    maths, attendance = Goal.objects.filter(case=case).order_by("id")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN  # no action yet

    # ... and three actions for three people.
    add_action = reverse("casework:action_add", args=[case.pk])
    response = client.post(
        add_action,
        {
            "description": "Fraction practice after class",
            "responsible": teacher.pk,
            "goal": maths.pk,
            "frequency": "twice a week",
            "starts_on": _day(),
            "ends_on": _day(3),
        },
        follow=True,
    )
    assert "The action was added to the plan." in response.text
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ACTIVE
    client.post(
        add_action,
        {
            "description": "Call the parents after each absence",
            "responsible": homeroom.pk,
            "goal": attendance.pk,
            "frequency": "after each absence",
            "ends_on": _day(30),
        },
    )
    client.post(
        add_action,
        {
            "description": "Weekly counseling session",
            "responsible": counselor.pk,
            "goal": attendance.pk,
            "frequency": "weekly",
            "ends_on": _day(20),
        },
    )
    page = client.get(url)
    assert "Who does what" in page.text
    assert "Will: Fraction practice after class, twice a week" in page.text
    assert "Will: Call the parents after each absence" in page.text
    assert Notification.objects.filter(recipient=teacher, kind=NotificationKind.ACTION_ASSIGNED).exists()
    assert Notification.objects.filter(recipient=teacher, kind=NotificationKind.CASE_STATUS, label=case.number).exists()

    # Everyone's tasks.
    client.force_login(teacher)
    tasks = _tasks(client)
    assert "Fraction practice after class" in tasks
    assert "Call the parents" not in tasks and "Weekly counseling session" not in tasks
    client.force_login(homeroom)
    tasks = _tasks(client)
    assert "Call the parents after each absence" in tasks and "Fraction practice" not in tasks
    client.force_login(counselor)
    assert "Weekly counseling session" in _tasks(client)

    # A case conference; the attendees get a calendar file.
    starts = timezone.localtime() + datetime.timedelta(days=2)
    response = client.post(
        reverse("casework:meeting_add", args=[case.pk]),
        {
            "kind": "case_conference",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "45",
            "place": "Ruang BK",
            "attendees": [counselor.pk, teacher.pk, homeroom.pk],
            "agenda": "Progress and the differing views",
        },
        follow=True,
    )
    assert "The meeting was scheduled" in response.text
    meeting = Meeting.objects.get(case=case)
    assert Notification.objects.filter(recipient=homeroom, kind=NotificationKind.MEETING_SCHEDULED).exists()
    client.force_login(homeroom)
    ics = client.get(reverse("casework:meeting_ics", args=[case.pk, meeting.pk]))
    assert ics.status_code == 200 and ics["Content-Type"].startswith("text/calendar")
    assert f"SUMMARY:Case conference {case.number}" in ics.content.decode()

    # Minutes, and a decision that becomes an action in one step.
    client.force_login(counselor)
    edit = reverse("casework:meeting_edit", args=[case.pk, meeting.pk])
    assert client.get(edit).status_code == 200
    response = client.post(
        edit,
        {
            "kind": "case_conference",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "45",
            "place": "Ruang BK",
            "attendees": [counselor.pk, teacher.pk, homeroom.pk],
            "agenda": "Progress and the differing views",
            "minutes": "Agreed on a weekly attendance card.",
            "sequence": str(meeting.sequence),
        },
        follow=True,
    )
    assert "The meeting was saved." in response.text
    response = client.post(
        reverse("casework:decision_add", args=[case.pk, meeting.pk]),
        {"description": "Weekly attendance card signed by parents", "responsible": homeroom.pk, "ends_on": _day(21)},
        follow=True,
    )
    assert "The decision is now an action of the plan." in response.text
    decision = Action.objects.get(meeting=meeting)
    assert decision.responsible == homeroom
    assert "Weekly attendance card signed by parents" in client.get(url).text
    client.force_login(homeroom)
    assert "Weekly attendance card signed by parents" in _tasks(client)

    # The evaluation log: the counselor, the subject teacher and the homeroom teacher with measured values.
    add_entry = reverse("casework:entry_add", args=[case.pk])
    client.force_login(counselor)
    client.post(
        add_entry,
        {
            "kind": "progress_check",
            "date": _day(-14),
            "goal": maths.pk,
            "measured_value": "58",
            "rating": "better",
            "note": "Quiz after two weeks of practice.",
        },
    )
    client.force_login(teacher)
    response = client.post(
        add_entry,
        {
            "kind": "progress_check",
            "date": _day(-1),
            "goal": maths.pk,
            "measured_value": "68",
            "rating": "better",
            "note": "Weekly quiz.",
            "next_follow_up": _day(7),
        },
        follow=True,
    )
    assert "Your entry was added to the evaluation log." in response.text
    # A goal that is not the teacher's is refused with a clear message, and nothing is saved.
    refused = client.post(
        add_entry, {"kind": "observation", "date": _day(), "goal": attendance.pk, "measured_value": "2"}
    )
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.text
    assert EvaluationEntry.objects.filter(case=case, author=teacher).count() == 1
    assert f"Follow up on {dateformat.format(timezone.localdate() + datetime.timedelta(days=7), 'j F Y')}" in _tasks(
        client
    )
    client.force_login(homeroom)
    client.post(
        add_entry,
        {"kind": "parent_contact", "date": _day(), "action": decision.pk, "note": "Parents agreed."},
    )
    client.post(
        add_entry,
        {"kind": "observation", "date": _day(), "goal": attendance.pk, "measured_value": "3", "rating": "better"},
    )
    assert EvaluationEntry.objects.filter(case=case, measured_value__isnull=False).count() == 3

    # Progress shows baseline, every value and target, as a chart and a table.
    client.force_login(counselor)
    page = client.get(url).text
    assert 'role="img"' in page
    assert (
        "Progress chart for Maths score back to the pass mark: baseline 55, latest 68, target 75, 2 measurements"
        in page
    )
    assert "Measured values for Maths score back to the pass mark" in page
    assert "58 points" in page and "68 points" in page

    # The subject teacher marks their action done from /tasks/ with a short entry.
    client.force_login(teacher)
    action = Action.objects.get(case=case, responsible=teacher, meeting=None)
    response = client.post(
        reverse("casework:action_done", args=[case.pk, action.pk]),
        {"note": "Practice finished", "measured_value": "70", "rating": "better", "next": reverse("casework:tasks")},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("casework:tasks")
    assert "Done: Fraction practice after class" in response.text
    assert "No open actions" in response.text
    assert EvaluationEntry.objects.get(case=case, action=action).measured_value == 70

    # Monitoring, then closing with an outcome and a final evaluation.
    client.force_login(counselor)
    response = client.post(reverse("casework:status", args=[case.pk]), {"status": "monitoring"}, follow=True)
    assert "The case is now Monitoring." in response.text
    close = reverse("casework:close", args=[case.pk])
    refused = client.post(close, {"outcome": "improved", "final_note": "  "})
    assert "Write the final evaluation before closing the case." in refused.text
    assert Case.objects.get(pk=case.pk).status == CaseStatus.MONITORING
    # The form asks what happens to each action still open: here, all were done.
    still_open = Action.objects.filter(case=case, status__in=["planned", "in_progress"])
    endings = {f"action_{a.pk}": "done" for a in still_open}
    assert endings
    response = client.post(
        close,
        {"outcome": "improved", "final_note": "Scores and attendance improved.", "rating": "better", **endings},
        follow=True,
    )
    assert "The case was closed." in response.text
    assert not still_open.all().exists()
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.outcome == "improved"
    assert EvaluationEntry.objects.filter(case=case, is_final=True).count() == 1
    page = client.get(url).text
    assert "Outcome: Improved" in page
    assert "Case closed" in page  # the timeline
    assert Notification.objects.filter(recipient=teacher, kind=NotificationKind.CASE_CLOSED, label=case.number).exists()
    assert Notification.objects.filter(recipient=homeroom, kind=NotificationKind.CASE_CLOSED).exists()

    # A closed case leaves nobody's task list.
    for user in (teacher, homeroom, counselor):
        client.force_login(user)
        tasks = _tasks(client)
        assert case.number not in tasks
