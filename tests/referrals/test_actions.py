"""The POST-only actions on a referral: who may use them, and what happens
when the referral has moved on."""

import pytest
from django.urls import reverse

from casework import services as casework_services
from referrals import services
from referrals.models import EventKind, InputRequest, Referral, Since, Status

pytestmark = pytest.mark.django_db

ACTIONS = {
    "withdraw": {},
    "resubmit": {"message": "Since the first test."},
    "accept": {"message": ""},
    "ask": {"message": "Since when?"},
    "decline": {"reason": "Handled in class."},
    "request_input": {},
}
COUNSELOR_ACTIONS = ["accept", "ask", "decline", "request_input"]


@pytest.fixture
def referral(world):
    from tests.referrals.factories import category

    return services.referral_submit(
        school=world.school,
        actor=world.teacher,
        student=world.student_a,
        categories=[category(world.school)],
        observation="Stops working after ten minutes.",
        observed_since=Since.WEEKS,
    )


def url(name, referral):
    # Accepting a referral into a case is casework's (same path).
    url_name = "casework:accept_referral" if name == "accept" else f"referrals:{name}"
    return reverse(url_name, args=[referral.pk])


def data_for(name, world):
    data = dict(ACTIONS[name])
    if name == "accept":
        data["lead_counselor"] = world.counselor.pk
    if name == "request_input":
        data["colleagues"] = [world.homeroom.pk]
    return data


@pytest.mark.parametrize("name", list(ACTIONS))
def test_anonymous_is_sent_to_sign_in(client, referral, name):
    response = client.post(url(name, referral))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", list(ACTIONS))
def test_get_is_not_allowed(login, world, referral, name):
    assert login(world.counselor).get(url(name, referral)).status_code == 405


@pytest.mark.parametrize("name", list(ACTIONS))
@pytest.mark.parametrize("who", ["homeroom", "other_teacher", "admin", "outsider"])
def test_out_of_scope_users_get_404(login, world, referral, name, who):
    response = login(getattr(world, who)).post(url(name, referral), data_for(name, world))
    assert response.status_code == 404
    assert Referral.objects.get().status == Status.SUBMITTED


@pytest.mark.parametrize("name", COUNSELOR_ACTIONS)
@pytest.mark.parametrize("who", ["teacher", "vp"])
def test_triage_needs_a_counselor(login, world, referral, name, who):
    response = login(getattr(world, who)).post(url(name, referral), data_for(name, world))
    assert response.status_code == 403
    assert Referral.objects.get().status == Status.SUBMITTED
    assert not InputRequest.objects.exists()


@pytest.mark.parametrize("name", ["withdraw", "resubmit"])
@pytest.mark.parametrize("who", ["counselor", "vp"])
def test_only_the_referrer_withdraws_or_resubmits(login, world, referral, name, who):
    if name == "resubmit":
        services.referral_ask_info(referral=referral, actor=world.counselor, message="?")
    response = login(getattr(world, who)).post(url(name, referral), data_for(name, world))
    assert response.status_code == 403


def test_withdraw(login, world, referral):
    response = login(world.teacher).post(url("withdraw", referral), follow=True)
    assert "You withdrew the referral." in response.text
    assert "This referral was withdrawn by the teacher." in response.text
    assert Referral.objects.get().status == Status.WITHDRAWN


def test_withdraw_after_triage_says_what_happened(login, world, referral):
    casework_services.referral_accept(referral=referral, actor=world.counselor)
    response = login(world.teacher).post(url("withdraw", referral), follow=True)
    assert response.redirect_chain[-1][0] == reverse("referrals:detail", args=[referral.pk])
    assert "This referral has already been accepted." in response.text
    assert Referral.objects.get().status == Status.ACCEPTED


def test_decline_without_a_reason_is_a_field_error(login, world, referral):
    response = login(world.counselor).post(url("decline", referral), {"reason": "   "})
    assert response.status_code == 200
    assert "Give the teacher a reason for declining." in response.text
    assert Referral.objects.get().status == Status.SUBMITTED


def test_ask_without_a_message_is_a_field_error(login, world, referral):
    response = login(world.counselor).post(url("ask", referral), {"message": ""})
    assert "Write the question the teacher should answer." in response.text
    assert Referral.objects.get().status == Status.SUBMITTED


def test_resubmit_without_an_answer_is_a_field_error(login, world, referral):
    services.referral_ask_info(referral=referral, actor=world.counselor, message="Since when?")
    response = login(world.teacher).post(url("resubmit", referral), {"message": ""})
    assert "Write your answer to the counselor&#x27;s question." in response.text
    assert Referral.objects.get().status == Status.NEEDS_INFO


def test_accept_with_a_lead_who_is_not_a_counselor_is_refused(login, world, referral):
    for lead in (world.teacher.pk, world.outsider.pk, "x"):
        response = login(world.counselor).post(url("accept", referral), {"lead_counselor": lead})
        assert response.status_code == 200
        assert "Select a valid choice" in response.text
    assert Referral.objects.get().status == Status.SUBMITTED
    assert Referral.objects.get().case is None


def test_accept_with_another_counselor_as_lead(login, world, referral):
    response = login(world.counselor).post(
        url("accept", referral), {"lead_counselor": world.counselor2.pk, "message": "I will see her on Monday."}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.case.lead_counselor == world.counselor2
    assert referral.latest_feedback == "I will see her on Monday."


def test_request_input_refuses_colleagues_who_are_not_candidates(login, world, referral):
    for pk in (world.teacher.pk, world.outsider.pk, world.other_teacher.pk):
        response = login(world.counselor).post(url("request_input", referral), {"colleagues": [pk]})
        assert response.status_code == 200
        assert "Select a valid choice" in response.text
    assert not InputRequest.objects.exists()


def test_request_input(login, world, referral):
    response = login(world.counselor).post(
        url("request_input", referral), {"colleagues": [world.homeroom.pk]}, follow=True
    )
    assert "Your colleagues were asked for their view." in response.text
    assert "Input asked from a colleague" in response.text
    assert "asked on" in response.text
    assert InputRequest.objects.get().requested_from == world.homeroom


@pytest.mark.parametrize("name", COUNSELOR_ACTIONS)
def test_triage_on_a_decided_referral_shows_the_current_state(login, world, referral, name):
    services.referral_decline(referral=referral, actor=world.counselor2, reason="Handled in class.")
    response = login(world.counselor).post(url(name, referral), data_for(name, world), follow=True)
    assert response.status_code == 200
    assert "This referral has already been declined." in response.text
    assert "Declined by Agus Salim" in response.text
    referral.refresh_from_db()
    assert referral.status == Status.DECLINED
    assert referral.events.filter(kind=EventKind.DECLINED).count() == 1
