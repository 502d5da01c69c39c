"""Who may do what. Views, querysets and templates all ask this module.

An Actor is the signed-in user seen through their school: the roles they hold
there (Membership rows) and the duties that follow from the roster (homeroom
teacher of a class, teaching assignments). It is built once per request by
ActorMiddleware and is available in templates as ``actor``.

PERMISSIONS is the role table: which roles may perform an action on a kind of
resource. Record-level scope (which referral, which case) is decided by the
models' ``visible_to(actor)`` querysets, which ask the same table.

The ``may_*`` grants are the per-object decisions (a role permission, or a tie
to the record such as attending a meeting), each written once here and called
by URL_POLICY, views, services, selectors, templates (the ``may`` object) and
the admin.

URL_POLICY names, for every URL, the grant it needs and the record it points
at. PolicyMiddleware (accounts.middleware) enforces it before every view: a
URL without an entry is refused. The domain apps register how records are
found (register_scope & co.), so this module imports none of their models.
"""

from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import Membership, Role

STAFF_ROLES = {Role.TEACHER, Role.COUNSELOR, Role.VICE_PRINCIPAL}

# (resource, action) -> roles that may do it. Scope is checked separately.
PERMISSIONS = {
    ("roster", "view"): {Role.TEACHER, Role.COUNSELOR, Role.VICE_PRINCIPAL, Role.SCHOOL_ADMIN},
    ("roster", "manage"): {Role.SCHOOL_ADMIN},
    ("roster", "all_classes"): {Role.VICE_PRINCIPAL, Role.SCHOOL_ADMIN},
    ("roster", "import"): {Role.SCHOOL_ADMIN},
    # Grades and attendance from the school's records (schooldata): the import,
    # and the early-warning list, which shows only the classes a user is
    # homeroom teacher of or covers as counselor.
    ("schooldata", "import"): {Role.SCHOOL_ADMIN},
    ("schooldata", "early_warning"): {Role.TEACHER, Role.COUNSELOR},
    # A subject teacher's scores for one assessment of a class they teach this term.
    ("schooldata", "scores"): {Role.TEACHER},
    ("referral", "create"): {Role.TEACHER},
    ("referral", "triage"): {Role.COUNSELOR},
    ("case", "lead"): {Role.COUNSELOR},
    ("case", "reassign"): {Role.VICE_PRINCIPAL},
    ("case", "confidential"): {Role.COUNSELOR},
    # A meeting's calendar file: counselors and the vice principal, and (by
    # relation, see URL_POLICY) every attendee.
    ("meeting", "calendar"): {Role.COUNSELOR, Role.VICE_PRINCIPAL},
    # "When can I talk to the counselor about this student?" (issue #13).
    ("meeting", "talk"): {Role.TEACHER},
    # The coordination forum (issue #13): its page, running a sitting, its settings.
    ("forum", "view"): {Role.TEACHER, Role.COUNSELOR, Role.VICE_PRINCIPAL},
    ("forum", "run"): {Role.COUNSELOR, Role.VICE_PRINCIPAL},
    ("forum", "settings"): {Role.VICE_PRINCIPAL},
    ("caseload", "view"): {Role.COUNSELOR},
    ("tasks", "view"): {Role.TEACHER, Role.COUNSELOR, Role.VICE_PRINCIPAL},
    ("reports", "view"): {Role.VICE_PRINCIPAL},
    # The intervention library: staff read it, counselors add and retire strategies.
    ("library", "view"): {Role.TEACHER, Role.COUNSELOR, Role.VICE_PRINCIPAL},
    ("library", "manage"): {Role.COUNSELOR},
    # Group interventions: counselors set them up and see the school's; a
    # teacher runs the groups they lead (scope: Group.objects.visible_to).
    ("group", "manage"): {Role.COUNSELOR},
    ("group", "view_all"): {Role.COUNSELOR, Role.VICE_PRINCIPAL},
    ("group", "run"): {Role.TEACHER, Role.COUNSELOR},
    ("audit", "view"): {Role.COUNSELOR, Role.VICE_PRINCIPAL, Role.SCHOOL_ADMIN},
    # The audit of the school's referrals and cases; the rest of the school's audit.
    ("audit", "cases"): {Role.COUNSELOR, Role.VICE_PRINCIPAL},
    ("audit", "school"): {Role.SCHOOL_ADMIN},
    # Everything held about one student, for a guardian's access request.
    ("privacy", "export"): {Role.COUNSELOR},
    # The Django admin, limited to the admin's own school.
    ("admin", "school"): {Role.SCHOOL_ADMIN},
    # Record scope (the models' visible_to querysets): the whole school's
    # referrals and cases; a teacher's own referrals, the cases they are on
    # the team of or of their homeroom class, and the classroom guidance of
    # the classes they teach.
    ("referral", "view_all"): {Role.COUNSELOR, Role.VICE_PRINCIPAL},
    ("referral", "view_own"): {Role.TEACHER},
    ("case", "view_all"): {Role.COUNSELOR, Role.VICE_PRINCIPAL},
    ("case", "view_team"): {Role.TEACHER},
    ("case", "view_class"): {Role.TEACHER},
}

