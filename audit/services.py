"""Writing the audit trail.

One call per view, export, download or change of a student's record:

    from audit.models import AuditAction
    from audit.services import audit_record

    audit_record(request=request, action=AuditAction.VIEW, obj=case)
    audit_record(request=request, action=AuditAction.CHANGE, obj=referral, detail={"fields": form.changed_data})
    audit_record(request=request, action=AuditAction.DOWNLOAD, obj=attachment)
    audit_record(request=request, action=AuditAction.EXPORT, object_type=ObjectType.REPORT, object_id="caseload",
                 detail={"format": "xlsx", "rows": 120})

The row is written at once, in the request's transaction (ATOMIC_REQUESTS):
if the request fails, the change and its audit row are rolled back together;
nothing goes through Celery. ``detail`` holds short facts only (field names,
counts, formats) and never the text of a note: long strings are refused.
"""

from django.contrib.auth import get_user_model

from accounts.net import client_ip
from accounts.policy import Actor, actor_for
from audit.models import AuditAction, AuditEvent, ObjectType

# Model label -> object type, so that views can simply pass ``obj``.
MODEL_TYPES = {
    "referrals.Referral": ObjectType.REFERRAL,
    "referrals.ReferralAttachment": ObjectType.ATTACHMENT,
    "casework.Case": ObjectType.CASE,
    "casework.EvaluationEntry": ObjectType.EVALUATION_LOG,
    "casework.ConfidentialNote": ObjectType.CONFIDENTIAL_NOTE,
    "casework.Meeting": ObjectType.MEETING,
    "casework.Goal": ObjectType.PLAN,
    "casework.Action": ObjectType.PLAN,
    "casework.CaseAttachment": ObjectType.ATTACHMENT,
    "roster.Student": ObjectType.STUDENT,
    "accounts.User": ObjectType.USER,
}

MAX_DETAIL_TEXT = 120
_SCALARS = (int, float, bool, type(None))


def _check_detail(detail):
    """Short facts only: a note's text must never land in the audit trail."""
    if detail is None:
        return {}
    if not isinstance(detail, dict):
        raise ValueError("audit detail must be a dict")

    def ok(value):
        if isinstance(value, str):
            return len(value) <= MAX_DETAIL_TEXT
        if isinstance(value, list | tuple):
            return all(ok(item) and not isinstance(item, list | tuple) for item in value)
        return isinstance(value, _SCALARS)

    for key, value in detail.items():
        if not isinstance(key, str) or not ok(value):
            raise ValueError(f"audit detail {key!r}: only short values (field names, counts) are allowed")
    return {key: list(value) if isinstance(value, tuple) else value for key, value in detail.items()}


def _scope(obj):
    """(school_id, referral_id, case_id, student_id) of a record."""
    label = obj._meta.label
    referral_id = case_id = None
    if label == "referrals.Referral":
        referral_id, case_id = obj.pk, obj.case_id
    elif label == "casework.Case":
        case_id = obj.pk
    else:
        referral_id = getattr(obj, "referral_id", None)
        case_id = getattr(obj, "case_id", None)
    student_id = obj.pk if label == "roster.Student" else getattr(obj, "student_id", None)
    school_id = getattr(obj, "school_id", None)
    if student_id is None or school_id is None:
        # A record inside a referral or case: the parent names the student.
        # Views that already select_related the parent pay no query here.
        parent = obj.referral if referral_id else obj.case if case_id else None
        if parent is not None:
            student_id = student_id or parent.student_id
            school_id = school_id or parent.school_id
    return school_id, referral_id, case_id, student_id


def _roles(actor, user):
    roles = sorted(role.value for role in actor.roles) if actor is not None else []
    if user is not None and user.is_superuser:
        roles.append("superuser")
    return ",".join(roles)


def _write(*, action, request=None, user=None, actor=None, school_id=None, **fields):
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r}")
    if user is not None and not user.is_authenticated:
        user = None
    if user is not None and actor is None:
        actor = Actor(user)
    if school_id is None and actor is not None and actor.school is not None:
        school_id = actor.school.id
    return AuditEvent.objects.create(
        action=action,
        school_id=school_id,
        actor=user,
        actor_username=user.get_username() if user is not None else "",
        actor_roles=_roles(actor, user) if user is not None else "",
        ip=client_ip(request),
        path=request.path[:300] if request is not None else "",
        **fields,
    )


def audit_record(
    *,
    request,
    action: str,
    obj=None,
    object_type: str | None = None,
    object_id=None,
    student=None,
    detail: dict | None = None,
) -> AuditEvent:
    """Write one audit row for what the signed-in user just did.

    ``obj`` is the record (a Referral, Case, EvaluationEntry, attachment,
    Student ...): its type, id, school, student and the referral/case it
    belongs to are taken from it. Without ``obj`` give ``object_type`` (an
    ObjectType value) and ``object_id``. ``student`` (a Student or its id)
    overrides or supplies the student.
    """
    user = request.user if request.user.is_authenticated else None
    actor = actor_for(request) if user is not None else None
    school_id = referral_id = case_id = student_id = None
    if obj is not None:
        object_type = object_type or MODEL_TYPES.get(obj._meta.label)
        if object_type is None:
            raise ValueError(f"give object_type for {obj._meta.label}")
        object_id = obj.pk if object_id is None else object_id
        school_id, referral_id, case_id, student_id = _scope(obj)
    if object_type and object_type not in ObjectType.values:
        raise ValueError(f"unknown audit object type {object_type!r}")
    if student is not None:
        student_id = getattr(student, "pk", student)
    return _write(
        action=action,
        request=request,
        user=user,
        actor=actor,
        school_id=school_id,
        object_type=object_type or "",
        object_id="" if object_id is None else str(object_id),
        referral_id=referral_id,
        case_id=case_id,
        student_id=student_id,
        detail=_check_detail(detail),
    )


def audit_sign_in_event(*, request, action: str, user=None, account=None, detail: dict | None = None) -> AuditEvent:
    """Sign-in, sign-out and two-step events of ``user`` (no record).

    A failed sign-in has no signed-in user: ``account`` is the existing
    account it was aimed at; its username and school are recorded so that the
    school admin sees attempts on their staff's accounts.
    """
    if account is not None:
        return AuditEvent.objects.create(
            action=action,
            school_id=getattr(Actor(account).school, "id", None),
            actor_username=account.get_username(),
            ip=client_ip(request),
            path=request.path[:300] if request is not None else "",
            detail=_check_detail(detail),
        )
    return _write(action=action, request=request, user=user, detail=_check_detail(detail))


def user_for_username(username):
    """The account a failed sign-in was aimed at, if it exists."""
    if not username:
        return None
    model = get_user_model()
    return model._default_manager.filter(**{model.USERNAME_FIELD: username}).first()
