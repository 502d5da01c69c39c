"""Writes of the early-warning list (the imports write through
schooldata.importing.schooldata_commit)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.policy import as_actor, may_refer
from common.rules import RuleError
from schooldata.models import WarningDismissal
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
