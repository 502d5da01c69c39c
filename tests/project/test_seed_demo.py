import pytest
from django.core.management import CommandError, call_command

from accounts.models import Membership, Role, User
from roster.models import Classroom, Enrollment, School, Student, Subject, TeachingAssignment


@pytest.mark.django_db
def test_seed_demo_builds_the_demo_school_once(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    counts = [School, User, Membership, Classroom, Subject, TeachingAssignment, Student, Enrollment]
    first = {m.__name__: m.objects.count() for m in counts}
    call_command("seed_demo")
    assert {m.__name__: m.objects.count() for m in counts} == first

    assert first["Classroom"] == 9
    assert 280 <= first["Student"] <= 320
    assert first["Subject"] == 10
    for username in ["teacher", "homeroom", "counselor", "counselor2", "vp", "admin"]:
        assert User.objects.get(username=username).check_password("demo1234")
    homeroom = User.objects.get(username="homeroom")
    assert Classroom.objects.get(name="VII-A").homeroom_teacher == homeroom
    assert TeachingAssignment.objects.filter(teacher=homeroom).exists()
    assert set(Membership.objects.filter(user__username="vp").values_list("role", flat=True)) == {
        Role.VICE_PRINCIPAL,
        Role.TEACHER,
    }
    assert User.objects.get(username="admin").is_superuser


@pytest.mark.django_db
def test_seed_demo_refuses_in_production_without_force(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")
    assert not School.objects.exists()
    call_command("seed_demo", "--force")
    assert School.objects.count() == 1


@pytest.mark.django_db
def test_seed_demo_scale_makes_several_schools(settings):
    settings.DEBUG = True
    call_command("seed_demo", "--scale", "2")
    assert School.objects.count() == 2
    assert User.objects.filter(username="s2-teacher").exists()
    assert (
        Student.objects.filter(school__npsn="20100002").count()
        == Student.objects.filter(school__npsn="20100001").count()
    )
