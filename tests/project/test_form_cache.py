"""Filter forms cached by common.form_cache show the school's new classes and
concerns at once, and the values of the query they were drawn for."""

import pytest
from django.urls import reverse

from tests import factories as f


@pytest.mark.parametrize("url_name", ["referrals:triage", "casework:caseload"])
def test_a_new_class_shows_in_the_filter_at_once(world, login, url_name):
    client = login(world.counselor)
    url = reverse(url_name)
    assert ">IX-Z</option>" not in client.get(url).content.decode()
    assert ">IX-Z</option>" not in client.get(url).content.decode()  # from the cache
    f.ClassroomFactory(school=world.school, name="IX-Z", grade=9)
    assert ">IX-Z</option>" in client.get(url).content.decode()


def test_each_query_has_its_own_form(world, login):
    client = login(world.counselor)
    url = reverse("referrals:triage")
    client.get(url, {"urgency": "urgent"})
    client.get(url, {"urgency": "routine"})
    text = client.get(url, {"urgency": "urgent"}).content.decode()
    assert '<option value="urgent" selected>' in text


def test_another_schools_class_does_not_show(world, login):
    client = login(world.counselor)
    url = reverse("casework:caseload")
    client.get(url)
    f.ClassroomFactory(school=world.other_school, name="IX-Y", grade=9)
    assert ">IX-Y</option>" not in client.get(url).content.decode()
