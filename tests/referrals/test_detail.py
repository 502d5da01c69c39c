import pytest
from django.urls import reverse

from casework.services import case_open
from referrals import services
from referrals.models import Since, Urgency
from tests.referrals.factories import category

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(world):
    return services.referral_submit(
        school=world.school,
        actor=world.teacher,
        student=world.student_a,
        categories=[category(world.school), category(world.school, "attention")],
        observation="Stops working after ten minutes.",
        observed_since=Since.WEEKS,
        teacher_view="Has not understood fractions.",
        urgency=Urgency.PRIORITY,
    )


def url(referral):
    return reverse("referrals:detail", args=[referral.pk])


def test_anonymous_is_sent_to_sign_in(client, referral):
    response = client.get(url(referral))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("teacher", 200),  # the referrer
        ("counselor", 200),
        ("counselor2", 200),  # counselors see the school's referrals
        ("vp", 200),
        ("homeroom", 404),  # a teacher who is not the referrer, even of the class
        ("other_teacher", 404),
        ("admin", 404),  # no case content for the school admin
        ("outsider", 404),  # another school
    ],
)
def test_who_may_see_a_referral(login, world, referral, who, status):
    assert login(getattr(world, who)).get(url(referral)).status_code == status


def test_unknown_id_is_404(login, world):
    assert login(world.counselor).get(reverse("referrals:detail", args=[999999])).status_code == 404


def test_referrer_sees_the_referral_the_timeline_and_can_withdraw(login, world, referral):
    response = login(world.teacher).get(url(referral))
    text = response.text
    assert text.count("<h1") == 1
    assert "Referral for Andi Pratama" in text
    assert "Stops working after ten minutes." in text
    assert "Low achievement" in text and "Attention / concentration" in text
    assert "Has not understood fractions." in text
    assert "Priority" in text and "Submitted" in text
    assert "Referral filed" in text and "Sri Wahyuni" in text  # timeline: what, who
    assert "Waiting for a counselor for 0 school days" in text
    assert reverse("referrals:withdraw", args=[referral.pk]) in text
    assert reverse("casework:accept_referral", args=[referral.pk]) not in text


def test_counselor_sees_the_triage_forms(login, world, referral):
    text = login(world.counselor).get(url(referral)).text
    for name in ("casework:accept_referral", "referrals:ask", "referrals:decline", "referrals:request_input"):
        assert reverse(name, args=[referral.pk]) in text
    assert reverse("referrals:withdraw", args=[referral.pk]) not in text
    assert "Accepting opens a new case for the student." in text
    # Lead counselor defaults to the one looking; only the school's counselors.
    assert f'<option value="{world.counselor.pk}" selected>' in text
    assert world.outsider.get_full_name() not in text
    # Colleagues to ask: the homeroom teacher (who teaches Bahasa Indonesia), not the referrer.
    assert "Bambang Sutrisno · Bahasa Indonesia, homeroom teacher" in text


def test_counselor_sees_the_open_case_it_would_join(login, world, referral):
    case = case_open(student=world.student_a, lead_counselor=world.counselor2, actor=world.counselor2)
    text = login(world.counselor).get(url(referral)).text
    assert "already has an open case" in text
    assert f"Case {case.number}" in text
    assert "Accept into the open case" in text
    assert 'name="lead_counselor"' not in text


def test_vice_principal_reads_without_acting(login, world, referral):
    text = login(world.vp).get(url(referral)).text
    assert "Stops working after ten minutes." in text
    names = ("casework:accept_referral", "referrals:ask", "referrals:decline", "referrals:withdraw")
    for name in (*names, "referrals:request_input"):
        assert reverse(name, args=[referral.pk]) not in text


def test_the_referral_shows_colleagues_answers(login, world, referral):
    [request] = services.referral_request_input(referral=referral, actor=world.counselor, colleagues=[world.homeroom])
    services.input_answer(input_request=request, actor=world.homeroom, rating="struggling", note="Quiet and tired.")
    for user in (world.counselor, world.teacher):
        text = login(user).get(url(referral)).text
        assert "Colleagues&#x27; view" in text or "Colleagues' view" in text
        assert "Struggling" in text and "Quiet and tired." in text
