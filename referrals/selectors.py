"""Read-side queries that shape referral data for pages.

List pages run a fixed number of queries whatever the number of referrals:
rows come with select_related, categories with one prefetch, and the school
calendar (holidays) is loaded once per request.
"""

from django.db.models import Case, Count, IntegerField, Prefetch, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from referrals.models import (
    URGENCY_RANK,
    ConcernCategory,
    InputRequest,
    Referral,
    ReferralAttachment,
    Status,
)
from roster.models import Classroom, Student, TeachingAssignment, Term
from roster.schooldays import TRIAGE_DEADLINE_SCHOOL_DAYS, SchoolCalendar
from roster.search import name_contains

_LIST_RELATED = ("student__classroom", "referred_by", "case")


def _with_categories(qs):
    return qs.prefetch_related(Prefetch("categories", queryset=ConcernCategory.objects.order_by("position", "name")))


def teacher_referrals(*, teacher, school):
    """A teacher's own referrals, newest first."""
    qs = Referral.objects.for_school(school).filter(referred_by=teacher).select_related(*_LIST_RELATED)
    return _with_categories(qs).order_by("-created_at", "-id")


def urgency_rank():
    return Case(
        *[When(urgency=urgency, then=Value(rank)) for urgency, rank in URGENCY_RANK.items()],
        default=Value(9),
        output_field=IntegerField(),
    )


def triage_queue(*, school):
    """The school's referrals, urgent first, then the longest waiting."""
    qs = Referral.objects.for_school(school).select_related(*_LIST_RELATED).annotate(urgency_rank=urgency_rank())
    return _with_categories(qs).order_by("urgency_rank", "submitted_at", "id")


def status_counts(qs):
    """[(status, count)] for every status, in one query: GROUP BY status over
    the (school, status, student) index, nothing else of the referrals read
    unless a filter needs it."""
    counts = dict(qs.order_by().values_list("status").annotate(n=Count("*")).values_list("status", "n"))
    return [(status, counts.get(status.value, 0)) for status in Status]


def referral_for_page(qs, pk):
    """One referral with what its page shows, or Referral.DoesNotExist."""
    return qs.select_related(
        "student__classroom__homeroom_teacher",
        "student__classroom__counselor",
        "referred_by",
        "subject",
        "case__lead_counselor",
        "triaged_by",
    ).get(pk=pk)


def timeline(referral):
    return referral.events.select_related("actor").order_by("created_at", "id")


def attachments(referral):
    return ReferralAttachment.objects.filter(referral=referral).order_by("created_at", "id")


def input_requests(referral):
    return referral.input_requests.select_related("requested_from", "requested_by").order_by("created_at", "id")


def pending_input_requests(*, user, school):
    """What colleagues (counselors) asked this user and they have not answered yet."""
    return (
        InputRequest.objects.filter(requested_from=user, referral__school=school, answered_at__isnull=True)
        .select_related("referral__student__classroom", "requested_by")
        .order_by("created_at", "id")
    )


# The referral page.


def referral_contacts(referral, *, viewer):
    """The colleagues involved in a referral whom the viewer can reach on
    WhatsApp, each once, with what they are to it: [(user, role)]. Reads only
    what referral_for_page loaded."""
    classroom = referral.student.classroom
    case = referral.case
    people = [
        (referral.referred_by, _("Referring teacher")),
        (case.lead_counselor if case else None, _("Lead counselor")),
        (referral.triaged_by, _("Counselor who triaged it")),
        (classroom.counselor if classroom else None, _("Counselor for the class")),
        (classroom.homeroom_teacher if classroom else None, _("Homeroom teacher")),
    ]
    contacts, seen = [], {viewer.pk}
    for person, role in people:
        if person is None or person.pk in seen or not person.is_active or not person.whatsapp:
            continue
        seen.add(person.pk)
        contacts.append((person, role))
    return contacts


# The calendar.


def calendar_for(school):
    """The school's working week and holidays (one query)."""
    return SchoolCalendar(school)


def age_in_school_days(referral, calendar, today=None):
    today = today or timezone.localdate()
    return calendar.days_between(timezone.localdate(referral.submitted_at), today)


