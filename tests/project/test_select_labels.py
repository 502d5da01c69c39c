"""Every select's empty choice is in the user's language (issue #12)."""

import pytest
from django.urls import reverse

from casework import services as case_services
from tests.audit import factories as rows

pytestmark = pytest.mark.django_db

UNTRANSLATED = ("Select an option", "---------")


def _indonesian(user):
    user.language = "id"
    user.save(update_fields=["language"])
    return user


def test_the_accept_form_offers_the_lead_counselor_in_indonesian(login, world):
    referral = rows.referral(world.student_a, world.teacher)
    page = login(_indonesian(world.counselor)).get(referral.get_absolute_url()).text
    assert "Guru BK penanggung jawab" in page
    assert "- Pilih salah satu -" in page
    for text in UNTRANSLATED:
        assert text not in page


def test_the_forms_with_selects_speak_indonesian(login, world):
    referral = rows.referral(world.student_a, world.teacher)
    case = case_services.referral_accept(referral=referral, actor=world.counselor, lead_counselor=world.counselor).case
    pages = {
        world.counselor: [
            case.get_absolute_url(),
            # The case page's forms, drawn when opened (fetched alone).
            reverse("casework:action_add", args=[case.pk]) + "?fragment=1",
            reverse("casework:meeting_add", args=[case.pk]) + "?fragment=1",
            reverse("casework:caseload"),
            reverse("referrals:triage"),
            reverse("audit:list"),
        ],
        world.vp: [reverse("reports:index")],
        world.teacher: [reverse("referrals:new"), reverse("referrals:list"), reverse("notifications:settings")],
        world.admin: [reverse("roster:import")],
    }
    with_selects = 0
    for user, urls in pages.items():
        client = login(_indonesian(user))
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            with_selects += "<select" in response.text
            for text in UNTRANSLATED:
                assert text not in response.text, (url, text)
    assert with_selects >= 6
