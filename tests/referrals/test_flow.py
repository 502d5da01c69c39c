"""The whole referral flow through HTTP, as teachers and counselors use it."""

import pytest
from django.urls import reverse

from casework.models import Case
from notifications.models import Notification, NotificationKind
from referrals.models import Referral, Status
from tests.referrals.factories import category

pytestmark = pytest.mark.django_db


def file_referral(client, world, observation):
    # The teacher searches, picks the student, ticks a concern, types what
    # they saw, picks since when and sends.
    search = client.get(reverse("referrals:new"), {"q": "andi"})
    pick = f"{reverse('referrals:new')}?student={world.student_a.pk}"
    assert pick in search.text
    form = client.get(pick)
    assert form.status_code == 200
    response = client.post(
        pick,
        {
            "student": world.student_a.pk,
            "categories": [category(world.school).pk],
            "observation": observation,
            "observed_since": "weeks",
            "urgency": "routine",
            "contact_preference": "in_app",
            "parents_informed": "not_sure",
            "subject": world.maths.pk,
        },
        follow=True,
    )
    assert response.status_code == 200
    return Referral.objects.get(observation=observation), response


def test_file_ask_answer_accept(client, world):
    teacher = client
    teacher.force_login(world.teacher)
    referral, response = file_referral(teacher, world, "Stops working after ten minutes.")
    detail = reverse("referrals:detail", args=[referral.pk])
    assert "Waiting for a counselor" in response.text

    # The counselor finds it in the queue and asks for more information.
    teacher.logout()
    counselor = client
    counselor.force_login(world.counselor)
    assert detail in counselor.get(reverse("referrals:triage")).text
    response = counselor.post(
        reverse("referrals:ask", args=[referral.pk]), {"message": "Since when exactly?"}, follow=True
    )
    assert "Your question was sent to the teacher." in response.text

    # The teacher is told, sees the question on their list and answers.
    counselor.logout()
    teacher.force_login(world.teacher)
    assert Notification.objects.filter(recipient=world.teacher, kind=NotificationKind.REFERRAL_NEEDS_INFO).exists()
    listing = teacher.get(reverse("referrals:list")).text
    assert "Needs information" in listing and "Since when exactly?" in listing
    page = teacher.get(detail).text
    assert "A counselor asks for more information:" in page
    assert reverse("referrals:resubmit", args=[referral.pk]) in page
    response = teacher.post(
        reverse("referrals:resubmit", args=[referral.pk]), {"message": "Since the October test."}, follow=True
    )
    assert "back in the counselors&#x27; queue" in response.text
    assert "Since the October test." in response.text

    # The counselor accepts into a new case, leading it.
    teacher.logout()
    counselor.force_login(world.counselor)
    assert Notification.objects.filter(recipient=world.counselor, kind=NotificationKind.REFERRAL_RESUBMITTED).exists()
    response = counselor.post(
        reverse("casework:accept_referral", args=[referral.pk]), {"lead_counselor": world.counselor.pk}, follow=True
    )
    assert "The referral was accepted." in response.text
    case = Case.objects.get(student=world.student_a)
    assert case.lead_counselor == world.counselor
    assert response.redirect_chain == [(case.get_absolute_url(), 302)]  # the counselor lands on the new case

    # The teacher sees "accepted" and the case link.
    counselor.logout()
    teacher.force_login(world.teacher)
    assert Notification.objects.filter(recipient=world.teacher, kind=NotificationKind.REFERRAL_ACCEPTED).exists()
    listing = teacher.get(reverse("referrals:list")).text
    assert "Accepted" in listing
    assert f"Case {case.number}" in listing
    page = teacher.get(detail).text
    assert "Accepted." in page
    assert f'href="{reverse("casework:detail", args=[case.pk])}"' in page
    assert f"Case {case.number}" in page
    for step in (
        "Referral filed",
        "More information asked for",
        "Information added and resubmitted",
        "Accepted into a case",
    ):
        assert step in page
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED


def test_file_and_decline_with_a_reason(client, world):
    client.force_login(world.teacher)
    referral, _response = file_referral(client, world, "Did not do homework this week.")
    client.logout()

    client.force_login(world.counselor2)  # any counselor of the school may triage
    reason = "Handled in class: give her a worked example first, then two easy exercises."
    response = client.post(reverse("referrals:decline", args=[referral.pk]), {"reason": reason}, follow=True)
    assert "The referral was declined." in response.text
    client.logout()

    client.force_login(world.teacher)
    assert Notification.objects.filter(recipient=world.teacher, kind=NotificationKind.REFERRAL_DECLINED).exists()
    listing = client.get(reverse("referrals:list")).text
    assert "Declined" in listing and reason in listing
    page = client.get(reverse("referrals:detail", args=[referral.pk])).text
    assert "Declined by Agus Salim. The reason:" in page
    assert reason in page
    assert not Case.objects.exists()


def test_a_second_referral_joins_the_open_case(client, world):
    client.force_login(world.teacher)
    first, _ = file_referral(client, world, "First concern.")
    client.logout()
    client.force_login(world.counselor)
    client.post(reverse("casework:accept_referral", args=[first.pk]), {"lead_counselor": world.counselor.pk})
    client.logout()

    client.force_login(world.homeroom)
    # The form tells the homeroom teacher that the student already has a case.
    form = client.get(reverse("referrals:new"), {"student": world.student_a.pk})
    case = Case.objects.get()
    assert f"already has an open case ({case.number})" in form.text
    second, _ = file_referral(client, world, "Second concern.")
    client.logout()

    client.force_login(world.counselor2)
    response = client.post(reverse("casework:accept_referral", args=[second.pk]), {}, follow=True)
    assert "The referral was accepted." in response.text
    second.refresh_from_db()
    assert second.case == case
    assert response.redirect_chain == [(case.get_absolute_url(), 302)]  # on to the case it joined
    assert Case.objects.count() == 1
    client.logout()
    client.force_login(world.homeroom)
    page = client.get(reverse("referrals:detail", args=[second.pk])).text
    assert "Joined the student&#x27;s open case" in page
    assert f"Case {case.number}" in page
