"""A counselor exports everything held about one student (a guardian's access request)."""

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation

from accounts.policy import actor_for, resolved
from audit.models import AuditAction
from audit.services import audit_record
from privacy import export, selectors
from privacy.forms import StudentExportForm


def _student_for(request, student_id):
    """The student if they belong to the actor's school (404 otherwise); then
    the role: counselors only (403)."""
    actor = actor_for(request)
    student = resolved(request, "student") or selectors.export_student(actor=actor, student_id=student_id)
    if student is None:
        raise Http404
    return actor, student


def student_export(request, student_id):
    actor, student = _student_for(request, student_id)
    form = StudentExportForm(
        request.POST if request.method == "POST" else None,
        initial={"language": translation.get_language()},
    )
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["language"]
        include_confidential = form.cleaned_data["include_confidential"]
        record = selectors.student_record(student=student, include_confidential=include_confidential)
        with translation.override(language):
            archive, counts = export.build_zip(record, by=request.user)
        audit_record(
            request=request,
            action=AuditAction.EXPORT,
            obj=student,
            detail={"format": "zip", "purpose": "access_request", "language": language, **counts},
        )
        response = FileResponse(
            archive, as_attachment=True, filename=export.filename_for(student), content_type="application/zip"
        )
        response["Cache-Control"] = "private, no-store"
        return response
    latest_case = student.cases.order_by("-opened_at").first()
    back = reverse("casework:detail", args=[latest_case.pk]) if latest_case else reverse("home")
    return render(request, "privacy/student_export.html", {"student": student, "form": form, "back": back})
