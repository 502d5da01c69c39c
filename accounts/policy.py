"""Who may do what. Views, querysets and templates all ask this module.

An Actor is the signed-in user seen through their school: the roles they hold
there (Membership rows) and the duties that follow from the roster (homeroom
teacher of a class, teaching assignments). It is built once per request by
ActorMiddleware and is available in templates as ``actor``.

PERMISSIONS is the role table: which roles may perform an action on a kind of
resource. Record-level scope (which referral, which case) is decided by the
``visible_*`` queryset helpers of each app, which also start from the actor.

URL_POLICY names, for every URL, the (resource, action) it needs, the record
it points at and the ties to that record that also let a user in;
check_url_access() reads it, and the access grid of tests/security proves
each URL answers as it says, for every role.
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
    # A meeting's calendar file: counselors and the vice principal, and (by
    # relation, see URL_POLICY) every attendee.
    ("meeting", "calendar"): {Role.COUNSELOR, Role.VICE_PRINCIPAL},
    ("caseload", "view"): {Role.COUNSELOR},
    ("tasks", "view"): {Role.TEACHER, Role.COUNSELOR, Role.VICE_PRINCIPAL},
    ("reports", "view"): {Role.VICE_PRINCIPAL},
    ("audit", "view"): {Role.COUNSELOR, Role.VICE_PRINCIPAL, Role.SCHOOL_ADMIN},
    # Everything held about one student, for a guardian's access request.
    ("privacy", "export"): {Role.COUNSELOR},
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


def taught_classroom_ids(actor):
    """The classes the actor teaches this term (their TeachingAssignment rows
    of the school's current term), as a subquery of classroom ids."""
    from roster.models import TeachingAssignment

    return TeachingAssignment.objects.filter(school=actor.school, teacher=actor.user, term__is_current=True).values(
        "classroom_id"
    )


def classroom_cases(actor):
    """Cases whose "what you can do in class" page the actor may read: every
    case of visible_cases(actor), and for a teacher also the cases of students
    in a class they teach this term (the homeroom teacher's class is already
    in visible_cases). That page shows the student, the class, the classroom
    guidance and the lead counselor, nothing else of the case."""
    from casework.models import Case

    qs = visible_cases(actor)
    if actor.school is None or actor.is_counselor or actor.is_vice_principal or not actor.is_teacher:
        return qs
    taught = Case.objects.for_school(actor.school).filter(student__classroom_id__in=taught_classroom_ids(actor))
    return qs | taught


def may_see_confidential(actor):
    """Confidential case notes are for counselors only."""
    return actor.may("case", "confidential")


# Every URL, in the same words: which (resource, action) of PERMISSIONS it
# needs, which record it names (its scope) and which tie to that record also
# lets a user in. tests/security/test_access_grid.py walks the URL resolver,
# fails for a URL missing here, and checks every URL for every role against
# check_url_access() below; a view asks actor.require()/may() with the same
# (resource, action) as its entry here.
#
# Scopes:
#   None        no record: the role decides (403).
#   "referral"  a referral: out of visible_referrals(actor) is 404, then the role (403).
#   "case"      a case: out of visible_cases(actor) is 404, then the role (403).
#   "classroom" a case's classroom guidance page: out of classroom_cases(actor)
#               (visible_cases plus this term's teachers of the student's class) is 404.
#   "student"   a student: not of the actor's school is 404, then the role (403).
#   "own"       a row of the user's own (notification, input request, export): the
#               role gates the feature first (403), someone else's row is 404.
# Relations (a tie to the record that grants access besides the role, or
# alone when the entry names no permission):
#   "referrer"     filed the referral
#   "responsible"  responsible for the action in the URL, or, where the URL
#                  names none, for one of the case's actions
#   "author"       wrote the evaluation entry
#   "attendee"     attends the meeting
#   "verified"     this session passed the two-step sign-in


class UrlAccess:
    """One entry of URL_POLICY: any of ``permissions`` (or the relation) lets
    a user in; ``methods`` are the HTTP methods the URL answers."""

    __slots__ = ("permissions", "scope", "relation", "methods")

    def __init__(self, *permissions, scope=None, relation=None, methods=("GET", "POST")):
        self.permissions = tuple(permissions)
        self.scope = scope
        self.relation = relation
        self.methods = tuple(methods)

    def __repr__(self):
        return (
            f"UrlAccess({self.permissions}, scope={self.scope!r}, relation={self.relation!r}, methods={self.methods})"
        )


_url = UrlAccess


_GET, _POST = ("GET",), ("POST",)
_LEAD = ("case", "lead")

URL_POLICY = {
    # Signing in and the user's own settings: any signed-in user.
    "home": _url(),
    "password_change": _url(),
    "password_change_done": _url(methods=_GET),
    "profile": _url(),
    "two_factor_setup": _url(),
    "two_factor_verify": _url(),
    "two_factor_recovery_codes": _url(relation="verified"),
    "two_factor_disable": _url(relation="verified", methods=_POST),
    # Roster.
    "roster:overview": _url(("roster", "view")),
    "roster:import": _url(("roster", "import")),
    "roster:import_example": _url(("roster", "import")),
    # Referrals.
    "referrals:list": _url(("referral", "create")),
    "referrals:new": _url(("referral", "create")),
    "referrals:student_search": _url(("referral", "create")),
    "referrals:detail": _url(scope="referral"),
    "referrals:attachment": _url(scope="referral"),
    "referrals:withdraw": _url(scope="referral", relation="referrer", methods=_POST),
    "referrals:resubmit": _url(scope="referral", relation="referrer", methods=_POST),
    "referrals:accept": _url(("referral", "triage"), scope="referral", methods=_POST),
    "referrals:ask": _url(("referral", "triage"), scope="referral", methods=_POST),
    "referrals:decline": _url(("referral", "triage"), scope="referral", methods=_POST),
    "referrals:request_input": _url(("referral", "triage"), scope="referral", methods=_POST),
    "referrals:input": _url(scope="own"),
    "referrals:triage": _url(("referral", "triage")),
    # Cases.
    "casework:caseload": _url(("caseload", "view"), methods=_GET),
    "casework:tasks": _url(("tasks", "view"), methods=_GET),
    "casework:detail": _url(scope="case", methods=_GET),
    "casework:print": _url(scope="case", methods=_GET),
    "casework:classroom": _url(scope="classroom", methods=_GET),
    "casework:team_add": _url(_LEAD, scope="case"),
    "casework:reassign": _url(_LEAD, ("case", "reassign"), scope="case"),
    "casework:summary": _url(_LEAD, scope="case"),
    "casework:assessment": _url(_LEAD, scope="case"),
    "casework:guidance": _url(_LEAD, scope="case"),
    "casework:goal_add": _url(_LEAD, scope="case"),
    "casework:goal_edit": _url(_LEAD, scope="case"),
    "casework:action_add": _url(_LEAD, scope="case"),
    "casework:action_edit": _url(_LEAD, scope="case"),
    "casework:action_done": _url(_LEAD, scope="case", relation="responsible"),
    "casework:meeting_add": _url(_LEAD, scope="case"),
    "casework:meeting_edit": _url(_LEAD, scope="case"),
    "casework:decision_add": _url(_LEAD, scope="case"),
    "casework:meeting_ics": _url(("meeting", "calendar"), scope="case", relation="attendee", methods=_GET),
    "casework:entry_add": _url(_LEAD, scope="case", relation="responsible"),
    "casework:follow_up_done": _url(_LEAD, scope="case", relation="author"),
    "casework:follow_up_add": _url(_LEAD, scope="case"),
    "casework:note_add": _url(("case", "confidential"), scope="case"),
    "casework:status": _url(_LEAD, scope="case", methods=_POST),
    "casework:close": _url(_LEAD, scope="case"),
    "casework:reopen": _url(_LEAD, scope="case"),
    # Reports.
    "reports:index": _url(("reports", "view"), methods=_GET),
    "reports:export": _url(("reports", "view"), methods=_GET),
    "reports:export_status": _url(("reports", "view"), scope="own", methods=_GET),
    "reports:export_download": _url(("reports", "view"), scope="own", methods=_GET),
    # Notifications: everyone's own.
    "notifications:list": _url(),
    "notifications:read": _url(scope="own", methods=_POST),
    "notifications:read_all": _url(methods=_POST),
    "notifications:settings": _url(),
    # Audit trail.
    "audit:list": _url(("audit", "view")),
    # Privacy: everything held about a student, for a guardian's request.
    "privacy:student_export": _url(("privacy", "export"), scope="student"),
}

# Pages anyone may open without signing in (login_not_required), and the
# sign-out. The Django admin (admin:*) has its own permission system.
PUBLIC_URLS = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
    "healthz",
    "healthz_live",
}

