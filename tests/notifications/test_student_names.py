"""#12: notifications in the app name the student for people who may see the
student; outside channels stay neutral (tests/notifications/test_messages.py)."""

import pytest
from django.urls import reverse

from casework import services as casework_services
from casework.models import CaseMember, CaseStatus, Outcome
from notifications.messages import notification_email, whatsapp_text
from notifications.models import Notification, NotificationKind
from referrals import services
from referrals.models import Since
from tests.referrals.factories import category

pytestmark = pytest.mark.django_db

URL = reverse("notifications:list")


def closed_case(world):
    referral = services.referral_submit(
        school=world.school,
        actor=world.teacher,
        student=world.student_a,
        categories=[category(world.school)],
        observation="Observation",
        observed_since=Since.WEEKS,
    )
    referral = casework_services.referral_accept(referral=referral, actor=world.counselor)
    case = referral.case
    case.status = CaseStatus.ACTIVE
    case.save(update_fields=["status"])
    casework_services.case_close(case=case, actor=world.counselor, outcome=Outcome.IMPROVED, final_note="Better.")
    return referral, case


def test_the_case_closed_notification_names_the_student_in_the_app(world, login):
    referral, case = closed_case(world)
    closed = Notification.objects.get(recipient=world.teacher, kind=NotificationKind.CASE_CLOSED)
    text = login(world.teacher).get(URL).text
    assert f"A case was closed · {case.number} · <span data-student>Andi Pratama</span>" in text
    # The acceptance, linking to the referral, names the student too.
    assert Notification.objects.filter(recipient=world.teacher, url=referral.get_absolute_url()).exists()
    assert text.count("<span data-student>Andi Pratama</span>") >= 2
    # Outside the app: still neutral.
    assert "Andi" not in whatsapp_text(closed)
    email = notification_email(closed)
    assert "Andi" not in email.subject + email.text + email.html


def test_not_named_for_someone_who_may_no_longer_see_the_student(world, login):
    _, case = closed_case(world)
    # Off the team, and not teaching the class: the case is out of her sight.
    CaseMember.objects.filter(case=case, user=world.teacher).delete()
    Notification.objects.filter(recipient=world.teacher).exclude(kind=NotificationKind.CASE_CLOSED).delete()
    text = login(world.teacher).get(URL).text
    assert f"A case was closed · {case.number}" in text
    assert "Andi Pratama" not in text


def test_links_naming_no_student_stay_as_they_are(world, login):
    Notification.objects.create(
        school=world.school, recipient=world.teacher, kind=NotificationKind.ACTION_ASSIGNED, url="/tasks/", label=""
    )
    Notification.objects.create(
        school=world.school, recipient=world.teacher, kind=NotificationKind.CASE_STATUS, url="/nowhere/", label="X"
    )
    response = login(world.teacher).get(URL)
    assert response.status_code == 200 and "data-student" not in response.text
