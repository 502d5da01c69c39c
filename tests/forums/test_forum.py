"""The routine coordination forum (issue #13): settings, booking through the
finder, the agenda builder (each kind of item), what each participant sees,
minutes, decision → action → task → done, the recap and its neutrality, the
vice principal's report."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.policy import Actor
from casework import services as casework
from casework.models import ActionStatus, CaseStatus, DecisionKind, EntryKind
from casework.scheduling import propose_slots
from forums import agenda, services
from forums.models import AgendaItem, Forum, ItemKind, Sitting
from notifications.messages import notification_email, whatsapp_text
from notifications.models import Notification, NotificationKind
from referrals.models import Referral, Urgency
from tests import factories as f
from tests.casework.factories import accepted_case, planned_case
from tests.casework.test_decisions import lagging_goal

pytestmark = pytest.mark.django_db
JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
MONDAY = datetime.datetime(2026, 12, 7, 5, 0, tzinfo=JAKARTA)
SECRET = "Rahasia-konseling-77"


def forum(world, *people):
    found = services.forum_for(world.school)
    if people:
        found.participants.set(people)
    return found


def sitting(world, *people, when=None):
    people = people or (world.counselor, world.teacher, world.homeroom)
    return services.sitting_schedule(
        forum=forum(world, *people),
        actor=world.counselor,
        starts_at=when or timezone.now() + datetime.timedelta(days=1),
    )


def kinds(s):
    return sorted((i.kind, i.case_id or i.referral_id) for i in s.items.all())


# Settings -----------------------------------------------------------------


def test_default_participants_are_the_counselors_and_homeroom_teachers(world):
    names = {u.username for u in services.default_participants(world.school)}
    assert names == {"counselor", "counselor2", "homeroom"}


def test_vice_principal_sets_the_forum(world, login):
    client = login(world.vp)
    url = reverse("forums:settings")
    page = client.get(url)
    assert {str(u.pk) for u in page.context["form"].initial["participants"]} == {
        str(world.counselor.pk),
        str(world.counselor2.pk),
        str(world.homeroom.pk),
    }
    response = client.post(
        url,
        {
            "frequency": "monthly",
            "duration_minutes": 45,
            "place": "Ruang guru",
            "participants": [world.counselor.pk, world.teacher.pk],
        },
    )
    assert response.status_code == 302
    saved = Forum.objects.get(school=world.school)
    assert saved.frequency == "monthly" and set(saved.participants.all()) == {world.counselor, world.teacher}
    bad = client.post(url, {"frequency": "monthly", "duration_minutes": 5, "place": "", "participants": []})
    assert bad.status_code == 200 and {"duration_minutes", "place", "participants"} <= set(bad.context["form"].errors)
    assert login(world.counselor).get(url).status_code == 403
    assert login(world.teacher).get(url).status_code == 403


# Booking through the finder -----------------------------------------------


@time_machine.travel(MONDAY, tick=False)
def test_the_forum_is_booked_from_a_proposed_slot_and_invites_with_ics(world, login, mailoutbox):
    f.bell_schedule(world.term)
    forum(world, world.counselor, world.teacher, world.homeroom)
    client = login(world.counselor)
    page = client.get(reverse("forums:schedule"))
    first = page.context["slots"][0]
    assert timezone.localtime(first.starts_at) == datetime.datetime(2026, 12, 7, 7, 0, tzinfo=JAKARTA)
    response = client.post(reverse("forums:schedule"), {"starts_at": "2026-12-07T07:00", "form_token": "2" * 32})
    booked = Sitting.objects.get()
    assert response.status_code == 302 and response["Location"] == booked.get_absolute_url()
    assert set(booked.attendees.all()) == {world.counselor, world.teacher, world.homeroom}
    note = Notification.objects.get(recipient=world.teacher, kind=NotificationKind.FORUM_SCHEDULED)
    assert note.attachment == f"forum:{booked.pk}"
    ics = client.get(reverse("forums:ics", args=[booked.pk])).content.decode()
    assert "METHOD:REQUEST" in ics and f"UID:forum-{booked.pk}@sinergi" in ics and "TZID=Asia/Jakarta" in ics
    # The sitting now makes its participants busy for the finder.
    again = propose_slots(school=world.school, attendees=[world.teacher], duration_minutes=60, limit=1)
    assert timezone.localtime(again[0].starts_at).time() != datetime.time(7, 0)


def test_a_teacher_may_not_book_the_forum(world, login):
    forum(world, world.teacher)
    assert login(world.teacher).get(reverse("forums:schedule")).status_code == 403


# The agenda builder, one kind at a time -----------------------------------


def test_new_and_urgent_referrals(world):
    routine = Referral.objects.create(
        school=world.school, student=world.student_a, referred_by=world.teacher, observation="x"
    )
    urgent = Referral.objects.create(
        school=world.school,
        student=world.student_b,
        referred_by=world.other_teacher,
        observation="y",
        urgency=Urgency.URGENT,
    )
    old = timezone.now() - datetime.timedelta(days=60)
    Referral.objects.filter(pk=urgent.pk).update(submitted_at=old)
    s = sitting(world)
    assert kinds(s) == sorted([(ItemKind.NEW_REFERRAL, routine.pk), (ItemKind.URGENT_REFERRAL, urgent.pk)])
    # Since the last forum: once a forum was held after it, a routine referral is no longer new.
    Sitting.objects.filter(pk=s.pk).update(recap_sent_at=timezone.now(), starts_at=timezone.now())
    later = sitting(world, when=timezone.now() + datetime.timedelta(days=8))
    assert kinds(later) == [(ItemKind.URGENT_REFERRAL, urgent.pk)]


def test_cases_with_overdue_follow_ups(world):
    case = accepted_case(world, opened_days_ago=10)
    casework.entry_add(
        case=case,
        actor=world.counselor,
        kind=EntryKind.OBSERVATION,
        date=timezone.localdate() - datetime.timedelta(days=9),
        note="Watch",
        next_follow_up=timezone.localdate() - datetime.timedelta(days=2),
    )
    items = agenda.overdue_follow_ups(school=world.school, since=None, today=timezone.localdate())
    assert items == [(ItemKind.OVERDUE_FOLLOW_UP, {"case": case})]


def test_goals_not_moving(world):
    """The decision rules decide (casework.progress): four measurements in a row
    below the aim line put the goal on the agenda, until the counselor records
    a decision; a goal on its line stays off."""
    lagging = lagging_goal(world)
    on_track = lagging_goal(world, values=(50, 58, 51, 60), student=world.student_b)
    items = agenda.goals_not_moving(school=world.school, since=None, today=timezone.localdate())
    assert [(k, r["case"], r["goal"]) for k, r in items] == [(ItemKind.GOAL_NOT_MOVING, lagging.case, lagging)]
    assert on_track not in [r["goal"] for _, r in items]
    casework.goal_decide(goal=lagging, actor=lagging.case.lead_counselor, kind=DecisionKind.INTENSIFY, reason="More")
    assert agenda.goals_not_moving(school=world.school, since=None, today=timezone.localdate()) == []


def test_cases_proposed_for_closing_and_perspectives_that_differ(world):
    closing = planned_case(world)  # active: it has a plan
    casework.case_set_status(case=closing, actor=world.counselor, status=CaseStatus.MONITORING)
    differ = accepted_case(world, student=world.student_b, counselor=world.counselor2)
    differ.perspectives_to_discuss = True
    differ.save()
    s = sitting(world)
    assert (ItemKind.PROPOSED_CLOSING, closing.pk) in kinds(s)
    assert (ItemKind.PERSPECTIVES_DIFFER, differ.pk) in kinds(s)
    # Built again before the sitting: nothing doubles.
    assert services.agenda_build(sitting=s, actor=world.counselor) == 0


# What each participant sees -----------------------------------------------


def test_each_participant_sees_only_the_items_they_may_see_and_never_a_confidential_note(world, login):
    case_a = accepted_case(world)  # the teacher referred it: on the team
    casework.note_add(case=case_a, actor=world.counselor, body=SECRET)
    case_a.perspectives_to_discuss = True
    case_a.save()
    case_b = accepted_case(world, student=world.student_b, teacher=world.other_teacher, counselor=world.counselor2)
    case_b.perspectives_to_discuss = True
    case_b.save()
    s = sitting(world)
    services.item_add(sitting=s, actor=world.teacher, title="Jadwal remedial kelas VII")
    teacher_page = login(world.teacher).get(s.get_absolute_url())
    shown = {i.case_id for i in teacher_page.context["page"]["items"]}
    assert case_a.pk in shown and case_b.pk not in shown
    assert "Jadwal remedial kelas VII" in teacher_page.text and "Sekar" not in teacher_page.text
    assert teacher_page.context["page"]["hidden_count"] == 1
    counselor_page = login(world.counselor).get(s.get_absolute_url())
    assert {case_a.pk, case_b.pk} <= {i.case_id for i in counselor_page.context["page"]["items"]}
    assert SECRET not in counselor_page.text and SECRET not in teacher_page.text
    # Not invited: the teacher of VIII-B cannot open it.
    assert login(world.other_teacher).get(s.get_absolute_url()).status_code == 404


def test_a_participant_adds_an_item_only_about_a_case_they_may_see(world, login):
    case_b = accepted_case(world, student=world.student_b, teacher=world.other_teacher, counselor=world.counselor2)
    s = sitting(world)
    client = login(world.teacher)
    response = client.post(reverse("forums:item_add", args=[s.pk]), {"title": "", "case": ""})
    assert response.status_code == 400 and "title" in response.context["item_form"].errors
    response = client.post(reverse("forums:item_add", args=[s.pk]), {"title": "x", "case": case_b.pk})
    assert response.status_code == 400 and "case" in response.context["item_form"].errors
    assert not AgendaItem.objects.filter(kind=ItemKind.ADDED).exists()


# During and after: minutes, decision → action → task → done, recap ---------


def test_decision_becomes_an_action_on_the_task_list_and_is_done(world, login, mailoutbox):
    case = accepted_case(world)
    case.perspectives_to_discuss = True
    case.save()
    s = sitting(world, world.counselor, world.teacher, world.homeroom)
    item = s.items.get(case=case)
    client = login(world.counselor)
    client.post(
        reverse("forums:minutes", args=[s.pk]),
        {"item": item.pk, f"m{item.pk}-item": item.pk, f"m{item.pk}-minutes": "Views differ on homework."},
    )
    item.refresh_from_db()
    assert item.minutes == "Views differ on homework."
    due = timezone.localdate() + datetime.timedelta(days=7)
    data = {
        "item": item.pk,
        f"d{item.pk}-item": item.pk,
        f"d{item.pk}-description": "Call the guardian about homework",
        f"d{item.pk}-responsible": world.homeroom.pk,  # not on the team yet: added
        f"d{item.pk}-due_on": due.isoformat(),
    }
    response = client.post(reverse("forums:decision", args=[s.pk]), data)
    assert response.status_code == 302
    action = case.actions.get()
    assert action.responsible == world.homeroom and action.ends_on == due
    assert case.members.filter(user=world.homeroom).exists()
    tasks = login(world.homeroom).get(reverse("casework:tasks"))
    assert "Call the guardian about homework" in tasks.text
    casework.action_done(action=action, actor=world.homeroom)
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    # A bad decision: an error next to the field, nothing saved.
    bad = dict(data, **{f"d{item.pk}-due_on": "2020-01-01", f"d{item.pk}-description": "Late"})
    response = login(world.counselor).post(reverse("forums:decision", args=[s.pk]), bad)
    assert response.status_code == 400 and case.actions.count() == 1


def test_the_recap_in_the_app_and_its_neutral_emails(world, login, mailoutbox):
    case = accepted_case(world)
    casework.note_add(case=case, actor=world.counselor, body=SECRET)
    case.perspectives_to_discuss = True
    case.save()
    s = sitting(world, world.counselor, world.teacher, world.homeroom)
    item = s.items.get(case=case)
    services.decision_record(
        item=item,
        actor=world.counselor,
        description="Extra maths practice for Andi",
        responsible=world.teacher,
        due_on=timezone.localdate() + datetime.timedelta(days=5),
    )
    client = login(world.counselor)
    client.post(reverse("forums:attendance", args=[s.pk]), {"present": [world.counselor.pk, world.teacher.pk]})
    assert set(s.present.all()) == {world.counselor, world.teacher}
    early = client.post(reverse("forums:recap", args=[s.pk]), follow=True)
    assert "has not started yet" in early.text
    Sitting.objects.filter(pk=s.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=1))
    client.post(reverse("forums:recap", args=[s.pk]))
    s.refresh_from_db()
    assert s.is_held
    recap = login(world.teacher).get(s.get_absolute_url())
    assert "Extra maths practice for Andi" in recap.text and "Sri Wahyuni" in recap.text
    notes = Notification.objects.filter(kind=NotificationKind.FORUM_RECAP)
    assert {n.recipient for n in notes} == {world.teacher, world.homeroom}
    for note in notes:
        email = notification_email(note)
        outside = f"{email.subject} {email.text} {email.html} {whatsapp_text(note)} {note.label}"
        for private in ["Andi", "Pratama", "Extra maths", SECRET, case.number]:
            assert private not in outside
        assert s.get_absolute_url() in outside
    for message in mail.outbox:
        assert "Andi" not in message.body and SECRET not in message.body
    # Sent once.
    again = login(world.counselor).post(reverse("forums:recap", args=[s.pk]), follow=True)
    assert "already sent" in again.text


def test_the_vice_principals_report(world, login):
    case = accepted_case(world)
    case.perspectives_to_discuss = True
    case.save()
    s = sitting(world, world.counselor, world.teacher)
    item = s.items.get(case=case)
    on_time = services.decision_record(
        item=item,
        actor=world.counselor,
        description="A",
        responsible=world.teacher,
        due_on=timezone.localdate() + datetime.timedelta(days=3),
    )
    services.decision_record(
        item=item,
        actor=world.counselor,
        description="B",
        responsible=world.teacher,
        due_on=timezone.localdate() + datetime.timedelta(days=3),
    )
    casework.action_done(action=on_time.action, actor=world.teacher)
    s.present.set([world.counselor])
    Sitting.objects.filter(pk=s.pk).update(recap_sent_at=timezone.now())
    page = login(world.vp).get(reverse("forums:list"))
    report = page.context["report"]
    assert report["held"] == 1 and report["attendance"] == 50
    assert (report["decisions"], report["on_time"], report["pending"]) == (2, 1, 1)
    assert "Forum report" in page.text
    assert login(world.teacher).get(reverse("forums:list")).context["report"] is None


def test_query_counts_do_not_grow(world, login, django_assert_num_queries):
    first = accepted_case(world)
    first.perspectives_to_discuss = True
    first.save()
    s = sitting(world)  # one item, about one case
    client = login(world.counselor)
    client.get(s.get_absolute_url())
    client.get(reverse("forums:list"))

    def count(url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    detail_one, list_one = count(s.get_absolute_url()), count(reverse("forums:list"))
    for student in [f.StudentFactory(school=world.school, classroom=world.class_a) for _ in range(4)]:
        case = accepted_case(world, student=student)
        case.perspectives_to_discuss = True
        case.save()
        services.item_add(sitting=s, actor=world.counselor, title="t", case=case)
    services.agenda_build(sitting=s, actor=world.counselor)
    for _ in range(3):
        sitting(world)
    assert count(s.get_absolute_url()) == detail_one
    assert count(reverse("forums:list")) == list_one
    # session, user, memberships, savepoint, the sitting, attendees, present,
    # items, their decisions, hidden count, case teams, cases for the item
    # form, the bell, release savepoint
    with django_assert_num_queries(14):
        client.get(s.get_absolute_url())
    with django_assert_num_queries(list_one):
        client.get(reverse("forums:list"))


def test_nobody_outside_reaches_a_sitting(world, login):
    s = sitting(world)
    assert login(world.outsider).get(s.get_absolute_url()).status_code == 404
    assert login(world.admin).get(reverse("forums:list")).status_code == 403


def test_services_refuse_the_wrong_person(world):
    from django.core.exceptions import PermissionDenied

    s = sitting(world)
    item = AgendaItem.objects.create(sitting=s, kind=ItemKind.ADDED, title="x")
    with pytest.raises(PermissionDenied):
        services.minutes_save(item=item, actor=Actor(world.teacher), minutes="x")
    with pytest.raises(PermissionDenied):
        services.recap_send(sitting=s, actor=world.teacher)
    with pytest.raises(PermissionDenied):
        services.item_add(sitting=s, actor=world.other_teacher, title="x")


def test_the_morning_job_brings_the_agenda_up_to_date_and_reminds_once(world):
    from notifications.reminders import send_reminders

    tomorrow_at_one = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate() + datetime.timedelta(days=1), datetime.time(13))
    )
    s = sitting(world, when=tomorrow_at_one)
    assert not s.items.exists()
    case = accepted_case(world)
    case.perspectives_to_discuss = True
    case.save()
    counts = send_reminders()
    assert s.items.filter(case=case, kind=ItemKind.PERSPECTIVES_DIFFER).exists()
    assert counts["forums"] == 3  # each participant: the counselor, the teacher, the homeroom teacher
    assert send_reminders()["forums"] == 0


def test_a_cancelled_forum_leaves_the_calendars_and_frees_the_time(world, login):
    from icalendar import Calendar

    s = sitting(world, world.counselor, world.teacher)
    first = Calendar.from_ical(login(world.teacher).get(reverse("forums:ics", args=[s.pk])).content)
    assert login(world.teacher).post(reverse("forums:cancel", args=[s.pk])).status_code == 403
    response = login(world.counselor).post(reverse("forums:cancel", args=[s.pk]), follow=True)
    assert "The forum was cancelled" in response.text
    s.refresh_from_db()
    assert s.is_cancelled and s.sequence == 1
    note = Notification.objects.get(recipient=world.teacher, kind=NotificationKind.FORUM_CANCELLED)
    from notifications.attachments import attachment_for

    _name, text, _mime = attachment_for(note)
    cancel = Calendar.from_ical(text)
    assert cancel["METHOD"] == "CANCEL"
    event, invited = cancel.walk("VEVENT")[0], first.walk("VEVENT")[0]
    assert event["UID"] == invited["UID"] and event["SEQUENCE"] > invited["SEQUENCE"]
    # Nothing more happens to it, and it no longer makes anyone busy.
    again = login(world.counselor).post(reverse("forums:item_add", args=[s.pk]), {"title": "x"})
    assert again.status_code == 400
    from forums.selectors import sittings_busy

    assert (
        sittings_busy(
            school=world.school,
            user_ids=[world.teacher.pk],
            since=timezone.now(),
            until=timezone.now() + datetime.timedelta(days=30),
        )
        == {}
    )


@time_machine.travel(MONDAY, tick=False)
def test_a_forum_moved_to_another_proposed_time_updates_the_same_calendar_event(world, login):
    from icalendar import Calendar

    from notifications.attachments import attachment_for

    f.bell_schedule(world.term)
    forum(world, world.counselor, world.teacher)
    client = login(world.counselor)
    client.post(reverse("forums:schedule"), {"starts_at": "2026-12-07T07:00"})
    s = Sitting.objects.get()
    page = client.get(reverse("forums:schedule"), {"move": s.pk})
    assert page.context["moving"] == s and f'name="move" value="{s.pk}"' in page.text
    response = client.post(reverse("forums:schedule"), {"starts_at": "2026-12-08T09:00", "move": s.pk})
    assert response.status_code == 302
    s.refresh_from_db()
    assert timezone.localtime(s.starts_at) == datetime.datetime(2026, 12, 8, 9, 0, tzinfo=JAKARTA)
    assert s.sequence == 1 and Sitting.objects.count() == 1
    notes = Notification.objects.filter(recipient=world.teacher, kind=NotificationKind.FORUM_SCHEDULED).order_by("id")
    first, moved = (Calendar.from_ical(attachment_for(n)[1]) for n in notes)
    assert moved.walk("VEVENT")[0]["UID"] == first.walk("VEVENT")[0]["UID"]
    assert moved.walk("VEVENT")[0]["SEQUENCE"] == 1 and moved["METHOD"] == "REQUEST"
    # Someone else's sitting, or nonsense, is not found.
    assert client.get(reverse("forums:schedule"), {"move": 999}).status_code == 404