def triage_due_on(referral, calendar):
    return calendar.add(timezone.localdate(referral.submitted_at), TRIAGE_DEADLINE_SCHOOL_DAYS)


def is_overdue(referral, calendar, today=None):
    """Waiting for triage for more than the deadline allows."""
    return (
        referral.status == Status.SUBMITTED
        and age_in_school_days(referral, calendar, today) > TRIAGE_DEADLINE_SCHOOL_DAYS
    )


def with_ages(referrals, calendar, today=None):
    """Set ``age`` (school days since submission) and ``overdue`` on each row."""
    today = today or timezone.localdate()
    rows = list(referrals)
    for r in rows:
        r.age = age_in_school_days(r, calendar, today)
        r.overdue = r.status == Status.SUBMITTED and r.age > TRIAGE_DEADLINE_SCHOOL_DAYS
    return rows


# The form.


def current_term(school):
    return Term.objects.current(school)


def teacher_classroom_ids(*, teacher, school):
    term = current_term(school)
    return set(
        TeachingAssignment.objects.for_school(school)
        .filter(teacher=teacher, term=term)
        .values_list("classroom_id", flat=True)
    ) | set(Classroom.objects.for_school(school).filter(homeroom_teacher=teacher).values_list("id", flat=True))


MIN_SEARCH_LENGTH = 2
SEARCH_LIMIT = 20


def student_search(*, school, teacher, q, limit=SEARCH_LIMIT):
    """Active students of the school whose name or NISN contains ``q``; the
    teacher's own classes first. Returns at most ``limit`` rows."""
    q = (q or "").strip()
    if len(q) < MIN_SEARCH_LENGTH:
        return []
    own = teacher_classroom_ids(teacher=teacher, school=school)
    match = name_contains("full_name", q)
    if q.isdigit():
        match |= Q(nisn__contains=q) | Q(nis=q)
    qs = (
        Student.objects.for_school(school)
        .active()
        .filter(match)
        .select_related("classroom")
        .annotate(own=Case(When(classroom_id__in=own, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("own", "full_name", "id")
    )
    return list(qs[:limit])


def students_for_form(school):
    return Student.objects.for_school(school).active().select_related("classroom")


def subject_taught(*, teacher, student):
    """What the teacher teaches the student's class this term (the first, if several)."""
    if not student.classroom_id:
        return None
    assignment = (
        TeachingAssignment.objects.filter(
            teacher=teacher, classroom_id=student.classroom_id, term=current_term(student.school)
        )
        .select_related("subject")
        .order_by("subject__name")
        .first()
    )
    return assignment.subject if assignment else None


def active_categories(school):
    return ConcernCategory.objects.for_school(school).filter(is_active=True).order_by("position", "name")


def school_counselors(school):
    return User.objects.with_role(school, Role.COUNSELOR).order_by("full_name")


def input_candidates(referral):
    """Colleagues who know the student: this term's subject teachers of the
    student's class and its homeroom teacher, without the referring teacher.
    Returns [(user, description)] sorted by name."""
    classroom = referral.student.classroom
    if classroom is None:
        return []
    found = {}
    assignments = (
        TeachingAssignment.objects.filter(classroom=classroom, term=current_term(referral.school))
        .select_related("teacher", "subject")
        .order_by("subject__name")
    )
    for a in assignments:
        if a.teacher.is_active:
            found.setdefault(a.teacher.pk, (a.teacher, []))[1].append(a.subject.name)
    roles = {pk: ", ".join(subjects) for pk, (_user, subjects) in found.items()}
    users = {pk: user for pk, (user, _s) in found.items()}
    homeroom = classroom.homeroom_teacher
    if homeroom is not None and homeroom.is_active:
        users[homeroom.pk] = homeroom
        roles[homeroom.pk] = roles.get(homeroom.pk, "")
    users.pop(referral.referred_by_id, None)
    result = []
    for pk, user in users.items():
        result.append((user, roles[pk], homeroom is not None and pk == homeroom.pk))
    return sorted(result, key=lambda item: item[0].get_full_name())
