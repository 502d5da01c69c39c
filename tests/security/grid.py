"""The access grid's world and URL builder, shared by the security tests.

``build_grid(world)`` adds to the standing cast a teacher of VII-A on no team
(``class_teacher``) and, through the apps' services,
one record of each kind in three places: in the scope of the subject teacher
and the homeroom teacher of VII-A (suffix ``_a``), in VIII-B where neither is
involved (``_b``), and at the other school (``_o``). ``url_entries()`` walks
the URL resolver; ``targets(entry, grid)`` fills a URL's parameters with each
of those records in turn and names the records check_url_access() needs.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import Role
from accounts.policy import Actor
from casework import services as casework
from casework.models import EntryKind, MeetingKind
from interventions import services as interventions
from notifications.models import NotificationKind
from notifications.services import notify
from referrals import services as referrals
from referrals.models import ConcernCategory, InputRequest, Since
from reports.models import ExportStatus, ReportExport
from tests import factories as f

# Who the grid signs in as, besides anonymous visitors: every role, the
# subject teacher (on case A's team, not on case B's), the homeroom teacher of
# VII-A (case A's student, not case B's), a teacher of VII-A on no team (reads
# case A's classroom guidance, nothing else of it) and the other school's user.
USERS = ["teacher", "homeroom", "class_teacher", "counselor", "counselor2", "vp", "admin", "outsider"]
# Who must never read a confidential note; the teacher of VIII-B is on case B's team.
NOT_COUNSELORS = ["teacher", "homeroom", "class_teacher", "other_teacher", "vp", "admin", "outsider"]
SIGNED_IN = sorted(set(USERS) | set(NOT_COUNSELORS))

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# The URL resolver ------------------------------------------------------------


@dataclass
class UrlEntry:
    name: str | None
    route: str
    params: tuple
    callback: object


def _walk(patterns, prefix="", namespace=None):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            full = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(entry.url_patterns, route, full)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            params = tuple(sorted(getattr(entry.pattern, "converters", {}) or {}))
            if not params:  # a regex pattern: its named groups
                params = tuple(sorted(entry.pattern.regex.groupindex))
            yield UrlEntry(name=name, route=route, params=params, callback=entry.callback)


def url_entries():
    """Every URL pattern of the project, with its namespaced name."""
    return list(_walk(get_resolver().url_patterns))


def is_admin(entry):
    return entry.route.startswith("admin/") or (entry.name or "").startswith("admin:")


# The world --------------------------------------------------------------------


def _categories(school):
    referrals.ensure_default_categories(school)
    return list(ConcernCategory.objects.filter(school=school).order_by("position")[:1])


def _file(by, school, student, *, attachment=False, observation="Stops working after ten minutes."):
    files = [(SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf"), "application/pdf")]
    return referrals.referral_submit(
        school=school,
        actor=by,
        student=student,
        categories=_categories(school),
        observation=observation,
        observed_since=Since.WEEKS,
        files=files if attachment else (),
    )


def _case(by, school, student, lead):
    referral = _file(by, school, student)
    casework.referral_accept(referral=referral, actor=lead, lead_counselor=lead)
    referral.refresh_from_db()
    case = referral.case
    case.referral = referral
    return case


def _plan(case, *, lead, responsible, attendees):
    today = timezone.localdate()
    goal = casework.goal_add(
        case=case,
        actor=lead,
        statement="Maths score back to the class average",
        indicator="Weekly quiz score",
        baseline=Decimal("55"),
        target=Decimal("70"),
        unit="points",
    )
    action = casework.action_add(
        case=case,
        actor=lead,
        description="Fraction practice after class",
        responsible=responsible,
        goal=goal,
        ends_on=today + datetime.timedelta(days=3),
    )
    meeting = casework.meeting_schedule(
        case=case,
        actor=lead,
        kind=MeetingKind.CASE_CONFERENCE,
        starts_at=timezone.now() + datetime.timedelta(days=2),
        duration_minutes=45,
        place="Ruang BK",
        attendees=attendees,
    )
    entry = casework.entry_add(
        case=case,
        actor=Actor(lead),
        kind=EntryKind.PROGRESS_CHECK,
        date=today,
        goal=goal,
        measured_value=Decimal("58"),
        note="Slightly better on fractions.",
        next_follow_up=today + datetime.timedelta(days=7),
    )
    case.refresh_from_db()
    case.goal, case.action, case.meeting, case.entry = goal, action, meeting, entry
    case.entries_for_grid = [entry]
    return case


def _notification(school, user, label):
    return notify(
        school=school, recipients=[user], kind=NotificationKind.ADDED_TO_TEAM, url="/notifications/", label=label
    )[0]


def _export(school, user):
    job = ReportExport.objects.create(
        school=school, requested_by=user, status=ExportStatus.DONE, filename="cases.csv", progress=100
    )
    job.file.save("cases.csv", ContentFile(b"case,student\n"), save=True)
    return job


def build_grid(world):
    """The world plus referrals, cases, plans, notifications, input requests
    and exports in three scopes (see the module's docstring)."""
    w = world
    g = SimpleNamespace(world=w)
    # Teaches IPA in VII-A this term and is on no case team.
    w.class_teacher = f.staff(w.school, "class_teacher", Role.TEACHER, full_name="Yusuf Hidayat")
    f.TeachingAssignmentFactory(
        teacher=w.class_teacher,
        classroom=w.class_a,
        subject=f.SubjectFactory(school=w.school, name="IPA"),
        term=w.term,
    )
    g.users = {name: getattr(w, name) for name in SIGNED_IN}

    g.ref_a = _file(w.teacher, w.school, w.student_a, attachment=True)
    g.ref_b = _file(w.other_teacher, w.school, w.student_b, attachment=True)
    g.ref_o = _file(w.outsider, w.other_school, w.other_student, attachment=True)
    g.referrals = [("ref_a", g.ref_a), ("ref_b", g.ref_b), ("ref_o", g.ref_o)]

    # Case A: VII-A, the teacher referred it and is responsible for an action
    # and attends the meeting; the homeroom teacher of VII-A is on the team.
    g.case_a = _plan(
        _case(w.teacher, w.school, w.student_a, w.counselor),
        lead=w.counselor,
        responsible=w.teacher,
        attendees=[w.counselor, w.teacher],
    )
    teacher_entry = casework.entry_add(
        case=g.case_a,
        actor=Actor(w.teacher),
        kind=EntryKind.PROGRESS_CHECK,
        date=timezone.localdate(),
        action=g.case_a.action,
        note="Finished the worksheet.",
        next_follow_up=timezone.localdate() + datetime.timedelta(days=5),
    )
    g.case_a.entries_for_grid.append(teacher_entry)
    # Case B: VIII-B, the teacher not involved; the homeroom teacher of VII-A,
    # not on its team, is invited to its meeting (sees that meeting only).
    g.case_b = _plan(
        _case(w.other_teacher, w.school, w.student_b, w.counselor2),
        lead=w.counselor2,
        responsible=w.other_teacher,
        attendees=[w.counselor2, w.other_teacher, w.homeroom],
    )
    # Case O: at the other school.
    g.case_o = _plan(
        _case(w.outsider, w.other_school, w.other_student, w.outsider),
        lead=w.outsider,
        responsible=w.outsider,
        attendees=[w.outsider],
    )
    g.cases = [("case_a", g.case_a), ("case_b", g.case_b), ("case_o", g.case_o)]

    g.notifications = [
        ("note_teacher", _notification(w.school, w.teacher, "N-teacher")),
        ("note_counselor", _notification(w.school, w.counselor, "N-counselor")),
        ("note_outsider", _notification(w.other_school, w.outsider, "N-outsider")),
    ]
    g.inputs = [
        (
            "input_homeroom",
            InputRequest.objects.create(referral=g.ref_a, requested_from=w.homeroom, requested_by=w.counselor),
        ),
        ("input_vp", InputRequest.objects.create(referral=g.ref_b, requested_from=w.vp, requested_by=w.counselor2)),
        (
            "input_outsider",
            InputRequest.objects.create(referral=g.ref_o, requested_from=w.outsider, requested_by=w.outsider),
        ),
    ]
    g.exports = [("export_vp", _export(w.school, w.vp)), ("export_outsider", _export(w.other_school, w.outsider))]
    g.groups = [
        ("group_a", _group(w.school, w.counselor, w.teacher, g.case_a)),
        ("group_b", _group(w.school, w.counselor2, w.other_teacher, g.case_b)),
        ("group_o", _group(w.other_school, w.outsider, w.outsider, g.case_o)),
    ]
    g.sittings = _sittings(w, g)
    return g


def _group(school, counselor, leader, case):
    """A group intervention run by ``leader`` with the student of ``case``."""
    group = interventions.group_create(actor=Actor(counselor), name="Remedial", leader=leader, measure="Quiz")
    interventions.group_add_member(group=group, actor=Actor(counselor), case=case, goal=case.goal)
    return group


def _sittings(w, g):
    """Forum sittings (issue #13): A invites the counselor, the teacher and the
    homeroom teacher, with items about case A, case B and referral B; B invites
    only the counselor of VIII-B and its teacher; O is at the other school."""
    from forums import services as forums
    from forums.models import AgendaItem, ItemKind

    soon = timezone.now() + datetime.timedelta(days=2)
    out = []
    for label, school, lead, people in [
        ("sitting_a", w.school, w.counselor, [w.counselor, w.teacher, w.homeroom]),
        ("sitting_b", w.school, w.counselor2, [w.counselor2, w.other_teacher]),
        ("sitting_o", w.other_school, w.outsider, [w.outsider]),
    ]:
        forum = forums.forum_for(school)
        forum.participants.set(people)
        sitting = forums.sitting_schedule(forum=forum, actor=Actor(lead), starts_at=soon)
        out.append((label, sitting))
    sitting_a = out[0][1]
    AgendaItem.objects.bulk_create(
        [
            AgendaItem(sitting=sitting_a, kind=ItemKind.PERSPECTIVES_DIFFER, case=g.case_a),
            AgendaItem(sitting=sitting_a, kind=ItemKind.PROPOSED_CLOSING, case=g.case_b),
            AgendaItem(sitting=sitting_a, kind=ItemKind.NEW_REFERRAL, referral=g.ref_b),
            AgendaItem(sitting=sitting_a, kind=ItemKind.ADDED, title="Jadwal remedial", added_by=w.teacher),
        ]
    )
    return out


# Filling in a URL --------------------------------------------------------------


@dataclass
class Target:
    """One way to fill in a URL's parameters, and the records it points at."""

    label: str
    kwargs: dict
    records: dict = field(default_factory=dict)

    def elsewhere(self, g):
        """True when the records belong to the other school."""
        return any(
            getattr(record, "school_id", None) == g.world.other_school.pk or record == g.world.outsider
            for record in self.records.values()
        )

    def path(self, name):
        return reverse(name, kwargs=self.kwargs)


def _case_targets(params, g):
    out = []
    for label, case in g.cases:
        base = {"case": case}
        if params == {"pk"}:
            out.append(Target(label, {"pk": case.pk}, base))
        elif params == {"pk", "goal_id"}:
            out.append(Target(label, {"pk": case.pk, "goal_id": case.goal.pk}, base))
        elif params == {"pk", "action_id"}:
            out.append(Target(label, {"pk": case.pk, "action_id": case.action.pk}, {**base, "action": case.action}))
        elif params == {"pk", "meeting_id"}:
            out.append(Target(label, {"pk": case.pk, "meeting_id": case.meeting.pk}, {**base, "meeting": case.meeting}))
        elif params == {"pk", "entry_id"}:
            for i, entry in enumerate(case.entries_for_grid):
                out.append(Target(f"{label}/entry{i}", {"pk": case.pk, "entry_id": entry.pk}, {**base, "entry": entry}))
        else:
            return None
    return out


def _referral_targets(params, g):
    out = []
    for label, referral in g.referrals:
        base = {"referral": referral}
        if params == {"pk"}:
            out.append(Target(label, {"pk": referral.pk}, base))
        elif params == {"pk", "attachment_id"}:
            attachment = referral.attachments.get()
            out.append(Target(label, {"pk": referral.pk, "attachment_id": attachment.pk}, base))
        else:
            return None
    return out


OWN_ROWS = {
    # parameter -> (the grid's rows, who owns a row)
    "notification_id": ("notifications", lambda row: row.recipient),
    "export_id": ("exports", lambda row: row.requested_by),
    "pk": ("inputs", lambda row: row.requested_from),  # referrals:input only
}


def targets(entry, rule, g):
    """Each way the grid fills in the URL; None when it does not know how
    (a new kind of URL: teach the grid)."""
    params = set(entry.params)
    if not params:
        return [Target("-", {})]
    if params == {"name"} and entry.name == "roster:import_example":
        return [Target("students.csv", {"name": "students.csv"})]
    if params == {"name"} and entry.name == "schooldata:import_example":
        return [Target("leger-nilai.xlsx", {"name": "leger-nilai.xlsx"})]
    if rule.scope in ("case", "classroom"):
        return _case_targets(params, g)
    if rule.scope == "meeting" and params == {"pk", "meeting_id"}:
        return _case_targets(params, g)
    if rule.scope == "referral":
        return _referral_targets(params, g)
    if rule.scope == "forum" and params == {"pk"}:
        return [Target(label, {"pk": s.pk}, {"forum": s}) for label, s in g.sittings]
    if rule.scope == "student" and params == {"student_id"}:
        w = g.world
        students = [("student_a", w.student_a), ("student_b", w.student_b), ("other_student", w.other_student)]
        return [Target(label, {"student_id": s.pk}, {"student": s}) for label, s in students]
    if rule.scope == "group" and params == {"pk"}:
        return [Target(label, {"pk": group.pk}, {"group": group}) for label, group in g.groups]
    if rule.scope == "own" and len(params) == 1:
        (param,) = params
        if param in OWN_ROWS and (param != "pk" or entry.name == "referrals:input"):
            rows, owner = OWN_ROWS[param]
            return [Target(label, {param: row.pk}, {"owner": owner(row)}) for label, row in getattr(g, rows)]
    return None
