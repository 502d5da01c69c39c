"""/cases/<id>/classroom/: the counselor's "what you can do in class" for the
student's teachers, read-only. Open to everyone who may see the case and to
this term's teachers of the student's class, even off the team; it shows the
student, the class, the guidance and the lead counselor, nothing else."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditAction, AuditEvent
from casework import services
from casework.models import Case, CaseMember, CaseStatus
from tests import factories as f
from tests.casework.factories import accepted_case, planned_case

pytestmark = pytest.mark.django_db

GUIDANCE = "Seat near the front; check understanding quietly."
NOTE = "CONFIDENTIAL-NOTE-5b1e"


def _url(case):
    return reverse("casework:classroom", args=[case.pk])


def class_teacher(world, classroom=None, term=None, username="ipa"):
    """A teacher of the student's class this term (IPA), on no case team."""
    user = f.staff(world.school, username, Role.TEACHER, full_name="Yusuf Hidayat")
    f.TeachingAssignmentFactory(
        teacher=user,
        classroom=classroom or world.class_a,
        subject=f.SubjectFactory(school=world.school, name=f"IPA {username}"),
        term=term or world.term,
    )
    return user


@pytest.fixture
def case(world):
    case = planned_case(world, teacher_view="Maybe trouble with friends.")
    Case.objects.filter(pk=case.pk).update(
        classroom_guidance=GUIDANCE,
        summary="Shared summary for the team.",
        counselor_assessment="Low confidence, not ability.",
    )
    services.note_add(case=case, actor=world.counselor, body=NOTE)
    case.refresh_from_db()
    return case


def test_it_works(world, case, login):
    page = login(world.counselor).get(_url(case))
    assert page.status_code == 200
    text = page.text
    assert text.count("<h1") == 1
    for shown in (world.student_a.full_name, "VII-A", GUIDANCE, world.counselor.get_full_name()):
        assert shown in text
    # The one who may see the case is sent back to it.
    assert f'href="{reverse("casework:detail", args=[case.pk])}"' in text


def test_a_teacher_of_the_class_off_the_team_reads_it_and_nothing_else(world, case, login):
    client = login(class_teacher(world))
    assert client.get(reverse("casework:detail", args=[case.pk])).status_code == 404
    page = client.get(_url(case))
    assert page.status_code == 200
    assert GUIDANCE in page.text and world.student_a.full_name in page.text
    hidden = [
        NOTE,
        "Maybe trouble with friends.",  # the referring teacher's view (perspectives)
        "Low confidence, not ability.",  # the counselor's assessment
        "Shared summary for the team.",
        case.goal.statement,  # the plan
        case.action.description,
        case.entry.note,  # the evaluation log
        "Ruang BK",  # the meeting
        "Stops working after ten minutes",  # the referral
        world.teacher.get_full_name(),  # the team
        f'href="{reverse("casework:detail", args=[case.pk])}"',
    ]
    for text in hidden:
        assert text not in page.text, text


def test_it_checks_who_teaches_the_class_this_term(world, case, login):
    past_term = f.TermFactory(
        school=world.school,
        year=world.term.year,
        name="Semester 2 (past)",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 6, 30),
        is_current=False,
    )
    last_term = class_teacher(world, term=past_term, username="past")
    other_class = class_teacher(world, classroom=world.class_b, username="other")
    for user in (last_term, other_class, world.other_teacher, world.admin, world.outsider):
        assert login(user).get(_url(case)).status_code == 404, user.username


def test_team_homeroom_and_vice_principal_read_it(world, case, login):
    CaseMember.objects.filter(case=case, user=world.homeroom).delete()
    for user in (world.teacher, world.homeroom, world.counselor2, world.vp):
        assert login(user).get(_url(case)).status_code == 200, user.username


def test_it_checks_the_school(world, login):
    case_o = accepted_case(world, student=world.other_student, teacher=world.outsider, counselor=world.outsider)
    assert login(world.counselor).get(_url(case_o)).status_code == 404
    assert login(world.outsider).get(_url(case_o)).status_code == 200


def test_it_requires_sign_in_and_rejects_post(world, case, client, login):
    response = client.get(_url(case))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert login(world.counselor).post(_url(case)).status_code == 405


def test_it_writes_an_audit_view_row(world, case, login):
    teacher = class_teacher(world)
    login(teacher).get(_url(case))
    row = AuditEvent.objects.get(actor=teacher, action=AuditAction.VIEW)
    assert (row.action, row.case_id, row.student_id) == (AuditAction.VIEW, case.pk, world.student_a.pk)
    assert row.detail == {"step": "classroom"}


def test_the_lead_counselor_is_a_whatsapp_message_away(world, case, login):
    world.counselor.whatsapp = "+6281234567890"
    world.counselor.save(update_fields=["whatsapp"])
    page = login(class_teacher(world)).get(_url(case)).text
    assert "https://wa.me/6281234567890?text=" in page
    # Not to themselves.
    assert "https://wa.me/" not in login(world.counselor).get(_url(case)).text


def test_the_case_page_shares_a_link_to_it_and_the_print_view_does_not(world, case, login, settings):
    settings.SITE_URL = "https://sinergi.example.sch.id"
    client = login(world.teacher)
    link = f"https://sinergi.example.sch.id{_url(case)}"
    assert link in client.get(reverse("casework:detail", args=[case.pk])).text
    assert _url(case) not in client.get(reverse("casework:print", args=[case.pk])).text


def test_a_teachers_tasks_list_the_guidance_of_students_they_teach(world, case, login):
    teacher = class_teacher(world)
    # A case of another class and a case without guidance are not listed.
    accepted_case(world, student=world.student_b, teacher=world.other_teacher, counselor=world.counselor2)
    Case.objects.filter(student=world.student_b).update(classroom_guidance="Elsewhere.")
    page = login(teacher).get(reverse("casework:tasks")).text
    assert _url(case) in page and world.student_a.full_name in page
    assert world.student_b.full_name not in page
    # The homeroom teacher of the class too; the other class's teacher only theirs.
    assert _url(case) in login(world.homeroom).get(reverse("casework:tasks")).text
    assert _url(case) not in login(world.other_teacher).get(reverse("casework:tasks")).text

    Case.objects.filter(pk=case.pk).update(classroom_guidance="")
    assert _url(case) not in login(teacher).get(reverse("casework:tasks")).text
    Case.objects.filter(pk=case.pk).update(classroom_guidance=GUIDANCE, status=CaseStatus.CLOSED, outcome="improved")
    assert _url(case) not in login(teacher).get(reverse("casework:tasks")).text
