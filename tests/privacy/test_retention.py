"""Retention: `apply_retention` (daily by beat) anonymises the records of
students who left school, after RETENTION_YEARS_AFTER_LEAVING; --dry-run
shows what it would do and changes nothing."""

import datetime
import io

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from accounts.policy import Actor
from audit.models import AuditEvent
from casework import services as casework
from casework.models import Action, Case, CaseEvent, CaseStatus, ConfidentialNote, EvaluationEntry, Goal, Meeting
from casework.models import Outcome as CaseOutcome
from privacy import services, tasks
from referrals.models import InputRequest, Referral, ReferralAttachment, ReferralEvent, Status
from roster.models import Student
from tests.privacy.factories import NOTE_SENTINEL, student_with_history

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.RETENTION_YEARS_AFTER_LEAVING = 5


def close(case, world):
    casework.case_close(
        case=case, actor=Actor(case.lead_counselor), outcome=CaseOutcome.IMPROVED, final_note="Caught up by June."
    )


def leave(student):
    Student.objects.filter(pk=student.pk).update(is_active=False)


@pytest.fixture
def left(world):
    """Andi left school; his case is closed; he has a declined referral with
    an attachment, a colleague's input and a confidential note."""
    case = student_with_history(world)
    InputRequest.objects.create(
        referral=case.referral, requested_from=world.homeroom, requested_by=world.counselor, note="Quiet in class."
    )
    close(case, world)
    leave(world.student_a)
    # Last active: the end of his last term, or today if later.
    last = max(world.term.ends_on, timezone.localdate())
    years = datetime.timedelta(days=5 * 365 + 2)
    case.due_at = timezone.make_aware(
        datetime.datetime.combine(last + years + datetime.timedelta(days=10), datetime.time(12))
    )
    case.not_yet_at = timezone.make_aware(
        datetime.datetime.combine(last + years - datetime.timedelta(days=10), datetime.time(12))
    )
    case.last_active = last
    return case


def run(*args):
    out = io.StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


def test_dry_run_shows_what_it_would_do_and_changes_nothing(world, left):
    attachment = left.declined.attachments.get()
    with time_machine.travel(left.due_at, tick=False):
        output = run("--dry-run")
    assert (
        f"Would anonymise student #{world.student_a.pk} (VII-A), last active {left.last_active.isoformat()}: "
        "2 referrals, 1 cases, 1 confidential notes, 1 attachments." in output
    )
    assert "Dry run: 1 student would be anonymised. Nothing was changed." in output
    assert "Andi Pratama" not in output  # ids, never names, in the output
    student = Student.objects.get(pk=world.student_a.pk)
    assert student.full_name == "Andi Pratama"
    assert ConfidentialNote.objects.count() == 1
    assert attachment.file.storage.exists(attachment.file.name)
    assert Referral.objects.get(pk=left.referral.pk).observation.startswith("Stops working")


def test_it_anonymises_a_student_who_left_after_the_period(world, left, login, django_capture_on_commit_callbacks):
    from forums.models import AgendaItem, ItemKind
    from forums.services import forum_for, sitting_schedule

    forum = forum_for(world.school)
    sitting = sitting_schedule(
        forum=forum, actor=world.counselor, starts_at=timezone.now() + datetime.timedelta(days=1)
    )
    forum_item = AgendaItem.objects.create(
        sitting=sitting, kind=ItemKind.ADDED, case=left, title="Andi needs a quiet seat", minutes="Andi Pratama: agreed"
    )
    attachment = left.declined.attachments.get()
    storage, file_name = attachment.file.storage, attachment.file.name
    audit_rows = AuditEvent.objects.count()
    pk = world.student_a.pk
    with time_machine.travel(left.due_at, tick=False), django_capture_on_commit_callbacks(execute=True):
        output = run()
    assert f"Anonymised student #{pk} (VII-A)" in output
    assert "1 student anonymised." in output

    student = Student.objects.get(pk=pk)
    assert student.full_name == f"Anonymised student {pk}"
    assert student.nisn == f"X{pk:09d}"
    assert (student.nis, student.birth_date, student.guardian_name, student.guardian_phone) == ("", None, "", "")
    # Kept for the school-wide reports.
    assert (student.gender, student.classroom, student.is_active) == ("L", world.class_a, False)

    assert not ConfidentialNote.objects.exists()
    assert not ReferralAttachment.objects.exists()
    assert not storage.exists(file_name)

    accepted, declined = Referral.objects.filter(student=student).order_by("id")
    assert accepted.observation == declined.observation == "[removed]"
    assert (declined.status, declined.decline_reason, declined.latest_feedback) == (Status.DECLINED, "[removed]", "")
    assert accepted.subject == world.maths and accepted.urgency == "routine"
    assert set(ReferralEvent.objects.values_list("message", flat=True)) == {""}
    assert set(InputRequest.objects.values_list("note", flat=True)) == {""}

    case = Case.objects.get(pk=left.pk)
    assert (case.status, case.outcome, case.summary) == (CaseStatus.CLOSED, CaseOutcome.IMPROVED, "")
    assert case.closed_at is not None
    assert set(CaseEvent.objects.filter(case=case).values_list("message", flat=True)) == {""}
    goal = Goal.objects.get(case=case)
    assert (goal.statement, goal.indicator, goal.baseline, goal.target) == ("[removed]", "[removed]", 55, 70)
    assert Action.objects.get(case=case).description == "[removed]"
    assert Meeting.objects.get(case=case).agenda == ""
    forum_item.refresh_from_db()
    assert (forum_item.title, forum_item.minutes) == ("", "")
    entries = EvaluationEntry.objects.filter(case=case)
    assert set(entries.values_list("note", flat=True)) == {""}
    assert entries.filter(measured_value=58).exists() and entries.filter(is_final=True).exists()

    # The audit trail is kept, and the anonymised case still opens.
    assert AuditEvent.objects.count() == audit_rows
    text = login(world.counselor).get(reverse("casework:detail", args=[case.pk])).text
    assert f"Anonymised student {pk}" in text and "Andi Pratama" not in text and NOTE_SENTINEL not in text


