"""Who may do what. Views, querysets and templates all ask this module.

An Actor is the signed-in user seen through their school: the roles they hold
there (Membership rows) and the duties that follow from the roster (homeroom
teacher of a class, teaching assignments). It is built once per request by
ActorMiddleware and is available in templates as ``actor``.

PERMISSIONS is the role table: which roles may perform an action on a kind of
resource. Record-level scope (which referral, which case) is decided by the
``visible_*`` queryset helpers of each app, which also start from the actor.
"""

from functools import cached_property

from django.core.exceptions import PermissionDenied

from accounts.models import Membership, Role

TEACHING_ROLES = {Role.TEACHER}
STAFF_ROLES = {Role.TEACHER, Role.COUNSELOR, Role.VICE_PRINCIPAL}

# (resource, action) -> roles that may do it. Scope is checked separately.
PERMISSIONS = {
    ("roster", "view"): {Role.TEACHER, Role.COUNSELOR, Role.VICE_PRINCIPAL, Role.SCHOOL_ADMIN},
    ("roster", "manage"): {Role.SCHOOL_ADMIN},
    ("roster", "import"): {Role.SCHOOL_ADMIN},
    ("referral", "create"): {Role.TEACHER},
    ("referral", "triage"): {Role.COUNSELOR},
    ("case", "lead"): {Role.COUNSELOR},
    ("case", "reassign"): {Role.VICE_PRINCIPAL},
    ("case", "confidential"): {Role.COUNSELOR},
    ("caseload", "view"): {Role.COUNSELOR},
    ("tasks", "view"): {Role.TEACHER, Role.COUNSELOR, Role.VICE_PRINCIPAL},
    ("reports", "view"): {Role.VICE_PRINCIPAL},
    ("audit", "view"): {Role.COUNSELOR, Role.VICE_PRINCIPAL, Role.SCHOOL_ADMIN},
}


class Actor:
    def __init__(self, user):
        self.user = user

    @cached_property
    def memberships(self):
        if not self.user.is_authenticated:
            return []
        return list(Membership.objects.filter(user=self.user).select_related("school"))

    @cached_property
    def school(self):
        # A person works at one school; the first membership names it.
        return self.memberships[0].school if self.memberships else None

    @cached_property
    def roles(self):
        school = self.school
        return {Role(m.role) for m in self.memberships if m.school_id == getattr(school, "id", None)}

    @property
    def is_authenticated(self):
        return self.user.is_authenticated

    @property
    def is_teacher(self):
        return Role.TEACHER in self.roles

    @property
    def is_counselor(self):
        return Role.COUNSELOR in self.roles

    @property
    def is_vice_principal(self):
        return Role.VICE_PRINCIPAL in self.roles

    @property
    def is_school_admin(self):
        return Role.SCHOOL_ADMIN in self.roles

    @property
    def is_staff_member(self):
        """Teaches, counsels or leads student affairs: may work on students."""
        return bool(self.roles & STAFF_ROLES)

    @cached_property
    def homeroom_classroom_ids(self):
        """Classes this user is homeroom teacher of (from the roster)."""
        if not self.school:
            return frozenset()
        return frozenset(self.user.homeroom_classes.filter(school=self.school).values_list("id", flat=True))

    @property
    def is_homeroom_teacher(self):
        return bool(self.homeroom_classroom_ids)

    def may(self, resource, action):
        if self.school is None:
            return False
        return bool(self.roles & PERMISSIONS[(resource, action)])

    def require(self, resource, action):
        """Raise 403 unless the actor's role allows the action."""
        if not self.may(resource, action):
            raise PermissionDenied

    def role_labels(self):
        labels = [role.label for role in Role if role in self.roles]
        return labels


def actor_for(request):
    actor = getattr(request, "actor", None)
    if actor is None:
        actor = request.actor = Actor(request.user)
    return actor


# Record-level scope. Every list and lookup of referrals and cases starts here,
# so an out-of-scope record is simply not found (404) and never counted.


def visible_referrals(actor):
    """Referrals the actor may read: counselors and the vice principal see the
    school's; a teacher sees the referrals they filed."""
    from referrals.models import Referral

    if actor.school is None:
        return Referral.objects.none()
    qs = Referral.objects.for_school(actor.school)
    if actor.is_counselor or actor.is_vice_principal:
        return qs
    if actor.is_teacher:
        return qs.filter(referred_by=actor.user)
    return qs.none()


def visible_cases(actor):
    """Cases whose shared parts the actor may read: counselors and the vice
    principal see the school's; a teacher sees cases they are on the team of,
    and a homeroom teacher also the cases of students in their class. The
    school admin sees none."""
    from django.db.models import Q

    from casework.models import Case

    if actor.school is None:
        return Case.objects.none()
    qs = Case.objects.for_school(actor.school)
    if actor.is_counselor or actor.is_vice_principal:
        return qs
    if actor.is_teacher:
        scope = Q(members__user=actor.user)
        if actor.homeroom_classroom_ids:
            scope |= Q(student__classroom_id__in=actor.homeroom_classroom_ids)
        return qs.filter(id__in=Case.objects.filter(scope).values("id"))
    return qs.none()


def may_see_confidential(actor):
    """Confidential case notes are for counselors only."""
    return actor.may("case", "confidential")
