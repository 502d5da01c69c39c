import datetime

import pytest
from django.urls import reverse

from roster.models import Holiday, Student
from roster.schooldays import SchoolCalendar

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


# The school's calendar: working week and holidays.


def test_school_admin_changes_their_schools_working_week(admin_client, world):
    response = admin_client.get(reverse("admin:roster_school_changelist"))
    assert world.school.name in response.text
    assert world.other_school.name not in response.text

    response = admin_client.post(
        reverse("admin:roster_school_change", args=[world.school.pk]),
        {"name": world.school.name, "npsn": world.school.npsn, "school_days_per_week": 6},
    )
    assert response.status_code == 302, response.text[:2000]
    world.school.refresh_from_db()
    assert world.school.school_days_per_week == 6
    assert SchoolCalendar(world.school).is_school_day(datetime.date(2026, 8, 15))  # a Saturday


def test_school_admin_cannot_change_another_school(admin_client, world):
    url = reverse("admin:roster_school_change", args=[world.other_school.pk])
    assert admin_client.get(url).status_code == 302  # missing for them: back to the index
    admin_client.post(url, {"name": "Taken over", "npsn": world.other_school.npsn, "school_days_per_week": 6})
    world.other_school.refresh_from_db()
    assert world.other_school.name == "SMP Negeri 9 Lain"
    assert world.other_school.school_days_per_week == 5
    assert admin_client.get(reverse("admin:roster_school_add")).status_code == 403


def test_school_admin_adds_a_holiday_to_their_school(admin_client, world):
    response = admin_client.post(
        reverse("admin:roster_holiday_add"), {"date": "2026-08-17", "name": "Hari Kemerdekaan"}
    )
    assert response.status_code == 302, response.text[:2000]
    holiday = Holiday.objects.get(name="Hari Kemerdekaan")
    assert holiday.school == world.school
    assert not SchoolCalendar(world.school).is_school_day(datetime.date(2026, 8, 17))  # a Monday
    assert SchoolCalendar(world.other_school).is_school_day(datetime.date(2026, 8, 17))


def test_school_admin_neither_sees_nor_changes_another_schools_holidays(admin_client, world):
    theirs = Holiday.objects.create(school=world.other_school, date=datetime.date(2026, 9, 1), name="Their day")
    Holiday.objects.create(school=world.school, date=datetime.date(2026, 9, 2), name="Our day")
    response = admin_client.get(reverse("admin:roster_holiday_changelist"))
    assert "Our day" in response.text
    assert "Their day" not in response.text

    url = reverse("admin:roster_holiday_change", args=[theirs.pk])
    assert admin_client.get(url).status_code == 302
    admin_client.post(url, {"date": "2026-09-03", "name": "Moved"})
    theirs.refresh_from_db()
    assert (theirs.date, theirs.name) == (datetime.date(2026, 9, 1), "Their day")
    admin_client.post(reverse("admin:roster_holiday_delete", args=[theirs.pk]), {"post": "yes"})
    assert Holiday.objects.filter(pk=theirs.pk).exists()
