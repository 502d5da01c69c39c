"""A sentinel planted in a confidential note never reaches anyone but a
counselor: no page, print view, calendar file, task list, caseload,
notification, timeline line, email or admin page."""

import pytest
from django.core import mail
from django.urls import NoReverseMatch, reverse

from casework.models import CaseEvent, ConfidentialNote
from notifications.models import Notification
from tests.casework.factories import planned_case
from tests.casework.test_access import NAMES, _urls

pytestmark = pytest.mark.django_db

SENTINEL = "SENTINEL-CONFIDENTIAL-7f3a9c"
NOT_COUNSELORS = ["teacher", "homeroom", "other_teacher", "vp", "admin", "outsider"]


def _optional(name, *args):
    try:
        return [reverse(name, args=args)]
    except NoReverseMatch:
        return []


def _every_url(case):
    urls = [url for url, _expected in (_urls(case)[name] for name in NAMES)]
    urls += [reverse("casework:caseload"), reverse("casework:tasks"), reverse("home")]
    urls += _optional("notifications:list") + _optional("reports:index")
    referral = case.referrals.first()
    urls += _optional("referrals:detail", referral.pk) + _optional("referrals:list") + _optional("referrals:triage")
    urls += [
        reverse("admin:index"),
        "/admin/casework/",
        "/admin/casework/case/",
        f"/admin/casework/case/{case.pk}/change/",
    ]
    urls += ["/admin/casework/caseevent/", "/admin/casework/confidentialnote/"]
    return urls


@pytest.fixture
def case(world, client):
    case = planned_case(world)
    client.force_login(world.counselor)
    response = client.post(
        reverse("casework:note_add", args=[case.pk]), {"body": f"Home situation: {SENTINEL}"}, follow=True
    )
    assert "The confidential note was saved." in response.text
    assert any(SENTINEL in note.body for note in ConfidentialNote.objects.filter(case=case))
    return case


def test_counselors_see_the_note_on_the_case_page(world, case, login):
    for counselor in (world.counselor, world.counselor2):
        page = login(counselor).get(reverse("casework:detail", args=[case.pk]))
        assert SENTINEL in page.text


@pytest.mark.parametrize("key", NOT_COUNSELORS)
def test_the_note_is_absent_from_every_page_others_can_reach(world, case, client, key):
    user = world.other_teacher if key == "other_teacher" else getattr(world, key)
    if key == "admin":
        user.is_superuser = True  # the demo's admin is a superuser too
        user.save()
    client.force_login(user)
    for url in _every_url(case):
        response = client.get(url)
        assert SENTINEL.encode() not in response.content, (key, url)
        assert b"Confidential notes" not in response.content or response.status_code != 200, (key, url)


def test_the_note_is_never_printed_put_in_a_calendar_file_or_sent(world, case, login):
    client = login(world.counselor)
    assert SENTINEL not in client.get(reverse("casework:print", args=[case.pk])).text
    ics = client.get(reverse("casework:meeting_ics", args=[case.pk, case.meeting.pk]))
    assert SENTINEL not in ics.content.decode()
    assert not CaseEvent.objects.filter(message__contains=SENTINEL).exists()
    assert not CaseEvent.objects.filter(kind__icontains="note").exists()
    assert not Notification.objects.filter(label__contains=SENTINEL).exists()
    assert not Notification.objects.filter(url__contains="notes").exists()
    assert all(SENTINEL not in m.body and SENTINEL not in m.subject for m in mail.outbox)
