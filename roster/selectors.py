"""Read-side queries that shape roster data for pages."""

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from roster.freeslots import Timetable
from roster.models import (
    Absence,
    BusyBlock,
    Classroom,
    Holiday,
    Lesson,
    Period,
    TeachingAssignment,
    Term,
    Weekday,
)


def classrooms_with_counts(*, school, classroom_ids=None):
    qs = Classroom.objects.for_school(school).select_related("homeroom_teacher", "counselor")
    if classroom_ids is not None:
        qs = qs.filter(id__in=classroom_ids)
    return qs.annotate(student_count=Count("students", filter=Q(students__is_active=True)))


def teaching_for(*, teacher, school, term=None):
    term = term or Term.objects.current(school)
    return (
        TeachingAssignment.objects.for_school(school)
        .filter(teacher=teacher, term=term)
        .select_related("classroom", "subject")
        .order_by("classroom__grade", "classroom__name", "subject__name")
    )


def load_timetable(*, school, user_ids, today, term=None):
    """The finder's Timetable for these people (roster.freeslots), without
    Sinergi's meetings (casework adds them): six queries, whatever the number
    of people, lessons and days."""
    term = term or Term.objects.current(school)
    user_ids = list(user_ids)
    table = Timetable(
        days_per_week=school.school_days_per_week,
        holidays=set(Holiday.objects.for_school(school).values_list("date", flat=True)),
    )
    if term is None:
        return table
    table.first_day, table.last_day = term.starts_on, term.ends_on
    for weekday, number, starts_at, ends_at in Period.objects.filter(school=school, term=term).values_list(
        "weekday", "number", "starts_at", "ends_at"
    ):
        table.periods.setdefault(weekday, []).append((number, starts_at, ends_at))
    lessons = Lesson.objects.filter(
        school=school, assignment__term=term, assignment__teacher_id__in=user_ids
    ).values_list(
        "assignment__teacher_id", "weekday", "number", "assignment__subject__name", "assignment__classroom__name"
    )
    for teacher_id, weekday, number, subject, classroom in lessons:
        table.lessons.setdefault(teacher_id, {})[(weekday, number)] = _("teaching %(subject)s in %(classroom)s") % {
            "subject": subject,
            "classroom": classroom,
        }
    for user_id, weekday, starts_at, ends_at, reason in BusyBlock.objects.filter(
        school=school, user_id__in=user_ids
    ).values_list("user_id", "weekday", "starts_at", "ends_at", "reason"):
        table.busy.setdefault(user_id, []).append((weekday, starts_at, ends_at, reason))
    for user_id, starts_on, ends_on, reason in Absence.objects.filter(
        school=school, user_id__in=user_ids, ends_on__gte=today
    ).values_list("user_id", "starts_on", "ends_on", "reason"):
        table.absences.setdefault(user_id, []).append(
            (starts_on, ends_on, _("absent: %(reason)s") % {"reason": reason})
        )
    return table


def week_of(*, user, school, term=None):
    """A staff member's week for /roster/: each school day with its periods and
    what they teach in each, plus their weekly busy times (three queries)."""
    term = term or Term.objects.current(school)
    if term is None:
        return []
    taught = {
        (lesson.weekday, lesson.number): lesson
        for lesson in Lesson.objects.filter(
            school=school, assignment__term=term, assignment__teacher=user
        ).select_related("assignment__subject", "assignment__classroom")
    }
    busy = list(BusyBlock.objects.filter(school=school, user=user).order_by("starts_at"))
    days = {}
    for period in Period.objects.filter(school=school, term=term).order_by("weekday", "number"):
        if period.weekday >= school.school_days_per_week:
            continue
        day = days.setdefault(period.weekday, {"label": Weekday(period.weekday).label, "periods": [], "busy": []})
        day["periods"].append({"period": period, "lesson": taught.get((period.weekday, period.number))})
    for block in busy:
        if block.weekday in days:
            days[block.weekday]["busy"].append(block)
    return [days[weekday] for weekday in sorted(days)]