# Who must use the two-step sign-in besides admin-site users (see must_use_two_factor).
TWO_FACTOR_ROLES = {Role.COUNSELOR, Role.VICE_PRINCIPAL, Role.SCHOOL_ADMIN}


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


def as_actor(who):
    """The Actor for a service's ``actor`` argument, given an Actor or a User."""
    return who if isinstance(who, Actor) else Actor(who)


def actor_for(request):
    actor = getattr(request, "actor", None)
    if actor is None:
        actor = request.actor = Actor(request.user)
    return actor


# Record scope, relations and per-object decisions ----------------------------
#
# Which referrals and cases an actor may read is a queryset on the models:
# Referral.objects.visible_to(actor), Case.objects.visible_to(actor) and
# Case.objects.classroom_visible_to(actor); they ask the permissions above.
# This module imports no domain model: each domain app registers in its
# AppConfig.ready() how the record a URL names is found.


class _Lookup:
    __slots__ = ("param", "find", "queryset", "attrs")

    def __init__(self, param, find, queryset=None, attrs=("pk",)):
        self.param = param  # a URL parameter, or a tuple of them (then find gets a tuple)
        self.find = find
        self.queryset = queryset
        self.attrs = attrs  # with a tuple ``param``: the record's attributes holding those values


_SCOPES = {}  # scope -> _Lookup: find(actor, value) is the record, or None when out of scope
_OWN_ROWS = {}  # URL name -> _Lookup: find(actor, value) is the user's own row, or None
_RECORDS = {}  # record name -> _Lookup: find(scope record, value) is the record in it, or None


def register_scope(name, *, queryset=None, lookup=None, param="pk", attrs=("pk",)):
    """A scope's records: ``queryset(actor)`` those the actor may read, and
    ``lookup(actor, value)`` the one the URL parameter ``param`` names, None
    when out of scope (by default: from the queryset). With several URL
    parameters (a tuple ``param``), ``value`` is their tuple and ``attrs``
    names the record's attributes that hold them."""
    if lookup is None:
        lookup = lambda actor, value: queryset(actor).filter(pk=value).first()  # noqa: E731
    _SCOPES[name] = _Lookup(param, lookup, queryset, attrs)


def resolved(request, name):
    """The record PolicyMiddleware found for this request (by scope or record
    name: "case", "referral", "action", ...), or None."""
    return getattr(request, "policy_records", {}).get(name)


def visible(scope, actor):
    """The records of a registered scope the actor may read (a queryset), for
    apps that may not import the domain models (audit)."""
    return _SCOPES[scope].queryset(actor)


def register_own_row(url_name, *, lookup, param):
    """How a URL of scope "own" finds the user's row: ``lookup(actor, value)``,
    None when the row is someone else's (or does not exist)."""
    _OWN_ROWS[url_name] = _Lookup(param, lookup)


def register_record(name, *, lookup, param):
    """How a record a relation looks at (an action, entry, meeting) is found
    within the URL's scope record: ``lookup(scope_record, value)``."""
    _RECORDS[name] = _Lookup(param, lookup)


def is_referrer(actor, referral):
    return referral.referred_by_id == actor.user.pk


def is_responsible(actor, record):
    """Responsible for the action; for a case (or a list of its actions),
    responsible for one of its actions."""
    if hasattr(record, "responsible_id"):
        return record.responsible_id == actor.user.pk
    if hasattr(record, "actions"):
        return record.actions.filter(responsible_id=actor.user.pk).exists()
    return any(action.responsible_id == actor.user.pk for action in record)


def is_author(actor, entry):
    return entry.author_id == actor.user.pk


