"""Posting extra fields changes nothing (mass assignment).

Every create and edit form is posted with its own fields plus hostile ones:
another school, another owner or author, a status, a role, the superuser
flag, a confidential flag, another case or student, timestamps. Only the
form's own fields may change; rows created belong to the user's school, case
and name.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role
from casework.models import Action, Case, ConfidentialNote, EvaluationEntry, Goal, Meeting
from notifications.models import NotificationPreference
from referrals.models import ConcernCategory, InputRequest, Referral, Status
from roster.models import Student

pytestmark = pytest.mark.django_db

# Columns the app itself keeps up to date on every save.
BOOKKEEPING = {"updated_at", "version", "sequence"}


def hostile(g):
    """Extra fields an attacker might add to any form."""
    w = g.world
    return {
        "school": w.other_school.pk,
        "school_id": w.other_school.pk,
        "referred_by": w.outsider.pk,
        "author": w.outsider.pk,
        "owner": w.outsider.pk,
        "created_by": w.outsider.pk,
        "recipient": w.outsider.pk,
        "requested_from": w.outsider.pk,
        "requested_by": w.outsider.pk,
        "uploaded_by": w.outsider.pk,
        "triaged_by": w.outsider.pk,
        "responsible": w.outsider.pk,
        "lead_counselor": w.counselor2.pk,
        "case": g.case_o.pk,
        "referral": g.ref_o.pk,
        "student": w.other_student.pk,
        "meeting": g.case_o.meeting.pk,
        "status": "closed",
        "outcome": "resolved",
        "role": Role.SCHOOL_ADMIN,
        "is_superuser": "on",
        "is_staff": "on",
        "is_active": "",
        "confidential": "on",
        "is_final": "on",
        "username": "hijacked",
        "password": "x",
        "completed_at": "2020-01-01 00:00",
        "closed_at": "2020-01-01 00:00",
        "answered_at": "2020-01-01 00:00",
        "follow_up_done_at": "2020-01-01 00:00",
        "created_at": "2020-01-01 00:00",
        "digest_sent_on": "2020-01-01",
        "decline_reason": "hijacked",
        "latest_feedback": "hijacked",
        "dedupe_key": "hijacked",
    }


def snapshot(obj):
    obj.refresh_from_db()
    return model_to_dict(obj) | {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def changed(before, obj):
    after = snapshot(obj)
    return {k for k in after if after[k] != before.get(k)} - BOOKKEEPING


def post(client, url, data, g):
    return client.post(url, {**hostile(g), **data})


# Referrals ----------------------------------------------------------------------


def test_filing_a_referral(grid, clients):
    w = grid.world
    category = ConcernCategory.objects.filter(school=w.school).first()
    before = set(Referral.objects.values_list("pk", flat=True))
    data = {
        "student": w.student_a.pk,
        "categories": [category.pk],
        "observation": "Does not finish the exercises.",
        "observed_since": "weeks",
        "urgency": "routine",
        "contact_preference": "in_app",
        "parents_informed": "not_sure",
    }
    response = post(clients["teacher"], reverse("referrals:new"), data, grid)
    assert response.status_code == 302
    (new,) = Referral.objects.exclude(pk__in=before)
    assert (new.school, new.referred_by, new.student) == (w.school, w.teacher, w.student_a)
    assert (new.status, new.case, new.triaged_by, new.decline_reason, new.latest_feedback) == (
        Status.SUBMITTED,
        None,
        None,
        "",
        "",
    )
    # Another school's student is refused outright.
    response = post(clients["teacher"], reverse("referrals:new"), {**data, "student": w.other_student.pk}, grid)
    assert response.status_code == 200
    assert Referral.objects.exclude(pk__in=before).count() == 1


def test_triage_answers(grid, clients):
    w = grid.world
    counselor = clients["counselor"]
    ref = grid.ref_a
    before = snapshot(ref)
    response = post(counselor, reverse("referrals:ask", args=[ref.pk]), {"message": "Which lessons?"}, grid)
    assert response.status_code == 302
    assert changed(before, ref) <= {"status", "latest_feedback", "triaged_at", "triaged_by_id", "triaged_by"}
    assert (ref.status, ref.case, ref.school) == (Status.NEEDS_INFO, None, w.school)
    assert ref.triaged_by in (None, w.counselor)

    before = snapshot(ref)
    response = post(clients["teacher"], reverse("referrals:resubmit", args=[ref.pk]), {"message": "Maths."}, grid)
    assert response.status_code == 302
    assert changed(before, ref) <= {"status", "submitted_at"}
    assert (ref.status, ref.school, ref.referred_by) == (Status.SUBMITTED, w.school, w.teacher)

    before = snapshot(ref)
    response = post(counselor, reverse("referrals:decline", args=[ref.pk]), {"reason": "Handled in class."}, grid)
    assert response.status_code == 302
    assert changed(before, ref) <= {
        "status",
        "decline_reason",
        "latest_feedback",
        "triaged_at",
        "triaged_by_id",
        "triaged_by",
    }
    assert (ref.status, ref.decline_reason, ref.case) == (Status.DECLINED, "Handled in class.", None)


def test_accepting_into_an_open_case_keeps_its_lead(grid, clients):
    """Student B has case B (led by counselor2): a referral of theirs joins it,
    and a lead_counselor posted along is ignored."""
    w = grid.world
    ref = grid.ref_b
    case = grid.case_b
    case_before = snapshot(case)
    response = post(clients["counselor"], reverse("casework:accept_referral", args=[ref.pk]), {"message": ""}, grid)
    assert response.status_code == 302
    ref.refresh_from_db()
    assert (ref.status, ref.case) == (Status.ACCEPTED, case)
    assert changed(case_before, case) == set()
    assert case.lead_counselor == w.counselor2


def test_colleagues_input(grid, clients):
    w = grid.world
    item = dict(grid.inputs)["input_homeroom"]
    before = snapshot(item)
    response = post(
        clients["homeroom"],
        reverse("referrals:input", args=[item.pk]),
        {"rating": "struggling", "note": "Quiet."},
        grid,
    )
    assert response.status_code == 302
    assert changed(before, item) == {"rating", "note", "answered_at"}
    assert (item.requested_from, item.referral, item.requested_by) == (w.homeroom, grid.ref_a, w.counselor)
    assert item.answered_at.year == timezone.now().year

    # Asking a colleague of another school is refused: nothing is created.
    count = InputRequest.objects.count()
    response = post(
        clients["counselor"],
        reverse("referrals:request_input", args=[grid.ref_a.pk]),
        {"colleagues": [w.outsider.pk]},
        grid,
    )
    assert response.status_code == 200
    assert InputRequest.objects.count() == count


# Cases ----------------------------------------------------------------------------


def test_shared_texts(grid, clients):
    case = grid.case_a
    for name, data, fields in [
        ("casework:summary", {"summary": "New summary"}, {"summary"}),
        (
            "casework:assessment",
            {"counselor_assessment": "Anxious", "perspectives_to_discuss": "on"},
            {"counselor_assessment", "perspectives_to_discuss"},
        ),
        ("casework:guidance", {"classroom_guidance": "Seat near the front"}, {"classroom_guidance"}),
    ]:
        before = snapshot(case)
        response = post(clients["counselor"], reverse(name, args=[case.pk]), {**data, "version": case.version}, grid)
        assert response.status_code == 302, name
        assert changed(before, case) == fields, name
    # A made-up version is a conflict: nothing saved.
    before = snapshot(case)
    response = post(
        clients["counselor"], reverse("casework:summary", args=[case.pk]), {"summary": "X", "version": 999}, grid
    )
    assert response.status_code == 409
    assert changed(before, case) == set()
    assert case.version == before["version"]


def test_the_plan(grid, clients):
    w = grid.world
    case, counselor = grid.case_a, clients["counselor"]
    goals_b = Goal.objects.filter(case=grid.case_o).count()

    response = post(
        counselor,
        reverse("casework:goal_add", args=[case.pk]),
        {"statement": "Reads daily", "indicator": "Pages"},
        grid,
    )
    assert response.status_code == 302
    goal = Goal.objects.filter(case=case).latest("id")
    assert (goal.statement, goal.version) == ("Reads daily", 1)
    assert Goal.objects.filter(case=grid.case_o).count() == goals_b

    before = snapshot(goal)
    data = {"statement": "Reads every day", "indicator": "Pages", "version": goal.version}
    response = post(counselor, reverse("casework:goal_edit", args=[case.pk, goal.pk]), data, grid)
    assert response.status_code == 302
    assert changed(before, goal) == {"statement"}
    assert goal.case == case

    data = {"description": "Reading log", "responsible": w.teacher.pk, "goal": goal.pk}
    response = post(counselor, reverse("casework:action_add", args=[case.pk]), data, grid)
    assert response.status_code == 302
    action = Action.objects.filter(case=case).latest("id")
    assert (action.responsible, action.status, action.completed_at, action.meeting) == (
        w.teacher,
        "planned",
        None,
        None,
    )

    before = snapshot(action)
    data = {
        "description": "Reading log, daily",
        "responsible": w.teacher.pk,
        "goal": goal.pk,
        "status": "in_progress",
        "version": action.version,
    }
    response = post(counselor, reverse("casework:action_edit", args=[case.pk, action.pk]), data, grid)
    assert response.status_code == 302
    assert changed(before, action) == {"description", "status"}
    # Someone off the team (here: of another school) cannot be made responsible.
    before = snapshot(action)
    data = {**data, "responsible": w.outsider.pk, "version": action.version}
    response = post(counselor, reverse("casework:action_edit", args=[case.pk, action.pk]), data, grid)
    assert response.status_code == 200
    assert changed(before, action) == set()


def test_meetings_and_decisions(grid, clients):
    w = grid.world
    case, counselor = grid.case_a, clients["counselor"]
    starts = (timezone.localtime() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "kind": "coordination",
        "starts_at": starts,
        "duration_minutes": "30",
        "place": "Library",
        "attendees": [w.counselor.pk, w.teacher.pk],
    }
    response = post(counselor, reverse("casework:meeting_add", args=[case.pk]), data, grid)
    assert response.status_code == 302
    meeting = Meeting.objects.filter(case=case).latest("id")
    assert (meeting.created_by, meeting.sequence, meeting.minutes) == (w.counselor, 0, "")
    assert set(meeting.attendees.all()) == {w.counselor, w.teacher}

    before = snapshot(meeting)
    data = {
        **data,
        "minutes": "Agreed on a reading log.",
        "sequence": meeting.sequence,
        "attendees": [w.counselor.pk, w.outsider.pk],
    }
    response = post(counselor, reverse("casework:meeting_edit", args=[case.pk, meeting.pk]), data, grid)
    assert response.status_code == 200  # the outsider is not on the team
    assert changed(before, meeting) == set()
    data["attendees"] = [w.counselor.pk]
    response = post(counselor, reverse("casework:meeting_edit", args=[case.pk, meeting.pk]), data, grid)
    assert response.status_code == 302
    assert changed(before, meeting) == {"minutes", "attendees"}
    assert meeting.created_by == w.counselor

    data = {"description": "Call the parents", "responsible": w.teacher.pk}
    response = post(counselor, reverse("casework:decision_add", args=[case.pk, meeting.pk]), data, grid)
    assert response.status_code == 302
    action = Action.objects.filter(case=case).latest("id")
    assert (action.meeting, action.case, action.status) == (meeting, case, "planned")


def test_the_evaluation_log_and_notes(grid, clients):
    # Today when the test runs, not when the module was imported: a run that
    # crosses midnight in Jakarta would date the entry before the case opened.
    today = timezone.localdate()
    next_week = today + datetime.timedelta(days=7)
    w = grid.world
    case = grid.case_a
    data = {
        "kind": "observation",
        "date": today.isoformat(),
        "note": "Calmer.",
        "next_follow_up": next_week.isoformat(),
    }
    response = post(clients["counselor"], reverse("casework:entry_add", args=[case.pk]), data, grid)
    assert response.status_code == 302
    entry = EvaluationEntry.objects.filter(case=case).latest("id")
    assert (entry.author, entry.is_final, entry.follow_up_done_at) == (w.counselor, False, None)

    # A teacher writes about their own action only, and only the kinds a teacher may.
    count = EvaluationEntry.objects.count()
    teacher_data = {"kind": "session", "date": today.isoformat(), "action": case.action.pk, "note": "x"}
    response = post(clients["teacher"], reverse("casework:entry_add", args=[case.pk]), teacher_data, grid)
    assert response.status_code == 200
    assert EvaluationEntry.objects.count() == count
    teacher_data["action"] = grid.case_b.action.pk
    teacher_data["kind"] = "observation"
    response = post(clients["teacher"], reverse("casework:entry_add", args=[case.pk]), teacher_data, grid)
    assert response.status_code == 200
    assert EvaluationEntry.objects.count() == count

    response = post(
        clients["counselor"],
        reverse("casework:follow_up_add", args=[case.pk]),
        {"date": next_week.isoformat(), "note": "Check"},
        grid,
    )
    assert response.status_code == 302
    entry = EvaluationEntry.objects.filter(case=case).latest("id")
    assert (entry.author, entry.is_final, entry.case) == (w.counselor, False, case)

    response = post(clients["counselor"], reverse("casework:note_add", args=[case.pk]), {"body": "Private."}, grid)
    assert response.status_code == 302
    note = ConfidentialNote.objects.latest("id")
    assert (note.case, note.author) == (case, w.counselor)


def test_team_lead_status_and_closing(grid, clients):
    w = grid.world
    case = grid.case_a
    members = case.members.count()
    # The lead role is given by reassigning, never by adding someone.
    response = post(
        clients["counselor"],
        reverse("casework:team_add", args=[case.pk]),
        {"user": w.vp.pk, "role": "lead_counselor"},
        grid,
    )
    assert response.status_code == 200
    response = post(
        clients["counselor"],
        reverse("casework:team_add", args=[case.pk]),
        {"user": w.outsider.pk, "role": "subject_teacher"},
        grid,
    )
    assert response.status_code == 200
    assert case.members.count() == members
    response = post(
        clients["counselor"],
        reverse("casework:team_add", args=[case.pk]),
        {"user": w.vp.pk, "role": "vice_principal"},
        grid,
    )
    assert response.status_code == 302
    assert case.members.get(user=w.vp).role == "vice_principal"

    # A teacher on the team cannot name the lead counselor.
    before = snapshot(case)
    assert (
        post(
            clients["teacher"], reverse("casework:reassign", args=[case.pk]), {"counselor": w.counselor2.pk}, grid
        ).status_code
        == 403
    )
    assert changed(before, case) == set()

    before = snapshot(case)
    response = post(clients["counselor"], reverse("casework:status", args=[case.pk]), {"status": "closed"}, grid)
    assert response.status_code == 200  # closing has its own form
    assert changed(before, case) == set()

    before = snapshot(case)
    data = {"outcome": "improved", "final_note": "Reads daily now.", "rating": "better"}
    # Closing asks what happens to each action still open (#12).
    data |= {
        f"action_{pk}": "done"
        for pk in case.actions.filter(status__in=["planned", "in_progress"]).values_list("pk", flat=True)
    }
    closing = timezone.now()
    response = post(clients["counselor"], reverse("casework:close", args=[case.pk]), data, grid)
    assert response.status_code == 302
    assert changed(before, case) == {"status", "outcome", "closed_at"}
    assert (case.lead_counselor, case.school, case.student) == (w.counselor, w.school, w.student_a)
    assert closing <= case.closed_at <= timezone.now()


# The user's own settings -------------------------------------------------------------


def test_profile_and_notification_settings(grid, clients):
    w = grid.world
    user = w.teacher
    memberships = list(Membership.objects.filter(user=user).values_list("school_id", "role"))
    before = snapshot(user)
    data = {"full_name": "Sri W.", "email": "sri@example.sch.id", "whatsapp": "", "language": "en"}
    response = post(clients["teacher"], reverse("profile"), data, grid)
    assert response.status_code == 302
    assert changed(before, user) <= {"full_name", "email"}
    assert (user.is_superuser, user.is_staff, user.is_active, user.username) == (False, False, True, "teacher")
    assert list(Membership.objects.filter(user=user).values_list("school_id", "role")) == memberships

    others = list(NotificationPreference.objects.exclude(user=user).values())
    response = post(clients["teacher"], reverse("notifications:settings"), {"email": "on"}, grid)
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=user)
    assert (preference.email, preference.email_digest, preference.digest_sent_on) == (True, False, None)
    assert list(NotificationPreference.objects.exclude(user=user).values()) == others


def test_roster_import_goes_to_the_admins_school(grid, clients):
    w = grid.world
    csv = "nisn,nis,full_name,gender,birth_date,classroom\n9900000001,9001,Budi Baru,L,2013-02-03,VII-A\n"
    upload = SimpleUploadedFile("students.csv", csv.encode(), content_type="text/csv")
    client = clients["admin"]
    response = client.post(reverse("roster:import"), {**hostile(grid), "file": upload, "kind": "students"})
    assert response.status_code == 200
    response = client.post(reverse("roster:import"), {**hostile(grid), "action": "confirm"})
    assert response.status_code == 302
    student = Student.objects.get(nisn="9900000001")
    assert student.school == w.school
    assert not Student.objects.filter(school=w.other_school, nisn="9900000001").exists()


def test_a_teacher_cannot_accept_or_open_a_case(grid, clients):
    """Extra fields do not turn a teacher's post into a triage decision."""
    ref = grid.ref_a
    cases = Case.objects.count()
    for name in ("casework:accept_referral", "referrals:decline", "referrals:ask"):
        response = post(clients["teacher"], reverse(name, args=[ref.pk]), {"message": "x", "reason": "x"}, grid)
        assert response.status_code == 403
    ref.refresh_from_db()
    assert ref.status == Status.SUBMITTED and Case.objects.count() == cases
