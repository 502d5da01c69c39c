import pytest
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_in_lands_on_the_role_home(client, world):
    from accounts.policy import Actor
    from accounts.views import home_url_for

    response = client.post(reverse("login"), {"username": "counselor", "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == home_url_for(Actor(world.counselor)) == reverse("casework:caseload")
    assert "My caseload" in response.text


def test_wrong_password_shows_an_error(client, world):
    response = client.post(reverse("login"), {"username": "counselor", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(reverse("roster:overview"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_sign_out_requires_post(login, world):
    client = login(world.teacher)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("roster:overview")).status_code == 302


def test_password_reset_does_not_reveal_accounts(client, world, mailoutbox):
    known = client.post(reverse("password_reset"), {"email": world.teacher.email})
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mailoutbox) == 1


def test_user_without_school_sees_a_clear_page(login, db):
    from tests.factories import UserFactory

    client = login(UserFactory())
    response = client.get("/")
    assert response.status_code == 403
    assert "not linked to a school" in response.text
