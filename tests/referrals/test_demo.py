import pytest
from django.urls import reverse

from accounts.models import User
from casework.models import Case
from demo import referrals as demo
from demo.roster import seed_school
from referrals.models import EventKind, InputRequest, Referral, ReferralEvent, Status, Urgency

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    school, _created = seed_school(1)
    demo.seed(school)
    return school


def test_demo_referrals_in_every_state(school):
    referrals = Referral.objects.filter(school=school)
    assert 20 <= referrals.count() <= 30
    assert set(referrals.values_list("status", flat=True)) == set(Status.values)
    for username in ("teacher", "homeroom"):
        mine = referrals.filter(referred_by__username=username)
        assert {Status.SUBMITTED, Status.NEEDS_INFO, Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN} <= set(
            mine.values_list("status", flat=True)
        ), username
    counselor = User.objects.get(username="counselor")
    urgent_waiting = referrals.filter(
        status=Status.SUBMITTED, urgency=Urgency.URGENT, student__classroom__counselor=counselor
    )
    assert urgent_waiting.count() >= 2
    # Ages vary: filed over the last weeks.
    assert len({r.created_at.date() for r in referrals}) > 10


def test_accepted_referrals_have_real_cases_and_every_referral_a_timeline(school):
    for referral in Referral.objects.filter(school=school).prefetch_related("events", "categories"):
        kinds = [e.kind for e in referral.events.all()]
        assert kinds[0] == EventKind.SUBMITTED
        assert referral.categories.exists()
        if referral.status == Status.ACCEPTED:
            assert referral.case is not None
            assert referral.case.student_id == referral.student_id
            assert kinds[-1] in (EventKind.ACCEPTED, EventKind.JOINED_CASE)
        else:
            assert referral.case is None
        if referral.status == Status.DECLINED:
            assert referral.decline_reason
    assert Case.objects.filter(school=school).exists()
    assert ReferralEvent.objects.filter(kind=EventKind.JOINED_CASE).exists()
    assert InputRequest.objects.filter(answered_at__isnull=False).exists()
    assert InputRequest.objects.filter(answered_at__isnull=True, requested_from__username="teacher").exists()


def test_seed_is_idempotent(school):
    counts = (Referral.objects.count(), ReferralEvent.objects.count(), Case.objects.count())
    demo.seed(school)
    assert (Referral.objects.count(), ReferralEvent.objects.count(), Case.objects.count()) == counts


def test_demo_pages_work_for_the_fixed_sign_ins(school, client):
    client.force_login(User.objects.get(username="teacher"))
    assert client.get(reverse("referrals:list")).status_code == 200
    for referral in Referral.objects.filter(referred_by__username="teacher"):
        assert client.get(reverse("referrals:detail", args=[referral.pk])).status_code == 200
    counselor = User.objects.get(username="counselor")
    counselor.language = "en"  # demo users read Indonesian; this test reads English
    counselor.save(update_fields=["language"])
    client.force_login(counselor)
    response = client.get(reverse("referrals:triage"))
    assert response.status_code == 200
    assert any(r.overdue for r in response.context["rows"])
    assert "Urgent" in response.text
