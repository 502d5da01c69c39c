import datetime
import zoneinfo

import pytest

from casework.models import Case, CaseStatus, EvaluationEntry
from notifications import reminders, tasks
from notifications.models import Delivery, Notification, NotificationKind
from referrals.models import Referral, Status
from roster.models import Holiday

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
# A Wednesday; the school works Monday to Friday.
TODAY = datetime.date(2026, 9, 16)


def _case(world, status=CaseStatus.ACTIVE):
    return Case.objects.create(
        school=world.school,
        year=2026,
        sequence=1,
        student=world.student_a,
        lead_counselor=world.counselor,
        status=status,
        outcome="resolved" if status == CaseStatus.CLOSED else "",
    )


def _entry(case, author, next_follow_up, done=False):
    return EvaluationEntry.objects.create(
        case=case,
        author=author,
        date=TODAY - datetime.timedelta(days=14),
        note="private observation",
        next_follow_up=next_follow_up,
        follow_up_done_at=datetime.datetime(2026, 9, 1, tzinfo=JAKARTA) if done else None,
    )


def _referral(world, submitted_on, student=None, status=Status.SUBMITTED, by=None, school=None):
    referral = Referral.objects.create(
        school=school or world.school,
        student=student or world.student_a,
        referred_by=by or world.teacher,
        observation="private observation",
        observed_since="weeks",
        status=status,
        decline_reason="Not a learning difficulty." if status == Status.DECLINED else "",
    )
    submitted_at = datetime.datetime.combine(submitted_on, datetime.time(10, 0), tzinfo=JAKARTA)
    Referral.objects.filter(pk=referral.pk).update(submitted_at=submitted_at)
    referral.refresh_from_db()
    return referral


def _reminders(**filters):
    return sorted(Notification.objects.filter(**filters).values_list("recipient__username", "kind", "label").order_by())


# Follow-ups.


def test_a_follow_up_due_tomorrow_reminds_its_author(world):
    case = _case(world)
    _entry(case, world.teacher, TODAY + datetime.timedelta(days=1))
    reminders.send_reminders(today=TODAY)
    assert _reminders() == [("teacher", NotificationKind.FOLLOW_UP_DUE, case.number)]
    assert Notification.objects.get().url == f"/cases/{case.pk}/"


def test_an_overdue_follow_up_reminds_its_author_once_a_day(world):
    case = _case(world)
    _entry(case, world.counselor, TODAY - datetime.timedelta(days=3))
    reminders.send_reminders(today=TODAY)
    reminders.send_reminders(today=TODAY)
    assert _reminders() == [("counselor", NotificationKind.FOLLOW_UP_OVERDUE, case.number)]
    reminders.send_reminders(today=TODAY + datetime.timedelta(days=1))
    assert Notification.objects.filter(kind=NotificationKind.FOLLOW_UP_OVERDUE).count() == 2


@pytest.mark.parametrize(
    "setup",
    [
        lambda w, c: _entry(c, w.teacher, TODAY + datetime.timedelta(days=2)),  # not yet
        lambda w, c: _entry(c, w.teacher, TODAY),  # due today: reminded yesterday
        lambda w, c: _entry(c, w.teacher, TODAY - datetime.timedelta(days=1), done=True),  # done
        lambda w, c: _entry(c, w.teacher, None),  # no follow-up planned
    ],
)
def test_no_reminder_for_follow_ups_not_due_or_done(world, setup):
    setup(world, _case(world))
    reminders.send_reminders(today=TODAY)
    assert _reminders() == []


def test_no_reminder_on_a_closed_case(world):
    case = _case(world, status=CaseStatus.CLOSED)
    _entry(case, world.teacher, TODAY - datetime.timedelta(days=1))
    reminders.send_reminders(today=TODAY)
    assert _reminders() == []


