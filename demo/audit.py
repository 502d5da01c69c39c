"""A few days of audit trail for the demo school, so /audit/ shows something:
sign-ins of the fixed users, a failed sign-in, and views of some referrals
and cases. Idempotent: does nothing if the school already has audit rows."""

import datetime

from django.utils import timezone

from accounts.models import Membership
from audit.models import AuditAction, AuditEvent, ObjectType
from casework.models import Case
from referrals.models import Referral

DEMO_IP = "10.20.0.15"


def _roles_by_user(school):
    roles = {}
    for user_id, role in Membership.objects.filter(school=school).values_list("user_id", "role"):
        roles.setdefault(user_id, []).append(role)
    return {user_id: ",".join(sorted(values)) for user_id, values in roles.items()}


def seed(school):
    if AuditEvent.objects.filter(school=school).exists():
        return
    now = timezone.now()
    roles = _roles_by_user(school)
    users = {
        m.user.username.rsplit("-", 1)[-1]: m.user
        for m in Membership.objects.filter(school=school).select_related("user")
        if m.user.username.rsplit("-", 1)[-1] in ("teacher", "homeroom", "counselor", "counselor2", "vp", "admin")
    }
    events = []

    def add(user, action, minutes_ago, **fields):
        events.append(
            AuditEvent(
                school=school,
                actor=user,
                actor_username=user.username,
                actor_roles=roles.get(user.id, ""),
                action=action,
                ip=DEMO_IP,
                created_at=now - datetime.timedelta(minutes=minutes_ago),
                **fields,
            )
        )

    for day in range(3, 0, -1):
        for offset, user in enumerate(users.values()):
            add(user, AuditAction.LOGIN, day * 24 * 60 + offset * 7)
    if "teacher" in users:
        events.append(
            AuditEvent(
                school=school,
                actor_username=users["teacher"].username,
                action=AuditAction.LOGIN_FAILED,
                ip=DEMO_IP,
                detail={"known_account": True},
                created_at=now - datetime.timedelta(days=2, minutes=1),
            )
        )
    counselor = users.get("counselor")
    if counselor is not None:
        for i, referral in enumerate(Referral.objects.for_school(school).order_by("id")[:5]):
            add(
                counselor,
                AuditAction.VIEW,
                2 * 24 * 60 - i * 30,
                object_type=ObjectType.REFERRAL,
                object_id=str(referral.pk),
                referral_id=referral.pk,
                case_id=referral.case_id,
                student_id=referral.student_id,
            )
        for i, case in enumerate(Case.objects.for_school(school).order_by("id")[:5]):
            add(
                counselor,
                AuditAction.VIEW,
                24 * 60 - i * 30,
                object_type=ObjectType.CASE,
                object_id=str(case.pk),
                case_id=case.pk,
                student_id=case.student_id,
            )
    AuditEvent.objects.bulk_create(events)
