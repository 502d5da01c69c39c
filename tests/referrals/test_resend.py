"""Issue #12.1: the referral form and a colleague's input answer, sent twice,
make one record; the second request lands where the first did, without error."""

import pytest
from django.urls import reverse

from referrals import services
from referrals.models import InputRequest, Referral
from tests.casework.test_resend import token_of
from tests.referrals.factories import category
from tests.referrals.test_new import URL, form_data

pytestmark = pytest.mark.django_db


def test_a_resent_referral_makes_one_referral_and_lands_on_it(login, world):
    client = login(world.teacher)
    data = {**form_data(world), "form_token": token_of(client.get(URL, {"student": world.student_a.pk}).text)}
    first = client.post(URL, data)
    second = client.post(URL, data)
    referral = Referral.objects.get()
    assert first.url == second.url == referral.get_absolute_url()
    shown = [str(m) for m in client.get(second.url).context["messages"]]
    assert len(shown) == 2 and shown[0] == shown[1] and "Your referral was filed" in shown[0]


def test_a_resent_input_answer_is_thanked_not_refused(login, world):
    referral = services.referral_submit(
        school=world.school,
        actor=world.teacher,
        student=world.student_a,
        categories=[category(world.school)],
        observation="Stops working.",
        observed_since="weeks",
    )
    item = services.referral_request_input(referral=referral, actor=world.counselor, colleagues=[world.homeroom])[0]
    client = login(world.homeroom)
    url = reverse("referrals:input", args=[item.pk])
    data = {"rating": "struggling", "note": "Quiet in class.", "form_token": token_of(client.get(url).text)}
    client.post(url, data)
    client.post(url, data)
    shown = [str(m) for m in client.get(url).context["messages"]]
    assert shown == ["Thank you. The counselor can see your answer."] * 2
    assert InputRequest.objects.get(pk=item.pk).note == "Quiet in class."
    assert referral.events.filter(kind="input_given").count() == 1