def is_attendee(actor, meeting):
    """Attends the meeting (uses prefetched attendees when there are some)."""
    cache = getattr(meeting, "_prefetched_objects_cache", {})
    if "attendees" in cache:
        return any(user.pk == actor.user.pk for user in cache["attendees"])
    return meeting.attendees.filter(pk=actor.user.pk).exists()


def is_group_leader(actor, group):
    return group.leader_id == actor.user.pk


def is_verified_session(actor, user):
    from accounts.two_factor import is_verified

    return is_verified(user)


# A relation: the test, and the records (in order of preference) it looks at.
RELATIONS = {
    "referrer": (is_referrer, ("referral",)),
    "responsible": (is_responsible, ("action", "case")),
    "author": (is_author, ("entry",)),
    "attendee": (is_attendee, ("meeting",)),
    "leader": (is_group_leader, ("group",)),
    "verified": (is_verified_session, ("user",)),
}


class Grant:
    """One decision, written once: any of the role ``permissions``, or the
    ``relation`` of the actor to the record, lets the actor in. Called as
    ``grant(actor)`` or ``grant(actor, record)``; URL_POLICY, views, services,
    selectors, templates (``may``) and the admin all call the same grants."""

    do_not_call_in_templates = True

    def __init__(self, *permissions, relation=None):
        for permission in permissions:
            if permission not in PERMISSIONS:
                raise ValueError(f"unknown permission {permission!r}")
        if relation is not None and relation not in RELATIONS:
            raise ValueError(f"unknown relation {relation!r}")
        self.permissions = tuple(permissions)
        self.relation = relation

    def by_role(self, actor):
        return any(actor.may(resource, action) for resource, action in self.permissions)

    def by_relation(self, actor, record):
        return self.relation is not None and record is not None and RELATIONS[self.relation][0](actor, record)

    def __call__(self, actor, record=None):
        return self.by_role(actor) or self.by_relation(actor, record)

    def __repr__(self):
        return f"Grant({self.permissions}, relation={self.relation!r})"


_LEAD = ("case", "lead")

may_lead_case = Grant(_LEAD)
may_reassign = Grant(_LEAD, ("case", "reassign"))
may_see_confidential = Grant(("case", "confidential"))  # confidential case notes: counselors only
may_refer = Grant(("referral", "create"))
may_read_referral = Grant(("referral", "view_all"), relation="referrer")  # the whole referral, on a case page
may_triage = Grant(("referral", "triage"))
may_withdraw_referral = Grant(relation="referrer")  # withdraw or resubmit: whoever filed it
may_complete_action = Grant(_LEAD, relation="responsible")  # record: the action
may_write_entry = Grant(_LEAD, relation="responsible")  # record: the case (or its actions)
may_finish_follow_up = Grant(_LEAD, relation="author")  # record: the evaluation entry
# A meeting's calendar file (.ics): counselors, the vice principal and every attendee.
may_download_meeting = Grant(("meeting", "calendar"), relation="attendee")
may_manage_two_factor = Grant(relation="verified")  # record: the user
may_view_forums = Grant(("forum", "view"))
may_run_forum = Grant(("forum", "run"))  # book a sitting, agenda, minutes, decisions, attendance, recap
may_set_forum = Grant(("forum", "settings"))  # how often, where, who takes part: the vice principal
may_talk_to_counselor = Grant(("meeting", "talk"))  # shared free periods with the counselor; book a short talk
may_view_caseload = Grant(("caseload", "view"))
may_view_tasks = Grant(("tasks", "view"))
may_view_reports = Grant(("reports", "view"))
may_view_library = Grant(("library", "view"))
may_manage_library = Grant(("library", "manage"))
may_view_groups = Grant(("group", "view_all"), ("group", "run"))
may_manage_groups = Grant(("group", "manage"))
may_record_group_session = Grant(("group", "manage"), relation="leader")  # record: the group
may_view_roster = Grant(("roster", "view"))
may_import_roster = Grant(("roster", "import"))
may_import_school_data = Grant(("schooldata", "import"))
may_view_early_warning = Grant(("schooldata", "early_warning"))
may_enter_scores = Grant(("schooldata", "scores"))
may_view_audit = Grant(("audit", "view"))
may_export_student = Grant(("privacy", "export"))
may_read_case_audit = Grant(("audit", "cases"))
may_read_school_audit = Grant(("audit", "school"))


def may_use_school_admin(actor):
    """The school-scoped Django admin: superusers and school admins."""
    return actor.user.is_superuser or actor.may("admin", "school")


