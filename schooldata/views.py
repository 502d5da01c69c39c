from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.once import TOKEN_FIELD, new_token
from accounts.policy import actor_for, may_refer
from common.rules import RuleError
from referrals.views import PREFILL_SESSION_KEY
from roster.importing import pending
from roster.importing.steps import example_download, import_cancel, import_confirm
from roster.models import Student
from schooldata import services
from schooldata.forms import DismissForm, SchoolDataImportForm, ScoreEntryForm
from schooldata.importing import DataTable, schooldata_commit, schooldata_preview
from schooldata.warnings import early_warnings, warning_classroom_ids

IMPORT_SESSION_KEY = "schooldata_import"

IMPORT_EXAMPLES = {
    "leger-nilai.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "nilai-rapor.csv": "text/csv",
    "rekap-absensi.csv": "text/csv",
    "absensi-harian.csv": "text/csv",
}
EXAMPLES_DIR = settings.BASE_DIR / "docs" / "examples"


def import_school_data(request):
    """Upload a grade ledger or an attendance recap, see what it will do, then import it (school admins)."""
    actor = actor_for(request)
    school = actor.school
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "confirm":
            return _import_confirm(request, school)
        if action == "cancel":
            return import_cancel(request, session_key=IMPORT_SESSION_KEY, url_name="schooldata:import")
        form = SchoolDataImportForm(request.POST, request.FILES, school=school)
        if form.is_valid():
            return _import_preview(request, school, form)
    else:
        form = SchoolDataImportForm(school=school)
    return render(request, "schooldata/import.html", _import_context(form=form))


def _import_context(*, form, result=None, filename=""):
    return {
        "form": form,
        "result": result,
        "filename": filename,
        "key_label": _("Student"),
        "examples": list(IMPORT_EXAMPLES),
    }


def _import_preview(request, school, form):
    pending.discard_pending(request.session.pop(IMPORT_SESSION_KEY, None))
    upload = form.cleaned_data["file"]
    result, table = schooldata_preview(
        school=school, data=upload.read(), kind=form.cleaned_data["kind"] or None, options=form.options()
    )
    fresh = SchoolDataImportForm(school=school, initial={k: v for k, v in form.cleaned_data.items() if k != "file"})
    context = _import_context(form=fresh, result=result, filename=upload.name)
    if result.importable:
        request.session[IMPORT_SESSION_KEY] = pending.save_pending_data(
            data=table.to_dict(), school=school, user=request.user
        )
        context[TOKEN_FIELD] = new_token()
    return render(request, "schooldata/import.html", context)


def _import_confirm(request, school):
    def load(token):
        data = pending.load_pending_data(token, school=school, user=request.user)
        try:
            return DataTable.from_dict(data) if data is not None else None
        except (ValueError, KeyError, TypeError):
            return None

    def not_committed(result):
        context = _import_context(form=SchoolDataImportForm(school=school), result=result)
        return render(request, "schooldata/import.html", context)

    return import_confirm(
        request,
        session_key=IMPORT_SESSION_KEY,
        url_name="schooldata:import",
        load=load,
        commit=lambda table: schooldata_commit(school=school, table=table, good_rows_only=True),
        not_committed=not_committed,
    )


def import_example(request, name):
    return example_download(name, examples=IMPORT_EXAMPLES, folder=EXAMPLES_DIR)


def early_warning(request):
    """Students of my classes whose grades or attendance crossed a threshold,
    with no open referral or case: refer, or "not needed" with a reason."""
    actor = actor_for(request)
    dismiss_errors = {}
    if request.method == "POST":
        student_id = request.POST.get("student", "")
        if not (student_id.isascii() and student_id.isdigit()):
            return redirect("schooldata:early_warning")
        if request.POST.get("action") == "refer":
            if not may_refer(actor):
                raise PermissionDenied
            try:
                prefill = services.referral_prefill(actor=actor, student_id=int(student_id))
            except RuleError as error:
                messages.warning(request, str(error))
                return redirect("schooldata:early_warning")
            request.session[PREFILL_SESSION_KEY] = prefill
            return redirect(f"{reverse('referrals:new')}?student={prefill['student']}")
        form = DismissForm(request.POST)
        if form.is_valid():
            try:
                services.warning_dismiss(actor=actor, student_id=int(student_id), reason=form.cleaned_data["reason"])
            except RuleError as error:
                dismiss_errors[int(student_id)] = str(error)
            else:
                messages.success(request, _("Noted: the student leaves the list until the figures change."))
                return redirect("schooldata:early_warning")
        else:
            dismiss_errors[int(student_id)] = " ".join(e for errors in form.errors.values() for e in errors)
    classrooms, warnings, thresholds = early_warnings(school=actor.school, classroom_ids=warning_classroom_ids(actor))
    groups = [(classroom, warnings[classroom.pk]) for classroom in classrooms]
    for _classroom, rows in groups:
        for warning in rows:
            warning.dismiss_error = dismiss_errors.get(warning.student.pk, "")
    context = {"groups": groups, "thresholds": thresholds, "can_refer": may_refer(actor)}
    return render(request, "schooldata/early_warning.html", context)


def enter_scores(request):
    """A subject teacher's scores for one assessment of a class they teach, from a phone."""
    actor = actor_for(request)
    choices = services.teaching_choices(actor=actor)
    chosen_id = request.POST.get("assignment") or request.GET.get("assignment") or ""
    assignment = next((a for a in choices if str(a.pk) == chosen_id), None)
    context = {"choices": choices, "assignment": assignment, "unknown": bool(chosen_id) and assignment is None}
    if assignment is None:
        return render(request, "schooldata/scores.html", context)
    students = (
        Student.objects.for_school(actor.school).active().filter(classroom=assignment.classroom).order_by("full_name")
    )
    if request.method == "POST":
        form = ScoreEntryForm(request.POST, students=students)
        if form.is_valid():
            data = form.cleaned_data
            try:
                new, changed = services.scores_enter(
                    actor=actor, assignment=assignment, name=data["name"], date=data["date"], scores=data["scores"]
                )
            except RuleError as error:
                form.add_error(error.field, str(error))
            else:
                messages.success(
                    request,
                    _("Scores saved for %(subject)s · %(name)s in %(class)s: %(new)d new, %(changed)d changed.")
                    % {
                        "subject": assignment.subject.name,
                        "name": " ".join(data["name"].split()),
                        "class": assignment.classroom.name,
                        "new": new,
                        "changed": changed,
                    },
                )
                return redirect(f"{reverse('schooldata:scores')}?assignment={assignment.pk}")
    else:
        form = ScoreEntryForm(students=students)
    context["form"] = form
    return render(request, "schooldata/scores.html", context)
