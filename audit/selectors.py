"""Who may read which audit events.

Counselors and the vice principal read the events of the referrals and cases
they may see (accounts.policy.visible_referrals / visible_cases), including
lists and exports of them; the school admin reads the rest (sign-ins, refused
access, roster, reports, accounts). Nobody reads another school's events.
"""

from django.db.models import Q

from accounts.policy import visible_cases, visible_referrals
from audit.models import CASE_CONTENT_TYPES, AuditEvent


def visible_audit_events(actor):
    if actor.school is None:
        return AuditEvent.objects.none()
    scopes = []
    if actor.is_counselor or actor.is_vice_principal:
        scopes.append(Q(referral_id__in=visible_referrals(actor).values("id")))
        scopes.append(Q(case_id__in=visible_cases(actor).values("id")))
        scopes.append(Q(object_type__in=CASE_CONTENT_TYPES, referral_id__isnull=True, case_id__isnull=True))
    if actor.is_school_admin:
        scopes.append(Q(referral_id__isnull=True, case_id__isnull=True) & ~Q(object_type__in=CASE_CONTENT_TYPES))
    if not scopes:
        return AuditEvent.objects.none()
    scope = scopes[0]
    for extra in scopes[1:]:
        scope |= extra
    return AuditEvent.objects.for_school(actor.school).filter(scope)


def events_for_record(actor, *, referral=None, case=None):
    """The audit of one referral or case, for a "who looked at this" panel."""
    events = visible_audit_events(actor)
    if referral is not None:
        events = events.filter(referral_id=referral.pk)
    if case is not None:
        events = events.filter(case_id=case.pk)
    return events.select_related("student")
