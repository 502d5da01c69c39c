"""Read-side queries that shape roster data for pages."""

from django.db.models import Count, Q

from roster.models import Classroom, TeachingAssignment, Term


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