ALLOW, FORBIDDEN, NOT_FOUND, SIGN_IN = "allow", "forbidden", "not_found", "sign_in"


def _related(relation, actor, *, referral, case, action, entry, meeting):
    user = actor.user
    if relation == "referrer":
        return referral is not None and referral.referred_by_id == user.pk
    if relation == "responsible":
        if action is not None:
            return action.responsible_id == user.pk
        return case is not None and case.actions.filter(responsible=user).exists()
    if relation == "author":
        return entry is not None and entry.author_id == user.pk
    if relation == "attendee":
        return meeting is not None and meeting.attendees.filter(pk=user.pk).exists()
    if relation == "verified":
        from accounts.two_factor import is_verified

        return is_verified(user)
    raise ValueError(f"unknown relation {relation!r}")


def check_url_access(
    actor, url_name, *, referral=None, case=None, student=None, owner=None, action=None, entry=None, meeting=None
):
    """What URL_POLICY promises for ``url_name`` and these records: ALLOW,
    FORBIDDEN (403) or NOT_FOUND (404). Records name what the URL points at:
    the referral, case or student, the owner of an "own" row, and the action, entry or
    meeting a relation looks at."""
    if not actor.is_authenticated:
        return SIGN_IN
    rule = URL_POLICY[url_name]
    role_ok = any(actor.may(resource, action_) for resource, action_ in rule.permissions)
    related = rule.relation is not None and _related(
        rule.relation, actor, referral=referral, case=case, action=action, entry=entry, meeting=meeting
    )
    # An entry without permissions or relation lets in any signed-in user.
    granted = role_ok or related or not (rule.permissions or rule.relation)

    if rule.scope == "referral":
        if referral is None or not visible_referrals(actor).filter(pk=referral.pk).exists():
            return NOT_FOUND
    elif rule.scope == "case":
        if case is None or not visible_cases(actor).filter(pk=case.pk).exists():
            return NOT_FOUND
    elif rule.scope == "classroom":
        if case is None or not classroom_cases(actor).filter(pk=case.pk).exists():
            return NOT_FOUND
    elif rule.scope == "student":
        if student is None or actor.school is None or student.school_id != actor.school.pk:
            return NOT_FOUND
    elif rule.scope == "own":
        if rule.permissions and not role_ok:
            return FORBIDDEN
        return ALLOW if owner is not None and owner.pk == actor.user.pk and actor.school is not None else NOT_FOUND
    elif rule.scope is not None:
        raise ValueError(f"unknown scope {rule.scope!r}")
    return ALLOW if granted else FORBIDDEN
