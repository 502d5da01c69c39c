import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

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
    admin = User.objects.get(username="admin")
    assert admin.is_staff and not admin.is_superuser
    assert not User.objects.filter(is_superuser=True).exists()


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


@pytest.mark.django_db
def test_the_demo_admin_stays_inside_their_school_in_the_admin(settings, client):
    """seed_demo --scale 2: `admin` works in /admin/ on school 1 alone (issue #12)."""
    from django.urls import reverse

    settings.DEBUG = True
    call_command("seed_demo", "--scale", "2")
    assert not User.objects.filter(is_superuser=True).exists()
    ours, theirs = School.objects.get(npsn="20100001"), School.objects.get(npsn="20100002")
    client.force_login(User.objects.get(username="admin"))

    page = client.get(reverse("admin:roster_student_changelist"), {"all": ""})
    assert page.status_code == 200
    shown = {row.pk for row in page.context["cl"].result_list}
    assert shown and not Student.objects.filter(pk__in=shown).exclude(school=ours).exists()
    their_student = Student.objects.filter(school=theirs).first()
    assert client.get(reverse("admin:roster_student_change", args=[their_student.pk])).status_code == 302

    users = client.get(reverse("admin:accounts_user_changelist"), {"all": ""})
    assert "s2-teacher" not in users.text
    their_user = User.objects.get(username="s2-teacher")
    change = reverse("admin:accounts_user_change", args=[their_user.pk])
    assert client.get(change).status_code == 302
    assert client.get(change.replace("/change/", "/password/")).status_code == 404

    # The audit trail is for platform operators; the school reads it at /audit/.
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 403
    own = client.get(reverse("admin:roster_student_change", args=[Student.objects.filter(school=ours).first().pk]))
    assert own.status_code == 200


@pytest.mark.django_db
def test_seed_demo_history_grows_the_school_in_every_state(settings, monkeypatch):
    """seed_demo --history YEARS (demo/history.py), here with fewer rows a year."""
    from casework.models import Case, CaseEvent, CaseStatus, ConfidentialNote, EvaluationEntry
    from demo import history
    from referrals.models import Referral, Status

    monkeypatch.setattr(history, "REFERRALS_PER_YEAR", 400)
    monkeypatch.setattr(history, "CASES_PER_YEAR", 150)
    monkeypatch.setattr(history, "MARKER", 100)
    settings.DEBUG = True
    call_command("seed_demo")
    before = Referral.objects.count()
    call_command("seed_demo", "--history", "2")
    referrals = Referral.objects.count()
    assert referrals - before == 800
    assert set(Referral.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Case.objects.values_list("status", flat=True)) == set(CaseStatus.values)
    assert Case.objects.filter(status=CaseStatus.CLOSED).count() >= 200
    assert ConfidentialNote.objects.count() >= 100
    # The long case: open, led by `counselor`, 200 entries and 500 timeline events.
    long_case = Case.objects.get(
        pk=EvaluationEntry.objects.order_by()
        .values("case")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("case", flat=True)[0]
    )
    assert long_case.lead_counselor.username == "counselor" and long_case.status != CaseStatus.CLOSED
    assert long_case.entries.count() == 200 and CaseEvent.objects.filter(case=long_case).count() == 500
    # History spans the years asked for.
    oldest = Referral.objects.order_by("created_at").first().created_at
    assert (Referral.objects.order_by("-created_at").first().created_at - oldest).days >= 700
    # Once only.
    call_command("seed_demo", "--history", "2")
    assert Referral.objects.count() == referrals


@pytest.mark.django_db
def test_seed_demo_gives_a_timetable_and_forums(settings):
    """Issue #13: a bell schedule with a shorter Friday, every class's lessons with
    no teacher in two places, a past forum with minutes and decisions, an upcoming one."""
    from django.db.models import Count

    from forums.models import Decision, Sitting
    from roster.models import BusyBlock, Lesson, Period

    settings.DEBUG = True
    call_command("seed_demo")
    assert Period.objects.filter(weekday=0).count() == 8 and Period.objects.filter(weekday=4).count() == 5
    assert Lesson.objects.filter(assignment__teacher__username="teacher").exists()
    clashes = Lesson.objects.values("assignment__teacher", "weekday", "number").annotate(n=Count("id")).filter(n__gt=1)
    assert not clashes.exists()
    assert BusyBlock.objects.filter(user__username="counselor").exists()
    past, upcoming = Sitting.objects.order_by("starts_at")
    assert past.is_held and past.present.exists() and past.items.exclude(minutes="").exists()
    assert Decision.objects.filter(item__sitting=past).exists()
    assert not upcoming.is_held and upcoming.items.count() > 3
    counts = (Lesson.objects.count(), Sitting.objects.count())
    call_command("seed_demo")
    assert (Lesson.objects.count(), Sitting.objects.count()) == counts
    # The timetable examples of docs/examples/ are the demo school's own: they import, changing nothing.
    from pathlib import Path

    from roster.importing import roster_import_preview
    from roster.models import School

    examples = Path(__file__).resolve().parents[2] / "docs" / "examples"
    school = School.objects.get(npsn="20100001")
    for name in ("bell-schedule.csv", "timetable.csv", "timetable-grid.csv"):
        result, _table = roster_import_preview(school=school, data=(examples / name).read_bytes())
        assert result.ok and result.counts["unchanged"] == len(result.rows), (name, result.errors)
