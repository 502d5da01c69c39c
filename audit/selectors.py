"""Who may read which audit events.

Counselors and the vice principal read the events of the referrals and cases
they may see (the models' visible_to(actor) querysets, found through the
scopes the domain apps register with accounts.policy), including
lists and exports of them; the school admin reads the rest (sign-ins, refused
access, roster, reports, accounts). Nobody reads another school's events.
"""

from django.db.models import Q

from accounts.policy import may_read_case_audit, may_read_school_audit, visible
from audit.models import CASE_CONTENT_TYPES, AuditEvent


def visible_audit_events(actor):
    if actor.school is None:
        return AuditEvent.objects.none()
    scopes = []
    if may_read_case_audit(actor):
        if actor.may("referral", "view_all") and actor.may("case", "view_all"):
            # The whole school's referrals and cases: an event's school is the
            # school of the record it names (audit.services takes it from the
            # record), so the school's events that name a referral or a case
            # are the ones, read through the (school, ...) indexes without
            # listing the school's referrals and cases.
            scopes.append(Q(referral_id__isnull=False) | Q(case_id__isnull=False))
        else:
            scopes.append(Q(referral_id__in=visible("referral", actor).values("id")))
            scopes.append(Q(case_id__in=visible("case", actor).values("id")))
        scopes.append(Q(object_type__in=CASE_CONTENT_TYPES, referral_id__isnull=True, case_id__isnull=True))
    if may_read_school_audit(actor):
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