def may_see_case_content_in_admin(actor):
    """Referrals and cases in the Django admin: active superusers with no
    school (the platform) or counselors; never a school admin."""
    user = actor.user
    if not user.is_active or not user.is_superuser:
        return False
    return actor.school is None or actor.may("case", "confidential")


def must_use_two_factor(actor):
    """Who must use the two-step sign-in (when settings.REQUIRE_2FA is on):
    whoever may use the admin site, counselors, vice principals, school admins."""
    user = actor.user
    return bool(user.is_staff or user.is_superuser or actor.roles & TWO_FACTOR_ROLES)


# Each role's first page, in order of precedence for people holding several.
HOME_PAGES = [
    (may_view_caseload, "casework:caseload"),
    (may_view_reports, "reports:index"),
    (may_refer, "referrals:list"),
    (may_import_roster, "roster:overview"),
]


class May:
    """The ``may`` object of the templates: every grant of this module as an
    attribute, without the prefix. ``{% if may.lead_case %}`` asks the role;
    ``{% if may.download_meeting|of:meeting %}`` (accounts' ``policy`` tags)
    asks about a record."""

    def __init__(self, actor):
        self._actor = actor

    def __getattr__(self, name):
        grant = _GRANTS.get(name)
        if grant is None:
            raise AttributeError(name)
        if isinstance(grant, Grant) and grant.relation is not None:
            return _Bound(grant, self._actor)
        value = grant(self._actor)
        setattr(self, name, value)
        return value


class _Bound:
    do_not_call_in_templates = True

    def __init__(self, grant, actor):
        self.grant, self.actor = grant, actor

    def __call__(self, record):
        return self.grant(self.actor, record)


# Every URL: which grant it needs (permissions of PERMISSIONS or a relation),
# which record it names (its scope) and the HTTP methods it answers.
# PolicyMiddleware enforces it at run time; tests/security/test_access_grid.py
# walks the URL resolver and checks every URL for every role against
# check_url_access() below.
#
# Scopes:
#   None        no record: the role decides (403).
#   "referral"  a referral: out of Referral.objects.visible_to(actor) is 404, then the role (403).
#   "case"      a case: out of Case.objects.visible_to(actor) is 404, then the role (403).
#   "classroom" a case's classroom guidance page: out of Case.objects.classroom_visible_to(actor)
#               (visible_to plus this term's teachers of the student's class) is 404.
#   "meeting"   a case's meeting: the case in Case.objects.visible_to(actor), or the actor
#               attends the meeting (a colleague invited without joining the team), else 404.
#   "student"   a student: not of the actor's school is 404, then the role (403).
#   "group"     a group intervention: out of Group.objects.visible_to(actor) (counselors and
#               the vice principal: the school's; a teacher: the groups they run) is 404.
#   "forum"     a sitting of the coordination forum: every sitting of the school for
#               counselors and the vice principal, the invited ones for others, else 404.
#   "own"       a row of the user's own (notification, input request, export): the
#               role gates the feature first (403), someone else's row is 404.
# Relations (a tie to the record that grants access besides the role, or
# alone when the entry names no permission):
#   "referrer"     filed the referral
#   "responsible"  responsible for the action in the URL, or, where the URL
#                  names none, for one of the case's actions
#   "author"       wrote the evaluation entry
#   "attendee"     attends the meeting
#   "leader"       runs the group intervention
#   "verified"     this session passed the two-step sign-in


class UrlAccess:
    """One entry of URL_POLICY: its ``grant`` (role permissions, or a
    relation to the record) lets a user in; ``methods`` are the HTTP methods
    the URL answers. Give either permissions and a relation, or a Grant."""

    __slots__ = ("grant", "scope", "methods")

    def __init__(self, *permissions, scope=None, relation=None, methods=("GET", "POST")):
        if len(permissions) == 1 and isinstance(permissions[0], Grant):
            self.grant = permissions[0]
        else:
            self.grant = Grant(*permissions, relation=relation)
        self.scope = scope
        self.methods = tuple(methods)

    @property
    def permissions(self):
        return self.grant.permissions

    @property
    def relation(self):
        return self.grant.relation

    def __repr__(self):
        return f"UrlAccess({self.grant!r}, scope={self.scope!r}, methods={self.methods})"


_url = UrlAccess


_GET, _POST = ("GET",), ("POST",)

