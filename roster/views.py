from django.conf import settings
from django.shortcuts import render

from accounts.once import TOKEN_FIELD, new_token
from accounts.policy import actor_for
from roster import selectors
from roster.forms import RosterImportForm
from roster.importing import pending, roster_import_commit, roster_import_preview
from roster.importing.kinds import key_label
from roster.importing.steps import example_download, import_cancel, import_confirm
from roster.models import Classroom, Student, Subject, TeachingAssignment, Term


def overview(request):
    """The school at a glance, shaped by the user's roles."""
    actor = actor_for(request)
    school = actor.school
    term = Term.objects.current(school)
    context = {"school": school, "current_term": term}
    if actor.is_teacher:
        context["teaching"] = selectors.teaching_for(teacher=request.user, school=school, term=term)
        if actor.is_homeroom_teacher:
            context["homeroom_classes"] = selectors.classrooms_with_counts(
                school=school, classroom_ids=actor.homeroom_classroom_ids
            )
    if actor.is_teacher or actor.is_counselor or actor.is_vice_principal:
        context["week"] = selectors.week_of(user=request.user, school=school, term=term)
    if actor.is_counselor:
        context["covered_classes"] = selectors.classrooms_with_counts(school=school).filter(counselor=request.user)
    if actor.may("roster", "all_classes"):
        context["all_classes"] = selectors.classrooms_with_counts(school=school)
    if actor.may("roster", "manage"):
        context["roster_counts"] = {
            "students": Student.objects.for_school(school).active().count(),
            "classrooms": Classroom.objects.for_school(school).count(),
            "subjects": Subject.objects.for_school(school).count(),
            "assignments": TeachingAssignment.objects.for_school(school).count(),
        }
    return render(request, "roster/overview.html", context)


IMPORT_SESSION_KEY = "roster_import"
IMPORT_EXAMPLES = {
    "students.csv": "text/csv",
    "staff.csv": "text/csv",
    "classrooms.csv": "text/csv",
    "assignments.csv": "text/csv",
    "bell-schedule.csv": "text/csv",
    "timetable.csv": "text/csv",
    "timetable-grid.csv": "text/csv",
    "dapodik-students.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXAMPLES_DIR = settings.BASE_DIR / "docs" / "examples"


def import_roster(request):
    """Upload a roster file, see what it will do, then import it (school admins)."""
    actor = actor_for(request)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "confirm":
            return _import_confirm(request, actor.school)
        if action == "cancel":
            return import_cancel(request, session_key=IMPORT_SESSION_KEY, url_name="roster:import")
        form = RosterImportForm(request.POST, request.FILES)
        if form.is_valid():
            return _import_preview(request, actor.school, form)
    else:
        form = RosterImportForm()
    return render(request, "roster/import.html", _import_context(form=form))


def _import_context(*, form, result=None, filename=""):
    return {
        "form": form,
        "result": result,
        "filename": filename,
        "key_label": key_label(result.kind) if result else "",
        "examples": list(IMPORT_EXAMPLES),
    }


def _import_preview(request, school, form):
    pending.discard_pending(request.session.pop(IMPORT_SESSION_KEY, None))
    upload, kind = form.cleaned_data["file"], form.cleaned_data["kind"]
    result, table = roster_import_preview(school=school, data=upload.read(), kind=kind)
    context = _import_context(form=RosterImportForm(initial={"kind": kind}), result=result, filename=upload.name)
    if result.importable:
        # The rows wait on the server; the confirm button only carries the session
        # and a one-time token (a resent confirm lands on the first import's message).
        request.session[IMPORT_SESSION_KEY] = pending.save_pending(table=table, school=school, user=request.user)
        context[TOKEN_FIELD] = new_token()
    return render(request, "roster/import.html", context)


def _import_confirm(request, school):
    def not_committed(result):
        return render(request, "roster/import.html", _import_context(form=RosterImportForm(), result=result))

    return import_confirm(
        request,
        session_key=IMPORT_SESSION_KEY,
        url_name="roster:import",
        load=lambda token: pending.load_pending(token, school=school, user=request.user),
        commit=lambda table: roster_import_commit(school=school, table=table, good_rows_only=True),
        not_committed=not_committed,
    )


def import_example(request, name):
    """The example files of docs/examples/, as templates to fill in."""
    return example_download(name, examples=IMPORT_EXAMPLES, folder=EXAMPLES_DIR)