def test_reminders_are_delivered_like_any_notification(world, mailoutbox, django_capture_on_commit_callbacks):
    _entry(_case(world), world.teacher, TODAY + datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_reminders(today=TODAY)
    assert Delivery.objects.get().status == "sent"
    assert mailoutbox[0].to == [world.teacher.email]
    assert "A follow-up is due" in mailoutbox[0].subject
    assert "private observation" not in mailoutbox[0].body


# Referrals waiting for triage.


def test_a_referral_waiting_more_than_three_school_days_reminds_the_covering_counselor(world):
    referral = _referral(world, datetime.date(2026, 9, 10))  # Thursday: 4 school days ago
    reminders.send_reminders(today=TODAY)
    assert _reminders() == [("counselor", NotificationKind.REFERRAL_WAITING, f"#{referral.pk}")]
    assert Notification.objects.get().url == f"/referrals/{referral.pk}/"


def test_more_than_five_school_days_also_reminds_the_vice_principal(world):
    _referral(world, datetime.date(2026, 9, 8))  # Tuesday of last week: 6 school days
    reminders.send_reminders(today=TODAY)
    assert [r[:2] for r in _reminders()] == [
        ("counselor", NotificationKind.REFERRAL_WAITING),
        ("vp", NotificationKind.REFERRAL_WAITING),
    ]


def test_weekends_and_holidays_are_not_school_days(world):
    _referral(world, datetime.date(2026, 9, 11))  # Friday: Mon, Tue, Wed = 3
    thursday = _referral(world, datetime.date(2026, 9, 10), student=world.student_b)
    Holiday.objects.create(school=world.school, date=datetime.date(2026, 9, 14), name="Libur")
    reminders.send_reminders(today=TODAY)
    assert _reminders() == []
    Holiday.objects.all().delete()
    reminders.send_reminders(today=TODAY)
    assert _reminders() == [("counselor2", NotificationKind.REFERRAL_WAITING, f"#{thursday.pk}")]


def test_each_threshold_reminds_once(world):
    _referral(world, datetime.date(2026, 9, 10))
    reminders.send_reminders(today=TODAY)
    reminders.send_reminders(today=TODAY + datetime.timedelta(days=1))  # 5 school days: not more than 5
    assert len(_reminders()) == 1
    reminders.send_reminders(today=TODAY + datetime.timedelta(days=2))  # Friday: 6
    reminders.send_reminders(today=TODAY + datetime.timedelta(days=5))  # Monday: 7
    assert [r[:2] for r in _reminders()] == [
        ("counselor", NotificationKind.REFERRAL_WAITING),
        ("counselor", NotificationKind.REFERRAL_WAITING),
        ("vp", NotificationKind.REFERRAL_WAITING),
    ]


def test_a_resubmitted_referral_starts_its_clock_again(world):
    referral = _referral(world, datetime.date(2026, 9, 3))
    reminders.send_reminders(today=datetime.date(2026, 9, 9))
    assert len(_reminders()) == 1
    Referral.objects.filter(pk=referral.pk).update(submitted_at=datetime.datetime(2026, 9, 10, 9, 0, tzinfo=JAKARTA))
    reminders.send_reminders(today=TODAY)
    assert len(_reminders()) == 2


def test_without_a_covering_counselor_every_counselor_is_reminded(world):
    world.class_a.counselor = None
    world.class_a.save()
    _referral(world, datetime.date(2026, 9, 10))
    reminders.send_reminders(today=TODAY)
    assert [r[0] for r in _reminders()] == ["counselor", "counselor2"]


@pytest.mark.parametrize("status", [Status.NEEDS_INFO, Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN])
def test_only_referrals_waiting_for_triage_remind(world, status):
    _referral(world, datetime.date(2026, 9, 1), status=status)
    reminders.send_reminders(today=TODAY)
    assert _reminders() == []


def test_each_school_s_reminders_go_to_its_own_staff(world):
    _referral(
        world,
        datetime.date(2026, 9, 8),
        school=world.other_school,
        student=world.other_student,
        by=world.outsider,
    )
    reminders.send_reminders(today=TODAY)
    # The outsider covers the class and is also the vice principal there: told once per threshold.
    assert [r[0] for r in _reminders()] == ["outsider"]
    assert Notification.objects.get().school == world.other_school


def test_the_beat_task_runs_the_reminders(world, settings):
    _entry(_case(world), world.teacher, datetime.date(2000, 1, 1))
    assert tasks.send_reminders.delay().get() == {"follow_ups": 1, "waiting_referrals": 0, "forums": 0}
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["notifications-reminders"]["task"] == "notifications.tasks.send_reminders"
    assert schedule["notifications-sweep"]["schedule"] == 60.0
    assert schedule["notifications-digests"]["task"] == "notifications.tasks.send_daily_digests"
