from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.once import TOKEN_FIELD, landed, new_token, submit_once
from accounts.policy import actor_for
from audit.models import AuditAction, ObjectType
from audit.services import audit_record
from roster import selectors
from roster.forms import RosterImportForm
from roster.importing import pending, roster_import_commit, roster_import_preview
from roster.importing.kinds import key_label
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
            pending.discard_pending(request.session.pop(IMPORT_SESSION_KEY, None))
            messages.info(request, _("The import was cancelled: nothing was changed."))
            return redirect("roster:import")
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


class _NotImported(Exception):
    """The confirm imported nothing (the answer is in ``response``): the form token stays unspent."""

    def __init__(self, response):
        self.response = response


def _import_confirm(request, school):
    if (earlier := landed(request)) is not None:
        messages.success(request, earlier.message)
        return redirect(earlier.url)
    notes = []

    def commit():
        token = request.session.pop(IMPORT_SESSION_KEY, None)
        table = pending.load_pending(token, school=school, user=request.user)
        pending.discard_pending(token)
        if table is None:
            messages.warning(request, _("There is no import waiting to be confirmed. Please upload the file again."))
            raise _NotImported(redirect("roster:import"))
        result = roster_import_commit(school=school, table=table, good_rows_only=True)
        if not result.committed:
            context = _import_context(form=RosterImportForm(), result=result)
            raise _NotImported(render(request, "roster/import.html", context))
        audit_record(
            request=request,
            action=AuditAction.CHANGE,
            object_type=ObjectType.ROSTER,
            detail={"import": result.kind, **result.counts},
        )
        notes.extend(result.notes)
        return result

    def done(result):
        counts = result.counts
        message = _("%(kind)s imported: %(created)d new, %(updated)d changed, %(unchanged)d unchanged.") % {
            "kind": result.kind_label,
            "created": counts["created"],
            "updated": counts["updated"],
            "unchanged": counts["unchanged"],
        }
        return reverse("roster:import"), message

    try:
        landing = submit_once(request, token=request.POST.get(TOKEN_FIELD), create=commit, done=done)
    except _NotImported as nothing:
        return nothing.response
    messages.success(request, landing.message)
    for note in notes:
        messages.info(request, note)
    return redirect(landing.url)


def import_example(request, name):
    """The example files of docs/examples/, as templates to fill in."""
    if name not in IMPORT_EXAMPLES or not (EXAMPLES_DIR / name).is_file():
        raise Http404
    return FileResponse(
        open(EXAMPLES_DIR / name, "rb"),  # noqa: SIM115 — FileResponse closes it
        as_attachment=True,
        filename=name,
        content_type=IMPORT_EXAMPLES[name],
    )
