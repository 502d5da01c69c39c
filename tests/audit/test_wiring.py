"""Views of student records write their audit rows (one per view, download, change, export)."""

import pytest
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from casework.services import case_open
from referrals.models import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(world):
    from tests.referrals.factories import ReferralFactory

    return ReferralFactory(school=world.school, student=world.student_a, referred_by=world.teacher)


def _events(**filters):
    return list(AuditEvent.objects.filter(**filters).values_list("action", "object_type", "actor__username"))


def test_viewing_a_referral_is_audited(login, world, referral):
    login(world.counselor).get(reverse("referrals:detail", args=[referral.pk]))
    assert _events(referral_id=referral.pk) == [(AuditAction.VIEW, "referral", "counselor")]


def test_a_refused_referral_is_not_audited_as_a_view(login, world, referral):
    assert login(world.other_teacher).get(reverse("referrals:detail", args=[referral.pk])).status_code == 404
    assert _events(referral_id=referral.pk, action=AuditAction.VIEW) == []


def test_triage_decision_is_audited_as_a_change(login, world, referral):
    client = login(world.counselor)
    client.post(reverse("referrals:decline", args=[referral.pk]), {"reason": "Handled in class"})
    referral.refresh_from_db()
    assert referral.status == Status.DECLINED
    event = AuditEvent.objects.get(referral_id=referral.pk, action=AuditAction.CHANGE)
    assert event.detail == {"step": "decline"}
    assert event.ip == "127.0.0.1"


def test_case_view_change_and_calendar_are_audited(login, world):
    case = case_open(student=world.student_a, lead_counselor=world.counselor, actor=world.counselor)
    client = login(world.counselor)
    client.get(reverse("casework:detail", args=[case.pk]))
    client.get(reverse("casework:print", args=[case.pk]))
    client.post(reverse("casework:goal_add", args=[case.pk]), {"statement": "Maths score up", "indicator": "score"})
    actions = [a for a, _t, _u in _events(case_id=case.pk)]
    assert actions.count(AuditAction.VIEW) == 2
    assert AuditAction.CHANGE in actions


def test_report_export_is_audited(login, world):
    client = login(world.vp)
    response = client.get(reverse("reports:export") + "?format=csv&dataset=indicators")
    assert response.status_code == 200
    b"".join(response.streaming_content)
    assert _events(action=AuditAction.EXPORT) == [(AuditAction.EXPORT, "report", "vp")]