def test_a_second_run_does_nothing(world, left):
    with time_machine.travel(left.due_at, tick=False):
        run()
        assert "0 students anonymised." in run()
        assert "Dry run: 0 students would be anonymised." in run("--dry-run")


def test_not_before_the_period_is_over(world, left):
    with time_machine.travel(left.not_yet_at, tick=False):
        assert "Dry run: 0 students" in run("--dry-run")
        assert "0 students anonymised." in run()
    assert Student.objects.get(pk=world.student_a.pk).full_name == "Andi Pratama"


def test_the_period_is_a_setting(world, left, settings):
    settings.RETENTION_YEARS_AFTER_LEAVING = 10
    with time_machine.travel(left.due_at, tick=False):
        assert "0 students anonymised." in run()


def test_students_still_at_school_are_kept(world, left):
    Student.objects.filter(pk=world.student_a.pk).update(is_active=True)
    with time_machine.travel(left.due_at, tick=False):
        assert "0 students anonymised." in run()


def test_students_with_an_open_case_are_kept(world, left):
    Case.objects.filter(pk=left.pk).update(status=CaseStatus.MONITORING, outcome="")
    with time_machine.travel(left.due_at, tick=False):
        assert "0 students anonymised." in run()
    assert ConfidentialNote.objects.count() == 1


def test_students_with_a_referral_waiting_for_triage_are_kept(world, left):
    Referral.objects.filter(pk=left.declined.pk).update(status=Status.SUBMITTED, decline_reason="")
    with time_machine.travel(left.due_at, tick=False):
        assert "0 students anonymised." in run()


def test_one_school_only(world, left):
    other = student_with_history(world, student=world.student_b)
    close(other, world)
    leave(world.student_b)
    with time_machine.travel(left.due_at, tick=False):
        output = run("--school", world.other_school.npsn)
        assert "0 students anonymised." in output
        output = run("--school", world.school.npsn)
    assert "2 students anonymised." in output
    assert not Student.objects.filter(full_name__in=["Andi Pratama", "Sekar"]).exists()
    assert Student.objects.get(pk=world.other_student.pk).full_name == "Orang Lain"


def test_an_unknown_school_is_an_error(world):
    with pytest.raises(CommandError, match="No school has the NPSN 99999999."):
        run("--school", "99999999")


def test_a_student_who_left_without_any_dated_record_is_left_alone(world):
    Student.objects.filter(pk=world.student_a.pk).update(is_active=False)
    world.student_a.enrollments.all().delete()
    assert services.retention_due(now=timezone.now() + datetime.timedelta(days=365 * 50)) == []


def test_beat_runs_it_daily(world, left):
    schedule = django_settings.CELERY_BEAT_SCHEDULE["privacy-retention"]
    assert schedule["task"] == "privacy.tasks.apply_retention"
    with time_machine.travel(left.due_at, tick=False):
        assert tasks.apply_retention() == 1
    assert Student.objects.get(pk=world.student_a.pk).full_name.startswith("Anonymised student")


def test_anonymised_nisn_is_unique_and_never_a_real_nisn():
    assert services.anonymised_nisn(7) == "X000000007"
    assert services.anonymised_nisn(123456789) == "X123456789"
    big = services.anonymised_nisn(10**9 + 5)
    assert len(big) == 10 and big.startswith("X") and big != services.anonymised_nisn(5)
