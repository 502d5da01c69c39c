import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
URL = reverse("roster:overview")


def test_it_requires_sign_in(client, world):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_teacher_sees_what_they_teach(login, world):
    response = login(world.teacher).get(URL)
    assert response.status_code == 200
    assert "What I teach this term" in response.text
    assert "Matematika" in response.text
    assert "My homeroom class" not in response.text
    assert "All classes" not in response.text


def test_homeroom_teacher_sees_their_class_with_student_count(login, world):
    response = login(world.homeroom).get(URL)
    assert "My homeroom class" in response.text
    assert response.context["homeroom_classes"][0].student_count == 1
    assert "Bahasa Indonesia" in response.text


def test_counselor_sees_the_classes_they_cover(login, world):
    response = login(world.counselor).get(URL)
    covered = [c.name for c in response.context["covered_classes"]]
    assert covered == ["VII-A"]
    assert "What I teach" not in response.text


def test_vice_principal_sees_all_classes(login, world):
    response = login(world.vp).get(URL)
    assert [c.name for c in response.context["all_classes"]] == ["VII-A", "VIII-B"]


def test_school_admin_sees_roster_counts_and_import(login, world):
    response = login(world.admin).get(URL)
    assert response.context["roster_counts"]["students"] == 2
    assert reverse("roster:import") in response.text


def test_another_school_sees_only_its_own(login, world):
    response = login(world.outsider).get(URL)
    assert response.status_code == 200
    assert "SMP Negeri 9 Lain" in response.text
    assert "SMP Negeri 1 Contoh" not in response.text
    assert [c.name for c in response.context["all_classes"]] == ["VII-A"]
    assert response.context["roster_counts"]["students"] == 1


def test_query_count_does_not_grow_with_classes(login, world, django_assert_num_queries):
    from tests.factories import ClassroomFactory

    client = login(world.vp)
    client.get(URL)
    # session, user, savepoint (ATOMIC_REQUESTS), memberships, current term, homeroom classes,
    # teaching, my week (lessons, weekly busy times, bell schedule; issue #13), all classes
    # (with counts), unread notifications (the bell), release savepoint
    with django_assert_num_queries(13):
        client.get(URL)
    ClassroomFactory.create_batch(20, school=world.school)
    with django_assert_num_queries(13):
        client.get(URL)


def test_teacher_sees_their_week(login, world):
    from roster.models import BusyBlock, TeachingAssignment
    from tests.factories import bell_schedule, lessons

    bell_schedule(world.term)
    lessons(TeachingAssignment.objects.get(teacher=world.teacher), (0, 1), (4, 3))
    BusyBlock.objects.create(
        school=world.school, user=world.teacher, weekday=2, starts_at="13:00", ends_at="14:00", reason="MGMP"
    )
    response = login(world.teacher).get(URL)
    week = response.context["week"]
    assert [str(day["label"]) for day in week] == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
    assert len(week[0]["periods"]) == 6 and len(week[4]["periods"]) == 4  # the shorter Friday
    assert week[0]["periods"][0]["lesson"].assignment.classroom.name == "VII-A"
    assert week[0]["periods"][1]["lesson"] is None
    assert "My week" in response.text and "07:00–07:40" in response.text and "MGMP" in response.text


def test_no_bell_schedule_yet(login, world):
    response = login(world.teacher).get(URL)
    assert "The bell schedule of this term is not entered yet." in response.text
    assert "My week" not in login(world.admin).get(URL).text
