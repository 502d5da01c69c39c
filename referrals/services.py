"""Referral changes: filing, withdrawing, triage and colleagues' input.

Every state change locks the referral row (select_for_update), asks the
referral whether its current status still allows it (Referral.allows), and
raises RuleError with a message for the user otherwise; two counselors acting
at once cannot both succeed.
Each change writes the timeline and the in-app notifications in the same
transaction. Notifications name the referral ("#12", Referral.notification_label),
never the student's concerns.
"""

import logging

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.policy import as_actor
from common.rules import RuleError
from notifications.models import NotificationKind
from notifications.services import notify
from referrals.models import (
    DEFAULT_CONCERN_CATEGORIES,
    ConcernCategory,
    EventKind,
    InputRequest,
    Referral,
    ReferralAttachment,
    ReferralEvent,
    Status,
    Urgency,
)

logger = logging.getLogger(__name__)


@transaction.atomic
def ensure_default_categories(school):
    """Give a school without any concern category the defaults. A new school
    gets them when it is created (referrals.receivers); the referral form calls
    this too, for schools created before that. A school that already has a
    list is left alone, so a default the admin deleted does not come back."""
    if ConcernCategory.objects.filter(school=school).exists():
        return
    ConcernCategory.objects.bulk_create(
        [
            ConcernCategory(school=school, code=code, name=name, position=position)
            for position, (code, name) in enumerate(DEFAULT_CONCERN_CATEGORIES, start=1)
        ],
        ignore_conflicts=True,
    )


# Who hears about what.


def submission_recipients(referral, *, school_counselors=None):
    """The counselor covering the student's class, or every counselor of the
    school when the class has none (``school_counselors()`` when given: a
    caller's cached list)."""
    classroom = referral.student.classroom
    if classroom is not None and classroom.counselor_id and classroom.counselor.is_active:
        return [classroom.counselor]
    if school_counselors is not None:
        return school_counselors()
    return list(User.objects.with_role(referral.school, Role.COUNSELOR))


def urgent_recipients(referral):
    """Vice principals also hear about urgent referrals."""
    return list(User.objects.with_role(referral.school, Role.VICE_PRINCIPAL))


def last_info_requester(referral):
    event = (
        referral.events.filter(kind=EventKind.INFO_REQUESTED).select_related("actor").order_by("-created_at", "-id")
    ).first()
    return event.actor if event else None


def _notify(referral, *, recipients, kind, by, url=None):
    notify(
        school=referral.school,
        recipients=recipients,
        kind=kind,
        url=url or referral.get_absolute_url(),
        label=referral.notification_label,
        exclude=by,
    )


def _event(referral, *, by, kind, message=""):
    return ReferralEvent.objects.create(referral=referral, actor=by, kind=kind, message=message)


def _locked(referral):
    """The referral row again, locked until the end of the transaction."""
    return Referral.objects.select_for_update().select_related("school", "student").get(pk=referral.pk)


# Teachers.


def referral_submit(
    *,
    school,
    actor,
    student,
    categories,
    observation,
    observed_since,
    subject=None,
    latest_score=None,
    absences_30_days=None,
    already_tried="",
    teacher_view="",
    urgency=Urgency.ROUTINE,
    contact_preference="in_app",
    parents_informed="not_sure",
    files=(),
):
    """File a referral. ``files`` are (uploaded file, detected content type)
    pairs already checked by the form.

    Files are written to storage as their rows are created, and storage is
    not part of the transaction: if anything here fails, the transaction
    rolls back and the files written so far are deleted too."""
    by = as_actor(actor).user
    if student.school_id != school.pk:
        raise RuleError(_("Choose a student of your school from the search."), field="student")
    stored = []
    try:
        with transaction.atomic():
            referral = Referral.objects.create(
                school=school,
                student=student,
                referred_by=by,
                subject=subject,
                observation=observation,
                observed_since=observed_since,
                latest_score=latest_score,
                absences_30_days=absences_30_days,
                already_tried=already_tried,
                teacher_view=teacher_view,
                urgency=urgency,
                contact_preference=contact_preference,
                parents_informed=parents_informed,
            )
            referral.categories.set(categories)
            for upload, content_type in files:
                _store_attachment(referral, upload=upload, content_type=content_type, by=by, stored=stored)
            _event(referral, by=by, kind=EventKind.SUBMITTED)
            urgent = urgency == Urgency.URGENT
            counselors = submission_recipients(referral)
            kind = NotificationKind.REFERRAL_URGENT if urgent else NotificationKind.REFERRAL_SUBMITTED
            _notify(referral, recipients=counselors, kind=kind, by=by)
            if urgent:
                _notify(referral, recipients=urgent_recipients(referral), kind=NotificationKind.REFERRAL_URGENT, by=by)
    except BaseException:
        _delete_stored(stored)
        raise
    return referral


