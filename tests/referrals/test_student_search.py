import pytest
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db

URL = reverse("referrals:student_search")


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(URL, {"q": "andi"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["teacher", "homeroom", "vp"])
def test_teachers_find_students_of_their_school(login, world, role):
    response = login(world.roles[role]).get(URL, {"q": "andi"})
    assert response.status_code == 200
    assert "Andi Pratama" in response.text
    assert response.text.count("<h1") == 1


@pytest.mark.parametrize("role", ["counselor", "admin"])
def test_other_roles_are_refused(login, world, role):
    assert login(world.roles[role]).get(URL, {"q": "andi"}).status_code == 403


def test_outsider_finds_only_their_own_students(login, world):
    response = login(world.outsider).get(URL, {"q": "pratama"})
    assert response.status_code == 200
    assert "Andi Pratama" not in response.text
    assert "No student of your school matches" in response.text
    response = login(world.outsider).get(URL, {"q": "orang"})
    assert "Orang Lain" in response.text


def test_search_by_nisn_and_own_classes_first(login, world):
    f.enroll(f.StudentFactory(school=world.school, full_name="Andreas Sekar"), world.class_b, world.term)
    client = login(world.teacher)
    response = client.get(URL, {"q": world.student_b.nisn[-6:]})
    assert "Sekar" in response.text
    response = client.get(URL, {"q": "sekar"})
    # Neither is in the teacher's class (VII-A): alphabetical.
    assert response.text.index("Andreas Sekar") < response.text.index("Sekar</span>")
    response = client.get(URL, {"q": "a"})
    assert "Type at least 2 characters." in response.text
    # Alphabetical would put Andi first; the other teacher's own class comes first.
    response = login(world.other_teacher).get(URL, {"q": "and"})
    assert response.text.index("Andreas Sekar") < response.text.index("Andi Pratama")


def test_partial_returns_only_the_result_list(login, world):
    response = login(world.teacher).get(URL, {"q": "andi", "partial": "1"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Andi Pratama" in response.text
    assert f"{reverse('referrals:new')}?student={world.student_a.pk}" in response.text


def test_no_match_says_so(login, world):
    response = login(world.teacher).get(URL, {"q": "zzzz"})
    assert "No student of your school matches" in response.text


def test_inactive_students_are_not_listed(login, world):
    world.student_a.is_active = False
    world.student_a.save()
    assert "Andi Pratama" not in login(world.teacher).get(URL, {"q": "andi"}).text


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("Rafi\u2019", "Rafi' Hidayat"),  # a phone keyboard's curly apostrophe
        ("rafi hid", "Rafi' Hidayat"),
        ("Al Ghifari", "Muhammad Al-Ghifari"),
        ("alghifari", "Muhammad Al-Ghifari"),
        ("Al\u2013Ghifari", "Muhammad Al-Ghifari"),
        ("Nur  Aini", "Nur'aini Putri"),
    ],
)
def test_search_ignores_apostrophes_hyphens_and_spaces(login, world, typed, found):
    for name in ("Rafi' Hidayat", "Muhammad Al-Ghifari", "Nur'aini Putri"):
        f.enroll(f.StudentFactory(school=world.school, full_name=name), world.class_a, world.term)
    response = login(world.teacher).get(URL, {"q": typed})
    assert found in response.text.replace("&#x27;", "'")
    assert "Andi Pratama" not in response.text


def test_a_query_of_separators_alone_finds_nobody(login, world):
    response = login(world.teacher).get(URL, {"q": "- '"})
    assert "Andi Pratama" not in response.text
