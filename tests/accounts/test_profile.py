import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_saves_whatsapp_in_e164_and_language(login, world):
    client = login(world.teacher)
    response = client.post(
        reverse("profile"),
        {"full_name": "Sri Wahyuni", "email": "sri@example.sch.id", "whatsapp": "0812 3456 7890", "language": "id"},
    )
    assert response.status_code == 302
    world.teacher.refresh_from_db()
    assert world.teacher.whatsapp == "+6281234567890"
    assert world.teacher.language == "id"
    # The user's language applies on the next page.
    page = client.get(reverse("roster:overview"))
    assert page["Content-Language"] == "id"


def test_bad_number_gets_an_error_next_to_the_field(login, world):
    client = login(world.teacher)
    response = client.post(
        reverse("profile"), {"full_name": "Sri Wahyuni", "email": "", "whatsapp": "12ab", "language": "en"}
    )
    assert response.status_code == 200
    assert "phone number" in response.text
    world.teacher.refresh_from_db()
    assert world.teacher.whatsapp == ""


def test_profile_requires_sign_in(client, world):
    assert client.get(reverse("profile")).status_code == 302


def test_language_switcher_works_before_sign_in(client, db):
    response = client.post(reverse("set_language"), {"language": "id", "next": "/accounts/login/"})
    assert response.status_code == 302
    page = client.get(reverse("login"))
    assert page["Content-Language"] == "id"


def test_language_switcher_remembers_the_choice_on_the_user(login, world):
    client = login(world.counselor)
    client.post(reverse("set_language"), {"language": "id", "next": "/"})
    world.counselor.refresh_from_db()
    assert world.counselor.language == "id"
