"""Roster changes that span several rows."""

from common import report_version
from roster.models import Enrollment, Student, Term


def enroll(*, student: Student, classroom, term: Term) -> Enrollment:
    """Put a student in a class for a term; the current term also sets Student.classroom."""
    enrollment, _created = Enrollment.objects.update_or_create(
        student=student, term=term, defaults={"classroom": classroom, "school": student.school}
    )
    if term.is_current and student.classroom_id != classroom.id:
        student.classroom = classroom
        student.save(update_fields=["classroom"])
    return enrollment


def enroll_many(*, placements, term: Term) -> None:
    """enroll() for many (student, classroom) pairs at once, in a fixed number of
    queries: used by the roster import. The students must be saved."""
    placements = list(placements)
    if not placements:
        return
    existing = {e.student_id: e for e in Enrollment.objects.filter(term=term, student__in=[s for s, _c in placements])}
    new, moved = [], []
    for student, classroom in placements:
        enrollment = existing.get(student.pk)
        if enrollment is None:
            new.append(Enrollment(school_id=student.school_id, student=student, classroom=classroom, term=term))
        elif enrollment.classroom_id != classroom.pk:
            enrollment.classroom = classroom
            moved.append(enrollment)
    Enrollment.objects.bulk_create(new, batch_size=500)
    Enrollment.objects.bulk_update(moved, ["classroom"], batch_size=500)
    if term.is_current:
        relinked = []
        for student, classroom in placements:
            if student.classroom_id != classroom.pk:
                student.classroom = classroom
                relinked.append(student)
        Student.objects.bulk_update(relinked, ["classroom"], batch_size=500)
        # bulk_update sends no signals: reports by grade and class change.
        for school_id in {student.school_id for student in relinked}:
            report_version.bump(school_id)
