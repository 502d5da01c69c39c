"""WhatsApp click-to-chat buttons on the referral, case and meeting pages:
to colleagues with a number, never to oneself, and the prefilled text is a
neutral sentence with the link, never the student's name or the concern."""

import html
import re
from urllib.parse import parse_qs, unquote, urlparse

import pytest

from tests.casework.factories import accepted_case, planned_case
from tests.referrals.factories import ReferralFactory

NUMBERS = {"teacher": "+6281100000001", "counselor": "+6281100000003", "homeroom": "+6281100000002"}


@pytest.fixture
def numbers(world):
    for key, number in NUMBERS.items():
        user = getattr(world, key)
        user.whatsapp = number
        user.save(update_fields=["whatsapp"])
    return world


def _wa_links(response):
    """{digits: prefilled text} of the page's wa.me links."""
    links = {}
    for anchor in re.findall(r'<a [^>]*href="https://wa\.me/[^>]*>', response.content.decode()):
        assert 'rel="noopener noreferrer"' in anchor
        url = urlparse(html.unescape(re.search(r'href="([^"]*)"', anchor).group(1)))
        (text,) = parse_qs(url.query)["text"]
        links.setdefault(url.path.strip("/"), []).append(text)
    return links


def _assert_neutral(texts, world, *, link):
    for text in texts:
        assert link in text
        assert world.student_a.full_name not in text
        assert "ten minutes" not in text  # the observation


def test_a_teacher_can_message_the_counselor_of_the_class_from_the_referral(numbers, login):
    world = numbers
    referral = ReferralFactory(student=world.student_a, referred_by=world.teacher, subject=world.maths)
    response = login(world.teacher).get(f"/referrals/{referral.pk}/")
    assert response.status_code == 200
    links = _wa_links(response)
    # The counselor and the homeroom teacher; not the teacher herself.
    assert set(links) == {"6281100000003", "6281100000002"}
    (text,) = links["6281100000003"]
    assert text.startswith(
        f"Hello {world.counselor.full_name}, could we talk about Referral #{referral.pk} in Sinergi?"
    )
    _assert_neutral(links["6281100000003"], world, link=f"/referrals/{referral.pk}/")
    assert "Talk to a colleague" in response.content.decode()


def test_the_counselor_sees_a_button_for_the_referring_teacher(numbers, login):
    world = numbers
    referral = ReferralFactory(student=world.student_a, referred_by=world.teacher, subject=world.maths)
    links = _wa_links(login(world.counselor).get(f"/referrals/{referral.pk}/"))
    assert set(links) == {"6281100000001", "6281100000002"}
    _assert_neutral(links["6281100000001"], world, link=f"/referrals/{referral.pk}/")


def test_no_section_when_nobody_has_a_number(world, login):
    referral = ReferralFactory(student=world.student_a, referred_by=world.teacher, subject=world.maths)
    response = login(world.teacher).get(f"/referrals/{referral.pk}/")
    assert response.status_code == 200
    assert _wa_links(response) == {}
    assert "Talk to a colleague" not in response.content.decode()


def test_the_case_team_lists_a_button_per_colleague(numbers, login):
    world = numbers
    case = accepted_case(world)
    links = _wa_links(login(world.counselor).get(f"/cases/{case.pk}/"))
    # Team: the lead counselor (the viewer), the referring and the homeroom teacher.
    assert set(links) == {"6281100000001", "6281100000002"}
    for texts in links.values():
        _assert_neutral(texts, world, link=f"/cases/{case.pk}/")
        assert f"case {case.number}" in texts[0]


def test_each_meeting_offers_its_attendees(numbers, login):
    world = numbers
    case = planned_case(world)
    meeting = case.meetings.get()
    assert world.teacher in meeting.attendees.all()
    links = _wa_links(login(world.counselor).get(f"/cases/{case.pk}/"))
    meeting_texts = [t for t in links["6281100000001"] if "the meeting of" in t]
    assert meeting_texts, links
    _assert_neutral(meeting_texts, world, link=f"/cases/{case.pk}/")


def test_the_prefilled_text_is_in_the_senders_language(numbers, login):
    world = numbers
    referral = ReferralFactory(student=world.student_a, referred_by=world.teacher, subject=world.maths)
    world.teacher.language = "id"
    world.teacher.save(update_fields=["language"])
    response = login(world.teacher).get(f"/referrals/{referral.pk}/")
    text = unquote(_wa_links(response)["6281100000003"][0])
    assert text.startswith(f"Halo {world.counselor.full_name}")


def test_the_printed_case_has_no_buttons(numbers, login):
    world = numbers
    case = planned_case(world)
    response = login(world.counselor).get(f"/cases/{case.pk}/print/")
    assert response.status_code == 200
    assert _wa_links(response) == {}
