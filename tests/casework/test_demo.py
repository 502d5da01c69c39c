import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from casework.models import (
    ActionStatus,
    Case,
    CaseStatus,
    ConfidentialNote,
    EntryKind,
    EvaluationEntry,
    Goal,
    Meeting,
)
from casework.services import OPEN_ACTION_STATUSES
from demo import casework as demo
from referrals.models import Referral
from roster.models import School

pytestmark = pytest.mark.django_db


def _counts(school):
    return {
        "cases": Case.objects.for_school(school).count(),
        "goals": Goal.objects.filter(case__school=school).count(),
        "entries": EvaluationEntry.objects.filter(case__school=school).count(),
        "meetings": Meeting.objects.filter(case__school=school).count(),
    }


def _assert_every_status(school):
    statuses = set(Case.objects.for_school(school).values_list("status", flat=True))
    assert statuses == set(CaseStatus.values)
    closed = Case.objects.for_school(school).filter(status=CaseStatus.CLOSED)
    assert all(c.outcome for c in closed)
    assert all(c.entries.filter(is_final=True).exists() for c in closed)
    assert Case.objects.for_school(school).filter(events__kind="reopened").exists()
    entries = EvaluationEntry.objects.filter(case__school=school)
    assert entries.filter(measured_value__isnull=False).values("date").distinct().count() >= 3
    assert entries.filter(author__username="teacher", measured_value__isnull=False).exists()
    assert entries.filter(author__username="homeroom", measured_value__isnull=False).exists()
    assert Meeting.objects.filter(case__school=school).exclude(minutes="").exists()
    assert ConfidentialNote.objects.filter(case__school=school).exists()
    # Every demo referral names at least one concern, as the form requires.
    assert not Referral.objects.for_school(school).filter(categories=None).exists()
    # Demo staff have (made-up) WhatsApp numbers, so the click-to-chat buttons show.
    assert not User.objects.filter(memberships__school=school, whatsapp="").exists()


def _assert_each_status_has_its_story(school):
    """Where the demo's stories say so, per status: an open case has a first
    goal but no action (that keeps it open), a case conference ahead and an
    observation; a case past open has a plan with actions, a meeting with
    minutes and measured entries; a closed one its final evaluation."""
    now = timezone.now()
    cases = Case.objects.for_school(school)
    by_status = {status: list(cases.filter(status=status)) for status in CaseStatus.values}
    assert all(by_status.values()), by_status
    for case in by_status[CaseStatus.OPEN]:
        assert case.goals.exists(), case
        assert not case.actions.exists(), case
        assert case.meetings.filter(starts_at__gt=now).exists(), case
        assert case.entries.filter(kind=EntryKind.OBSERVATION).exists(), case
    for status in (CaseStatus.ACTIVE, CaseStatus.MONITORING, CaseStatus.CLOSED):
        for case in by_status[status]:
            assert case.goals.exists() and case.actions.exists(), (status, case)
            assert case.meetings.exclude(minutes="").exists(), (status, case)
            assert case.entries.filter(measured_value__isnull=False).exists(), (status, case)
    # Active cases have work still to do and a meeting ahead; monitoring ones
    # have some of it done; closed ones their plan's actions done and a final evaluation.
    for case in by_status[CaseStatus.ACTIVE]:
        assert case.actions.filter(status__in=OPEN_ACTION_STATUSES).exists(), case
        assert case.meetings.filter(starts_at__gt=now).exists(), case
    for case in by_status[CaseStatus.MONITORING]:
        assert case.actions.filter(status=ActionStatus.DONE).exists(), case
    for case in by_status[CaseStatus.CLOSED]:
        assert case.actions.filter(status=ActionStatus.DONE).exists(), case
        assert case.entries.filter(is_final=True).exists(), case


def test_seed_demo_gives_cases_in_every_status_once(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    school = School.objects.get()
    _assert_every_status(school)
    _assert_each_status_has_its_story(school)
    first = _counts(school)
    call_command("seed_demo")
    assert _counts(school) == first


def test_demo_enriches_the_cases_the_referrals_demo_opened(settings):
    settings.DEBUG = True
    from demo import referrals as referrals_demo
    from demo.roster import seed_school

    school, _created = seed_school(1)
    referrals_demo.seed(school)
    opened_by_referrals = set(Case.objects.for_school(school).values_list("id", flat=True))
    demo.seed(school)
    _assert_every_status(school)
    _assert_each_status_has_its_story(school)
    assert Goal.objects.filter(case_id__in=opened_by_referrals).exists()
