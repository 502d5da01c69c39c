"""Every event, who hears of it, and what leaves the app.

The story runs through the referral and casework services the way the pages
do, with sentinel strings planted in everything sensitive about the student
(name, guardian, observation, what was tried, the teacher's view, questions and
answers, the decline reason, the case summary and assessment, goals, actions,
meeting agenda, evaluation notes, confidential notes). Every email (subject,
text, HTML, attachments) and every WhatsApp message sent is then checked for
them, and so are the morning's reminders and a daily digest.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.core import mail
from django.utils import timezone

from accounts.policy import Actor
from casework import services as casework
from casework.models import EntryKind, EvaluationEntry, MeetingKind, Outcome
from notifications import reminders, services
from notifications.models import Delivery, DeliveryStatus, Notification, NotificationKind, NotificationPreference
from referrals import services as referrals
from referrals.models import Referral, Urgency
from referrals.services import ensure_default_categories

SENTINEL = "SENTINEL"


def _category(school):
    ensure_default_categories(school)
    return list(school.concern_categories.filter(code__in=["low_achievement", "emotional"]))


def _file(world, student, urgency=Urgency.ROUTINE, by=None):
    return referrals.referral_submit(
        school=world.school,
        actor=by or world.teacher,
        student=student,
        categories=_category(world.school),
        observation=f"{SENTINEL}-OBSERVATION cries in class, parents divorcing",
        observed_since="weeks",
        already_tried=f"{SENTINEL}-TRIED",
        teacher_view=f"{SENTINEL}-VIEW",
        subject=world.maths,
        urgency=urgency,
    )


def _kinds(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


@pytest.fixture
def people(world, fake_whatsapp):
    """Everyone has an email address and a WhatsApp number."""
    for index, user in enumerate(
        [world.teacher, world.homeroom, world.counselor, world.counselor2, world.vp, world.other_teacher]
    ):
        user.whatsapp = f"+62812345678{index:02d}"
        user.save()
    world.student_a.full_name = f"Zaskia {SENTINEL}-NAME"
    world.student_a.guardian_name = f"{SENTINEL}-GUARDIAN"
    world.student_a.save()
    return world


@pytest.fixture
def story(people, django_capture_on_commit_callbacks, fake_whatsapp):
    """From a referral to a closed case, with every notification delivered."""
    w = people
    teacher, counselor = Actor(w.teacher), Actor(w.counselor)
    s = SimpleNamespace()
    with django_capture_on_commit_callbacks(execute=True):
        s.urgent = _file(w, w.student_a, urgency=Urgency.URGENT)
        referrals.referral_ask_info(referral=s.urgent, actor=w.counselor, message=f"{SENTINEL}-ASK since when?")
        referrals.referral_resubmit(referral=s.urgent, actor=w.teacher, message=f"{SENTINEL}-RESUBMIT two weeks")
        s.urgent = casework.referral_accept(referral=s.urgent, actor=w.counselor, message=f"{SENTINEL}-ACCEPT")
        s.case = s.urgent.case
        s.second = _file(w, w.student_a, by=w.homeroom)
        casework.referral_accept(referral=s.second, actor=w.counselor, message=f"{SENTINEL}-JOIN")
        s.declined = _file(w, w.student_b, by=w.other_teacher)
        referrals.referral_decline(referral=s.declined, actor=w.counselor2, reason=f"{SENTINEL}-DECLINE")

        casework.case_update_texts(
            case=s.case,
            actor=w.counselor,
            version=s.case.version,
            summary=f"{SENTINEL}-SUMMARY",
            counselor_assessment=f"{SENTINEL}-ASSESSMENT",
        )
        casework.note_add(case=s.case, actor=w.counselor, body=f"{SENTINEL}-CONFIDENTIAL")
        casework.case_add_member(case=s.case, user=w.vp, role="vice_principal", actor=w.counselor)
        goal = casework.goal_add(case=s.case, actor=w.counselor, statement=f"{SENTINEL}-GOAL", indicator="score")
        casework.action_add(
            case=s.case, actor=w.counselor, description=f"{SENTINEL}-ACTION", responsible=w.teacher, goal=goal
        )
        s.meeting = casework.meeting_schedule(
            case=s.case,
            actor=w.counselor,
            kind=MeetingKind.CASE_CONFERENCE,
            starts_at=timezone.now() + datetime.timedelta(days=2),
            duration_minutes=45,
            place="Ruang BK",
            attendees=[w.counselor, w.teacher, w.homeroom],
            agenda=f"{SENTINEL}-AGENDA",
        )
        s.meeting.refresh_from_db()
        casework.meeting_update(
            meeting=s.meeting,
            actor=w.counselor,
            sequence=s.meeting.sequence,
            attendees=[w.counselor, w.teacher, w.homeroom, w.vp],
            place="Ruang rapat",
            agenda=f"{SENTINEL}-AGENDA2",
        )
        casework.entry_add(
            case=s.case,
            actor=teacher,
            kind=EntryKind.PROGRESS_CHECK,
            date=timezone.localdate(),
            goal=goal,
            note=f"{SENTINEL}-ENTRY",
        )
        casework.case_close(case=s.case, actor=counselor, outcome=Outcome.IMPROVED, final_note=f"{SENTINEL}-FINAL")
    s.whatsapp = fake_whatsapp.requests
    return s


def test_referral_submitted_tells_the_counselor_covering_the_class(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        referral = _file(world, world.student_a)
    assert _kinds(world.counselor) == [NotificationKind.REFERRAL_SUBMITTED]
    assert _kinds(world.counselor2) == [] and _kinds(world.vp) == [] and _kinds(world.teacher) == []
    notification = Notification.objects.get(recipient=world.counselor)
    assert notification.url == f"/referrals/{referral.pk}/"
    assert [m.to for m in mailoutbox] == [[world.counselor.email]]


def test_an_urgent_referral_also_tells_the_vice_principal_at_once(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _file(world, world.student_b, urgency=Urgency.URGENT, by=world.other_teacher)
    assert _kinds(world.counselor2) == [NotificationKind.REFERRAL_URGENT]
    assert _kinds(world.vp) == [NotificationKind.REFERRAL_URGENT]
    assert _kinds(world.counselor) == []
    assert sorted(m.to[0] for m in mailoutbox) == sorted([world.counselor2.email, world.vp.email])
    assert all("An urgent referral was filed" in m.subject for m in mailoutbox)


def test_an_urgent_referral_is_emailed_at_once_to_people_who_chose_the_digest(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    for user in (world.counselor, world.counselor2, world.vp):
        NotificationPreference.objects.create(user=user, email_digest=True)
    with django_capture_on_commit_callbacks(execute=True):
        _file(world, world.student_a)  # routine: it waits for the counselor's digest
        _file(world, world.student_b, urgency=Urgency.URGENT, by=world.other_teacher)
    assert _kinds(world.counselor) == [NotificationKind.REFERRAL_SUBMITTED]
    assert sorted(m.to[0] for m in mailoutbox) == sorted([world.counselor2.email, world.vp.email])
    assert all("An urgent referral was filed" in m.subject for m in mailoutbox)


def test_a_class_without_a_counselor_tells_every_counselor(world, django_capture_on_commit_callbacks):
    world.class_b.counselor = None
    world.class_b.save()
    with django_capture_on_commit_callbacks(execute=True):
        _file(world, world.student_b, by=world.other_teacher)
    assert _kinds(world.counselor) == [NotificationKind.REFERRAL_SUBMITTED]
    assert _kinds(world.counselor2) == [NotificationKind.REFERRAL_SUBMITTED]


def test_the_referring_teacher_hears_of_every_triage_decision(story, world):
    assert NotificationKind.REFERRAL_NEEDS_INFO in _kinds(world.teacher)
    assert NotificationKind.REFERRAL_ACCEPTED in _kinds(world.teacher)
    assert NotificationKind.REFERRAL_JOINED_CASE in _kinds(world.homeroom)
    assert NotificationKind.REFERRAL_DECLINED in _kinds(world.other_teacher)
    # The counselor who asked hears that the teacher answered.
    assert NotificationKind.REFERRAL_RESUBMITTED in _kinds(world.counselor)


def test_the_case_team_hears_of_the_case(story, world):
    teacher = _kinds(world.teacher)
    assert NotificationKind.ADDED_TO_TEAM in teacher
    assert NotificationKind.ACTION_ASSIGNED in teacher
    assert NotificationKind.MEETING_SCHEDULED in teacher and NotificationKind.MEETING_CHANGED in teacher
    assert NotificationKind.CASE_CLOSED in teacher
    # The vice principal was added to the meeting when it changed.
    assert NotificationKind.MEETING_SCHEDULED in _kinds(world.vp)
    # Closed: the team and the referring teachers, not the one who closed it.
    closed = Notification.objects.filter(kind=NotificationKind.CASE_CLOSED).values_list(
        "recipient__username", flat=True
    )
    assert sorted(closed) == ["homeroom", "teacher", "vp"]
    # Nothing about this case reaches anyone outside it: counselor2 only
    # heard of the referral from the class they cover.
    assert _kinds(world.counselor2) == [NotificationKind.REFERRAL_SUBMITTED]


def test_meeting_emails_carry_a_calendar_invitation(story, world):
    invitations = [m for m in mail.outbox if m.to == [world.teacher.email] and "meeting" in m.subject.lower()]
    assert len(invitations) == 2  # scheduled, then changed
    for message in invitations:
        ((filename, text, mimetype),) = message.attachments
        assert filename.endswith(".ics") and mimetype == "text/calendar"
        assert "BEGIN:VEVENT" in text and story.case.number in text
        assert "The calendar invitation is attached." in message.body
    assert "SEQUENCE:1" in invitations[1].attachments[0][1]


def test_every_delivery_was_sent_once(story):
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    emails = Delivery.objects.filter(channel="email").count()
    assert len(mail.outbox) == emails
    assert len(story.whatsapp) == Delivery.objects.filter(channel="whatsapp").count()
    assert len(story.whatsapp) == Notification.objects.count()


def _assert_nothing_about_the_student(whatsapp):
    """Every email (subject, text, HTML, attachments) and WhatsApp message sent."""
    texts = []
    for message in mail.outbox:
        texts += [message.subject, message.body]
        texts += [content for content, _mimetype in message.alternatives]
        texts += [attachment[1] for attachment in message.attachments]
    texts += [request.json["text"]["body"] for request in whatsapp]
    assert texts
    for text in texts:
        assert SENTINEL not in text
        assert "Zaskia" not in text
        assert "cries" not in text
    # In the app, notifications name the record only.
    labels = Notification.objects.values_list("label", flat=True)
    assert labels
    for label in labels:
        assert SENTINEL not in label


def test_nothing_about_the_student_leaves_the_app(story, world):
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert len(kinds) >= 11, kinds
    _assert_nothing_about_the_student(story.whatsapp)


@pytest.fixture
def morning(people, django_capture_on_commit_callbacks, fake_whatsapp):
    """The morning's reminders and a digest about the same student: a
    follow-up due tomorrow and one overdue on her case, a second referral
    waiting for triage for three weeks (the vice principal, who reads a daily
    digest, hears of it there)."""
    w = people
    NotificationPreference.objects.create(user=w.vp, email_digest=True)
    with django_capture_on_commit_callbacks(execute=True):
        case = casework.referral_accept(
            referral=_file(w, w.student_a), actor=w.counselor, message=f"{SENTINEL}-ACCEPT"
        ).case
        waiting = _file(w, w.student_a, by=w.homeroom)
    Referral.objects.filter(pk=waiting.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=21))
    today = timezone.localdate()
    for days in (1, -2):
        EvaluationEntry.objects.create(
            case=case,
            author=w.teacher,
            date=today - datetime.timedelta(days=14),
            note=f"{SENTINEL}-FOLLOW-UP",
            next_follow_up=today + datetime.timedelta(days=days),
        )
    mail.outbox.clear()
    fake_whatsapp.requests.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_reminders(today=today)
    assert services.digests_enqueue() == 1
    return fake_whatsapp.requests


def test_reminders_and_digests_say_nothing_about_the_student(morning, world):
    reminded = Notification.objects.filter(
        kind__in=[NotificationKind.FOLLOW_UP_DUE, NotificationKind.FOLLOW_UP_OVERDUE, NotificationKind.REFERRAL_WAITING]
    )
    assert set(reminded.values_list("kind", flat=True)) == {
        NotificationKind.FOLLOW_UP_DUE,
        NotificationKind.FOLLOW_UP_OVERDUE,
        NotificationKind.REFERRAL_WAITING,
    }
    # Each reminder went out by email and WhatsApp, but the digest reader's by digest.
    sent = Delivery.objects.filter(notification__in=reminded, status=DeliveryStatus.SENT)
    assert sent.filter(channel="email").count() == reminded.exclude(recipient=world.vp).count() == 3
    assert len(morning) == reminded.count() == 4
    (digest,) = [m for m in mail.outbox if m.to == [world.vp.email]]
    assert "A referral is waiting for triage" in digest.body
    _assert_nothing_about_the_student(morning)


def test_whatsapp_messages_are_a_sentence_and_a_link(story, world):
    assert story.whatsapp
    for request in story.whatsapp:
        assert request.path == "/v21.0/1234567890/messages"
        assert request.headers["Authorization"] == "Bearer test-token"
        assert request.json["type"] == "text"
        body = request.json["text"]["body"]
        assert body.startswith("Sinergi")
        assert "http://127.0.0.1:8000/" in body
        assert len(body) < 200


def test_input_requested_tells_the_colleague(world, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        referral = _file(world, world.student_a)
        referrals.referral_request_input(referral=referral, actor=world.counselor, colleagues=[world.homeroom])
    assert _kinds(world.homeroom) == [NotificationKind.INPUT_REQUESTED]
    assert mailoutbox[-1].to == [world.homeroom.email]


def test_users_of_another_school_hear_nothing(story, world):
    assert not Notification.objects.filter(recipient=world.outsider).exists()
    assert set(Notification.objects.values_list("school", flat=True)) == {world.school.pk}
