import pytest
from django.urls import reverse

from roster.models import Student

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(login, world):
    return login(world.admin)


def test_school_admin_sees_only_own_school_students(admin_client, world):
    response = admin_client.get(reverse("admin:roster_student_changelist"))
    assert response.status_code == 200
    assert world.student_a.full_name in response.text
    assert world.other_student.full_name not in response.text


def test_school_admin_cannot_open_another_schools_student(admin_client, world):
    url = reverse("admin:roster_student_change", args=[world.other_student.pk])
    response = admin_client.get(url)
    assert response.status_code == 302  # Django admin redirects a missing object to the index with a message
    assert Student.objects.get(pk=world.other_student.pk).full_name == world.other_student.full_name


def test_new_student_gets_the_admins_school(admin_client, world):
    response = admin_client.post(
        reverse("admin:roster_student_add"),
        {"nisn": "0099887766", "nis": "77", "full_name": "Putu", "gender": "P", "is_active": "on"},
    )
    assert response.status_code == 302, response.text[:2000]
    assert Student.objects.get(nisn="0099887766").school == world.school


def test_teacher_cannot_use_the_admin(login, world):
    response = login(world.teacher).get(reverse("admin:roster_student_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_user_admin_lists_only_own_school_staff(admin_client, world):
    response = admin_client.get(reverse("admin:accounts_user_changelist"))
    assert "Sri Wahyuni" in response.text
    assert "outsider" not in response.text
