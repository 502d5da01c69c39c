from django.shortcuts import render

from accounts.policy import actor_for
from roster import selectors
from roster.models import Classroom, Student, Subject, TeachingAssignment, Term


def overview(request):
    """The school at a glance, shaped by the user's roles."""
    actor = actor_for(request)
    actor.require("roster", "view")
    school = actor.school
    context = {"school": school, "current_term": Term.objects.current(school)}
    if actor.is_teacher:
        context["teaching"] = selectors.teaching_for(teacher=request.user, school=school)
        if actor.is_homeroom_teacher:
            context["homeroom_classes"] = selectors.classrooms_with_counts(
                school=school, classroom_ids=actor.homeroom_classroom_ids
            )
    if actor.is_counselor:
        context["covered_classes"] = selectors.classrooms_with_counts(school=school).filter(counselor=request.user)
    if actor.is_vice_principal or actor.is_school_admin:
        context["all_classes"] = selectors.classrooms_with_counts(school=school)
    if actor.is_school_admin:
        context["roster_counts"] = {
            "students": Student.objects.for_school(school).active().count(),
            "classrooms": Classroom.objects.for_school(school).count(),
            "subjects": Subject.objects.for_school(school).count(),
            "assignments": TeachingAssignment.objects.for_school(school).count(),
        }
    return render(request, "roster/overview.html", context)


def import_roster(request):
    actor = actor_for(request)
    actor.require("roster", "import")
    return render(request, "roster/import.html", {})