URL_POLICY = {
    # Signing in and the user's own settings: any signed-in user.
    "home": _url(),
    "password_change": _url(),
    "password_change_done": _url(methods=_GET),
    "profile": _url(),
    "two_factor_setup": _url(),
    "two_factor_verify": _url(),
    "two_factor_recovery_codes": _url(may_manage_two_factor),
    "two_factor_disable": _url(may_manage_two_factor, methods=_POST),
    # Roster.
    "roster:overview": _url(("roster", "view")),
    "roster:import": _url(("roster", "import")),
    "roster:import_example": _url(("roster", "import")),
    # School records: grades and attendance.
    "schooldata:import": _url(("schooldata", "import")),
    "schooldata:import_example": _url(("schooldata", "import"), methods=_GET),
    "schooldata:early_warning": _url(("schooldata", "early_warning")),
    "schooldata:scores": _url(("schooldata", "scores")),
    # Referrals.
    "referrals:list": _url(("referral", "create")),
    "referrals:new": _url(("referral", "create")),
    "referrals:student_search": _url(("referral", "create")),
    "referrals:detail": _url(scope="referral"),
    "referrals:attachment": _url(scope="referral"),
    "referrals:withdraw": _url(may_withdraw_referral, scope="referral", methods=_POST),
    "referrals:resubmit": _url(may_withdraw_referral, scope="referral", methods=_POST),
    "casework:accept_referral": _url(("referral", "triage"), scope="referral", methods=_POST),
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
    "casework:team_add": _url(may_lead_case, scope="case"),
    "casework:reassign": _url(may_reassign, scope="case"),
    "casework:summary": _url(may_lead_case, scope="case"),
    "casework:assessment": _url(may_lead_case, scope="case"),
    "casework:guidance": _url(may_lead_case, scope="case"),
    "casework:goal_add": _url(may_lead_case, scope="case"),
    "casework:goal_edit": _url(may_lead_case, scope="case"),
    "casework:goal_decide": _url(may_lead_case, scope="case"),
    "casework:action_add": _url(may_lead_case, scope="case"),
    "casework:action_edit": _url(may_lead_case, scope="case"),
    "casework:action_done": _url(may_complete_action, scope="case"),
    "casework:action_session": _url(may_complete_action, scope="case", methods=_POST),
    "casework:meeting_add": _url(may_lead_case, scope="case"),
    "casework:meeting_find": _url(may_lead_case, scope="case", methods=_GET),
    "casework:talk_case": _url(may_talk_to_counselor, scope="case"),
    # Coordination forums.
    "forums:list": _url(may_view_forums, methods=_GET),
    "forums:settings": _url(may_set_forum),
    "forums:schedule": _url(may_run_forum),
    "forums:detail": _url(scope="forum", methods=_GET),
    "forums:ics": _url(scope="forum", methods=_GET),
    "forums:item_add": _url(scope="forum", methods=_POST),
    "forums:refresh": _url(may_run_forum, scope="forum", methods=_POST),
    "forums:minutes": _url(may_run_forum, scope="forum", methods=_POST),
    "forums:decision": _url(may_run_forum, scope="forum", methods=_POST),
    "forums:attendance": _url(may_run_forum, scope="forum", methods=_POST),
    "forums:recap": _url(may_run_forum, scope="forum", methods=_POST),
    "forums:cancel": _url(may_run_forum, scope="forum", methods=_POST),
    "casework:talk_referral": _url(may_talk_to_counselor, scope="referral"),
    "casework:meeting_edit": _url(may_lead_case, scope="case"),
    "casework:decision_add": _url(may_lead_case, scope="case"),
    "casework:meeting": _url(scope="meeting", methods=_GET),
    "casework:meeting_ics": _url(may_download_meeting, scope="meeting", methods=_GET),
    "casework:entry_add": _url(may_write_entry, scope="case"),
    "casework:follow_up_done": _url(may_finish_follow_up, scope="case"),
    "casework:follow_up_add": _url(may_lead_case, scope="case"),
    "casework:note_add": _url(may_see_confidential, scope="case"),
    "casework:status": _url(may_lead_case, scope="case", methods=_POST),
    "casework:close": _url(may_lead_case, scope="case"),
    "casework:reopen": _url(may_lead_case, scope="case"),
    # The intervention library; planning a case from it.
    "interventions:library": _url(may_view_library, methods=_GET),
    "interventions:add": _url(may_manage_library),
    "interventions:retire": _url(may_manage_library, methods=_POST),
    "interventions:plan": _url(may_lead_case, scope="case"),
    "interventions:groups": _url(may_view_groups, methods=_GET),
    "interventions:group_add": _url(may_manage_groups, methods=_POST),
    "interventions:group": _url(scope="group", methods=_GET),
    "interventions:group_member_add": _url(may_manage_groups, scope="group", methods=_POST),
    "interventions:group_member_leave": _url(may_manage_groups, scope="group", methods=_POST),
    "interventions:group_register": _url(may_record_group_session, scope="group", methods=_POST),
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

SCOPES = {"referral", "case", "classroom", "meeting", "student", "group", "own", "forum"}
ALLOW, FORBIDDEN, NOT_FOUND, SIGN_IN = "allow", "forbidden", "not_found", "sign_in"


def decide(actor, rule, *, in_scope, relation_record):
    """The verdict of one URL_POLICY entry: SIGN_IN, ALLOW, FORBIDDEN (403) or
    NOT_FOUND (404). ``in_scope()`` says whether the URL's record is in the
    actor's scope (for "own": is the actor's row); ``relation_record(names)``
    gives the record a relation looks at. Both are asked only when needed."""
    if not actor.is_authenticated:
        return SIGN_IN
    grant = rule.grant
    role_ok = grant.by_role(actor)
    if rule.scope == "own":
        if grant.permissions and not role_ok:
            return FORBIDDEN
        return ALLOW if actor.school is not None and in_scope() else NOT_FOUND
    if rule.scope is not None:
        if rule.scope not in SCOPES:
            raise ValueError(f"unknown scope {rule.scope!r}")
        if not in_scope():
            return NOT_FOUND
    # An entry without permissions or relation lets in any signed-in user.
    if role_ok or not (grant.permissions or grant.relation):
        return ALLOW
    if grant.relation is not None and grant.by_relation(actor, relation_record(RELATIONS[grant.relation][1])):
        return ALLOW
    return FORBIDDEN


def check_url_access(
    actor,
    url_name,
    *,
    referral=None,
    case=None,
    student=None,
    owner=None,
    action=None,
    entry=None,
    meeting=None,
    group=None,
    forum=None,
):
    """What URL_POLICY promises for ``url_name`` and these records (the
    referral, case or student the URL points at, the owner of an "own" row,
    the action, entry or meeting a relation looks at)."""
    rule = URL_POLICY[url_name]
    records = {"referral": referral, "case": case, "action": action, "entry": entry, "meeting": meeting, "group": group}
    records["user"] = actor.user
    scoped = {
        "referral": referral,
        "case": case,
        "classroom": case,
        "meeting": meeting,
        "student": student,
        "group": group,
        "forum": forum,
    }

    def in_scope():
        if rule.scope == "own":
            return owner is not None and owner.pk == actor.user.pk
        record = scoped[rule.scope]
        if record is None:
            return False
        lookup = _SCOPES[rule.scope]
        value = record.pk if isinstance(lookup.param, str) else tuple(getattr(record, a) for a in lookup.attrs)
        return lookup.find(actor, value) is not None

    def relation_record(names):
        return next((records[name] for name in names if records.get(name) is not None), None)

    return decide(actor, rule, in_scope=in_scope, relation_record=relation_record)


def resolve_url_access(request, url_name, kwargs):
    """The verdict for a request to ``url_name`` with these URL parameters,
    finding the records through the lookups the domain apps registered. The
    records found are kept in ``request.policy_records`` (by scope or record
    name) for the view. Raises Http404 when a record a relation looks at is
    not in the URL's record."""
    actor = actor_for(request)
    rule = URL_POLICY[url_name]
    found = request.policy_records = {}

    def in_scope():
        lookup = _OWN_ROWS[url_name] if rule.scope == "own" else _SCOPES[rule.scope]
        value = kwargs[lookup.param] if isinstance(lookup.param, str) else tuple(kwargs[p] for p in lookup.param)
        record = found[rule.scope] = lookup.find(actor, value)
        return record is not None

    def relation_record(names):
        for name in names:
            if name == "user":
                return request.user
            if name == rule.scope:
                return found[name]
            lookup = _RECORDS.get(name)
            if lookup is not None and lookup.param in kwargs:
                record = found[name] = lookup.find(found.get(rule.scope), kwargs[lookup.param])
                if record is None:
                    raise Http404
                return record
        return None

    return decide(actor, rule, in_scope=in_scope, relation_record=relation_record)


_GRANTS = {name.removeprefix("may_"): value for name, value in list(globals().items()) if name.startswith("may_")}
