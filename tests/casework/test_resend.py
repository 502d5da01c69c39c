"""Issue #12.1: a create form of the case sent twice (Back and resend, a double
tap) makes one record; the second request lands where the first did, with the
same message and no error."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from casework.models import CaseMember, ConfidentialNote
from tests.casework.factories import planned_case

pytestmark = pytest.mark.django_db


def token_of(page):
    """The one-time token the form page renders in its hidden field."""
    return re.search(r'name="form_token" value="([0-9a-f]{32})"', page).group(1)


def _forms(world):
    today = timezone.localdate().isoformat()
    return {
        "goal_add": ({"statement": "Reads a page aloud", "indicator": "Words per minute"}, lambda c: c.goals),
        "action_add": ({"description": "Reading buddy", "responsible": str(world.teacher.pk)}, lambda c: c.actions),
        "meeting_add": (
            {
                "kind": "coordination",
                "starts_at": "2030-01-07T10:00",
                "duration_minutes": "30",
                "place": "Ruang BK",
                "attendees": [str(world.counselor.pk), str(world.teacher.pk)],
            },
            lambda c: c.meetings,
        ),
        "entry_add": ({"kind": "session", "date": today, "note": "Talked it through"}, lambda c: c.entries),
        "note_add": ({"body": "Home situation"}, lambda c: ConfidentialNote.objects.filter(case=c)),
        "team_add": ({"user": str(world.vp.pk), "role": "vice_principal"}, lambda c: CaseMember.objects.filter(case=c)),
    }


@pytest.mark.parametrize("name", ["goal_add", "action_add", "meeting_add", "entry_add", "note_add", "team_add"])
def test_a_resend_makes_one_record_and_lands_on_it(world, login, name):
    case = planned_case(world)
    data, rows = _forms(world)[name]
    client = login(world.counselor)
    url = reverse(f"casework:{name}", args=[case.pk])
    data = {**data, "form_token": token_of(client.get(url).text)}
    before = rows(case).count()
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert second.url == first.url
    assert rows(case).count() == before + 1
    # The second request's message is the first one's, and nothing else is said.
    shown = [str(m) for m in client.get(second.url).context["messages"]]
    assert len(shown) == 2 and shown[0] == shown[1]
    # One change, one audit row.
    assert AuditEvent.objects.filter(detail__step=name).count() == 1


def test_each_create_form_of_the_case_page_comes_with_a_fresh_token(world, login):
    case = planned_case(world)
    client = login(world.counselor)
    page = client.get(case.get_absolute_url()).text
    # The case page draws no form: it links to each, and the link fetches the form when opened.
    assert 'name="form_token"' not in page
    tokens = []
    for name in ("team_add", "goal_add", "action_add", "meeting_add", "entry_add", "note_add"):
        url = reverse(f"casework:{name}", args=[case.pk])
        assert f'href="{url}"' in page
        tokens += re.findall(r'name="form_token" value="([0-9a-f]{32})"', client.get(url, {"fragment": "1"}).text)
    assert len(tokens) == len(set(tokens)) == 6


def test_a_new_page_makes_a_second_record(world, login):
    """A token is per form shown: opening the form again and saving adds another."""
    case = planned_case(world)
    client = login(world.counselor)
    url = reverse("casework:goal_add", args=[case.pk])
    before = case.goals.count()
    for _ in range(2):
        data = {"statement": "Reads aloud", "indicator": "Words", "form_token": token_of(client.get(url).text)}
        client.post(url, data)
    assert case.goals.count() == before + 2


@pytest.mark.parametrize("token", [None, "", "forged", "A" * 32, "0" * 31])
def test_a_missing_or_forged_token_is_a_fresh_submit(world, login, token):
    case = planned_case(world)
    client = login(world.counselor)
    url = reverse("casework:goal_add", args=[case.pk])
    data = {"statement": "Reads aloud", "indicator": "Words"}
    if token is not None:
        data["form_token"] = token
    before = case.goals.count()
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert case.goals.count() == before + 2


def test_the_same_token_with_other_data_is_a_new_record(world, login):
    """Back, change a field, save: that is new work, not a resend."""
    case = planned_case(world)
    client = login(world.counselor)
    url = reverse("casework:goal_add", args=[case.pk])
    token = token_of(client.get(url).text)
    before = case.goals.count()
    client.post(url, {"statement": "Reads aloud", "indicator": "Words", "form_token": token})
    client.post(url, {"statement": "Writes a paragraph", "indicator": "Lines", "form_token": token})
    assert set(case.goals.values_list("statement", flat=True)[before:]) >= {"Writes a paragraph"}
    assert case.goals.count() == before + 2


def test_a_refused_save_leaves_the_token_unspent(world, login):
    """A rule error rolls the token back: the corrected form saves."""
    case = planned_case(world)
    client = login(world.counselor)
    url = reverse("casework:goal_add", args=[case.pk])
    token = token_of(client.get(url).text)
    before = case.goals.count()
    response = client.post(
        url, {"statement": "x", "indicator": "y", "baseline": "5", "target": "5", "form_token": token}
    )
    assert response.status_code == 200 and "should differ" in response.text
    assert token_of(response.text) == token
    client.post(url, {"statement": "x", "indicator": "y", "baseline": "5", "target": "6", "form_token": token})
    assert case.goals.count() == before + 1


def test_another_users_token_is_not_theirs_to_land_on(world, login, client):
    """A token taken by someone else never sends this user to their record."""
    case = planned_case(world)
    url = reverse("casework:goal_add", args=[case.pk])
    data = {"statement": "Reads aloud", "indicator": "Words", "form_token": "ab" * 16}
    login(world.counselor).post(url, data)
    client.force_login(world.counselor2)
    before = case.goals.count()
    assert client.post(url, data).status_code == 302
    assert case.goals.count() == before + 1