def _store_attachment(referral, *, upload, content_type, by, stored):
    """Write the file, then its row. The stored name is a uuid
    (ReferralAttachment.file's upload_to); the name the teacher's phone gave is
    kept only for display. The name joins ``stored`` before the row is
    inserted, so a failing insert still leaves it to clean up."""
    attachment = ReferralAttachment(
        referral=referral,
        original_name=_safe_name(upload.name),
        content_type=content_type,
        size=upload.size,
        uploaded_by=by,
    )
    attachment.file.save(upload.name, upload, save=False)
    stored.append(attachment.file.name)
    attachment.save()


def _delete_stored(names):
    storage = ReferralAttachment._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except Exception:
            # Do not hide the error that made the submission fail.
            logger.exception("Could not delete %s after a failed referral submission", name)


def _safe_name(name):
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip() or "file"
    return name[-200:]


@transaction.atomic
def referral_withdraw(*, referral, actor):
    by = as_actor(actor).user
    referral = _locked(referral)
    if referral.referred_by_id != by.pk:
        raise PermissionDenied("Only the referring teacher may withdraw a referral.")
    referral.require("withdraw")
    referral.status = Status.WITHDRAWN
    referral.save(update_fields=["status", "updated_at"])
    _event(referral, by=by, kind=EventKind.WITHDRAWN)
    return referral


@transaction.atomic
def referral_resubmit(*, referral, actor, message):
    """The teacher answers a counselor's question; the referral goes back to
    the queue and its triage clock starts again."""
    by = as_actor(actor).user
    referral = _locked(referral)
    if referral.referred_by_id != by.pk:
        raise PermissionDenied("Only the referring teacher may resubmit a referral.")
    referral.require("resubmit")
    referral.status = Status.SUBMITTED
    referral.submitted_at = timezone.now()
    referral.save(update_fields=["status", "submitted_at", "updated_at"])
    _event(referral, by=by, kind=EventKind.RESUBMITTED, message=message)
    asked_by = last_info_requester(referral)
    recipients = [asked_by] if asked_by else submission_recipients(referral)
    _notify(referral, recipients=recipients, kind=NotificationKind.REFERRAL_RESUBMITTED, by=by)
    return referral


# Counselors.


def _triaged(referral, by):
    referral.triaged_at = timezone.now()
    referral.triaged_by = by


@transaction.atomic
def referral_ask_info(*, referral, actor, message):
    by = as_actor(actor).user
    referral = _locked(referral)
    referral.require("ask")
    referral.status = Status.NEEDS_INFO
    referral.latest_feedback = message
    referral.save(update_fields=["status", "latest_feedback", "updated_at"])
    _event(referral, by=by, kind=EventKind.INFO_REQUESTED, message=message)
    _notify(referral, recipients=[referral.referred_by], kind=NotificationKind.REFERRAL_NEEDS_INFO, by=by)
    return referral


@transaction.atomic
def referral_decline(*, referral, actor, reason):
    by = as_actor(actor).user
    reason = (reason or "").strip()
    if not reason:
        raise RuleError(forms.Field.default_error_messages["required"], field="reason")
    referral = _locked(referral)
    referral.require("decline")
    referral.status = Status.DECLINED
    referral.decline_reason = reason
    referral.latest_feedback = reason
    _triaged(referral, by)
    referral.save(
        update_fields=["status", "decline_reason", "latest_feedback", "triaged_at", "triaged_by", "updated_at"]
    )
    _event(referral, by=by, kind=EventKind.DECLINED, message=reason)
    _notify(referral, recipients=[referral.referred_by], kind=NotificationKind.REFERRAL_DECLINED, by=by)
    return referral


@transaction.atomic
def referral_request_input(*, referral, actor, colleagues):
    """Ask colleagues "how is this student in your class?". Colleagues asked
    before are not asked twice. Returns the new requests."""
    by = as_actor(actor).user
    referral = _locked(referral)
    referral.require("request_input")
    already = set(referral.input_requests.values_list("requested_from_id", flat=True))
    new = [c for c in colleagues if c.pk not in already and c.pk != referral.referred_by_id]
    requests = [InputRequest.objects.create(referral=referral, requested_from=c, requested_by=by) for c in new]
    if requests:
        _event(
            referral,
            by=by,
            kind=EventKind.INPUT_REQUESTED,
            message=", ".join(c.get_full_name() for c in new),
        )
    for request in requests:
        _notify(
            referral,
            recipients=[request.requested_from],
            kind=NotificationKind.INPUT_REQUESTED,
            by=by,
            url=reverse("referrals:input", args=[request.pk]),
        )
    return requests


@transaction.atomic
def input_answer(*, input_request, actor, rating, note):
    """A colleague answers once; a second answer (another tab) is refused."""
    by = as_actor(actor).user
    input_request = InputRequest.objects.select_for_update().select_related("referral").get(pk=input_request.pk)
    if input_request.requested_from_id != by.pk:
        raise PermissionDenied("Only the colleague asked may answer.")
    if input_request.answered_at is not None:
        raise RuleError(_("You have already answered this request. Thank you."))
    input_request.rating = rating
    input_request.note = note
    input_request.answered_at = timezone.now()
    input_request.save(update_fields=["rating", "note", "answered_at"])
    _event(
        input_request.referral,
        by=by,
        kind=EventKind.INPUT_GIVEN,
        message=note,
    )
    return input_request
