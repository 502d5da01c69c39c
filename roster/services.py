"""Roster changes that span several rows."""

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
