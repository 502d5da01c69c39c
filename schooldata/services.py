"""Writes of the early-warning list (the imports write through
schooldata.importing.schooldata_commit)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.policy import as_actor, may_enter_scores, may_refer
from common.rules import RuleError
from roster.models import Student, TeachingAssignment
from schooldata.hooks import after_import
from schooldata.models import Assessment, Score, WarningDismissal
from schooldata.warnings import warning_for

REASON_MAX = 300


@transaction.atomic
def warning_dismiss(*, actor, student_id, reason) -> WarningDismissal:
    """ "Not needed": the student leaves the list until their figures change."""
    actor = as_actor(actor)
    reason = " ".join((reason or "").split())
    if not reason:
        raise RuleError(_("Say why no referral is needed."), field="reason")
    if len(reason) > REASON_MAX:
        raise RuleError(_("At most %(max)d characters.") % {"max": REASON_MAX}, field="reason")
    warning = warning_for(actor=actor, student_id=student_id)
    if warning is None:
        raise RuleError(_("This student is no longer on the list."))
    dismissal, _created = WarningDismissal.objects.select_for_update().update_or_create(
        student=warning.student,
        defaults={
            "school": actor.school,
            "signature": warning.signature,
            "reason": reason,
            "dismissed_by": actor.user,
        },
    )
    return dismissal


def referral_prefill(*, actor, student_id) -> dict:
    """What the referral form is filled in with when a teacher refers from the
    list: the observation with the figures, the weakest subject and its score,
    the unexcused absences. Kept in the session, never in the URL."""
    actor = as_actor(actor)
    if not may_refer(actor):
        raise PermissionDenied
    warning = warning_for(actor=actor, student_id=student_id)
    if warning is None:
        raise RuleError(_("This student is no longer on the list."))
    prefill = {"student": warning.student.pk, "observation": warning.observation}
    if warning.lowest:
        subject_id, _name, average = warning.lowest
        prefill["subject"] = subject_id
        prefill["latest_score"] = str(average)
    if warning.absences is not None:
        prefill["absences_30_days"] = warning.absences
    return prefill


def teaching_choices(*, actor):
    """The actor's teaching assignments of the current term: (class, subject) to enter scores for."""
    actor = as_actor(actor)
    if actor.school is None:
        return []
    return list(
        TeachingAssignment.objects.for_school(actor.school)
        .filter(teacher=actor.user, term__is_current=True)
        .select_related("classroom", "subject", "term")
        .order_by("classroom__grade", "classroom__name", "subject__name")
    )


@transaction.atomic
def scores_enter(*, actor, assignment, name, date, scores) -> tuple[int, int]:
    """A teacher's scores for one assessment of a class they teach: ``scores``
    maps student ids (students of the class) to a score, or None to leave a
    stored score as it is. Returns (new, changed)."""
    actor = as_actor(actor)
    if not may_enter_scores(actor) or assignment.teacher_id != actor.user.pk or not assignment.term.is_current:
        raise PermissionDenied
    name = " ".join((name or "").split())
    if not name:
        raise RuleError(_("Name the assessment, for example UH 2 or PTS."), field="name")
    if len(name) > 60:
        raise RuleError(_("At most %(max)d characters.") % {"max": 60}, field="name")
    if date is not None and date > timezone.localdate():
        raise RuleError(_("The date cannot be in the future."), field="date")
    allowed = set(
        Student.objects.for_school(actor.school)
        .active()
        .filter(classroom=assignment.classroom)
        .values_list("pk", flat=True)
    )
    wanted = {pk: value for pk, value in scores.items() if value is not None}
    if not set(wanted) <= allowed:
        raise RuleError(
            _("Only students of %(class)s can be given scores here.") % {"class": assignment.classroom.name}
        )
    if not wanted:
        raise RuleError(_("Enter at least one score."))
    assessment, _created = Assessment.objects.select_for_update().get_or_create(
        term=assignment.term,
        classroom=assignment.classroom,
        subject=assignment.subject,
        name=name,
        defaults={"school": actor.school, "date": date},
    )
    if date is not None and assessment.date != date:
        assessment.date = date
        assessment.save(update_fields=["date"])
    current = {s.student_id: s for s in Score.objects.select_for_update().filter(assessment=assessment)}
    new = changed = 0
    for student_id, value in wanted.items():
        score = current.get(student_id)
        if score is None:
            Score.objects.create(assessment=assessment, student_id=student_id, value=value)
            new += 1
        elif score.value != value:
            score.value = value
            score.save(update_fields=["value", "updated_at"])
            changed += 1
    after_import(student_ids=set(wanted))
    return new, changed
