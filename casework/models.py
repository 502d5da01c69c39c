from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common.choices import ChoiceDisplay
from common.crypto import EncryptedTextField
from common.limits import MINUTES_LIMIT, SHORT_TEXT_LIMIT, TEXT_LIMIT, text_limit
from common.rules import RuleError
from roster.models import SchoolScoped, TeachingAssignment


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACTIVE = "active", _("Active")
    MONITORING = "monitoring", _("Monitoring")
    CLOSED = "closed", _("Closed")


class Outcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved")
    IMPROVED = "improved", _("Improved")
    NO_CHANGE = "no_change", _("No change")
    REFERRED_OUT = "referred_out", _("Referred to an outside professional")
    LEFT_SCHOOL = "left_school", _("Left school")


class CaseQuerySet(SchoolScoped):
    def not_closed(self):
        return self.exclude(status=CaseStatus.CLOSED)

    def visible_to(self, actor):
        """Cases whose shared parts the actor may read: counselors and the vice
        principal see the school's; a teacher sees cases they are on the team of,
        and a homeroom teacher also the cases of students in their class. The
        school admin sees none."""
        if actor.school is None:
            return self.none()
        qs = self.for_school(actor.school)
        if actor.may("case", "view_all"):
            return qs
        if actor.may("case", "view_team"):
            scope = models.Q(members__user=actor.user)
            if actor.homeroom_classroom_ids:
                scope |= models.Q(student__classroom_id__in=actor.homeroom_classroom_ids)
            return qs.filter(id__in=self.model.objects.filter(scope).values("id"))
        return qs.none()

    def classroom_visible_to(self, actor):
        """Cases whose "what you can do in class" page the actor may read: every
        case of visible_to(actor), and for a teacher also the cases of students
        in a class they teach this term (the homeroom teacher's class is already
        in visible_to). That page shows the student, the class, the classroom
        guidance and the lead counselor, nothing else of the case."""
        qs = self.visible_to(actor)
        if actor.school is None or actor.may("case", "view_all") or not actor.may("case", "view_class"):
            return qs
        taught = TeachingAssignment.objects.classroom_ids_taught_by(actor)
        return qs | self.for_school(actor.school).filter(student__classroom_id__in=taught)


class Case(ChoiceDisplay, models.Model):
    school = models.ForeignKey("roster.School", on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    student = models.ForeignKey(
        "roster.Student", on_delete=models.CASCADE, related_name="cases", verbose_name=_("student")
    )
    lead_counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases_led", verbose_name=_("lead counselor")
    )
    status = models.CharField(_("status"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    summary = models.TextField(_("shared summary"), blank=True, max_length=TEXT_LIMIT)
    counselor_assessment = models.TextField(
        _("counselor's assessment"),
        blank=True,
        max_length=TEXT_LIMIT,
        help_text=_("What the counselor thinks lies behind the difficulty. Shared with the team."),
    )
    perspectives_to_discuss = models.BooleanField(
        _("our views differ: discuss at the next meeting"),
        default=False,
        help_text=_("Tick when the referring teacher's view and your assessment differ."),
    )
    classroom_guidance = models.TextField(
        _("what you can do in class"),
        blank=True,
        max_length=SHORT_TEXT_LIMIT,
        help_text=_("A short summary for the student's teachers. No counseling details."),
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year", "sequence"], name="case_unique_number"),
            # A student has at most one case that is not closed.
            models.UniqueConstraint(
                fields=["student"], condition=~models.Q(status="closed"), name="case_one_open_per_student"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="closed") | ~models.Q(outcome=""), name="case_closed_has_outcome"
            ),
            text_limit("summary", TEXT_LIMIT),
            text_limit("counselor_assessment", TEXT_LIMIT),
            text_limit("classroom_guidance", SHORT_TEXT_LIMIT),
        ]
        indexes = [
            # The caseload dashboard: a counselor's cases by status.
            models.Index(fields=["school", "lead_counselor", "status"], name="case_caseload"),
            # Reports and tasks: a school's cases that are not closed (few, whatever the history).
            models.Index(fields=["school", "opened_at"], condition=~models.Q(status="closed"), name="case_school_open"),
            # Reports: a school's cases closed in a period.
            models.Index(fields=["school", "closed_at"], name="case_school_closed"),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("casework:detail", args=[self.pk])

    @property
    def number(self):
        return f"{self.year}-{self.sequence:04d}"

    @property
    def is_closed(self):
        return self.status == CaseStatus.CLOSED

    # Status changes a counselor makes by hand; open -> active follows from the
    # plan, closing and reopening have their own steps.
    MANUAL_TRANSITIONS = {
        CaseStatus.OPEN: (),
        CaseStatus.ACTIVE: (CaseStatus.MONITORING,),
        CaseStatus.MONITORING: (CaseStatus.ACTIVE,),
        CaseStatus.CLOSED: (),
    }

    def manual_statuses(self):
        """The statuses a counselor may move the case to by hand."""
        return self.MANUAL_TRANSITIONS[self.status]

    def status_choices(self):
        return [(s, CaseStatus(s).label) for s in self.manual_statuses()]

    def allows_status(self, status):
        return status in self.manual_statuses()

    def has_plan(self):
        """A goal and an action that is not cancelled: the plan an open case needs to become active."""
        return (
            Goal.objects.filter(case=self).exists()
            and Action.objects.filter(case=self).exclude(status=ActionStatus.CANCELLED).exists()
        )

    def require_open(self):
        """Refuse a change to a closed case."""
        if self.is_closed:
            raise RuleError(_("This case is closed. Reopen it to change it."))


class TeamRole(models.TextChoices):
    LEAD_COUNSELOR = "lead_counselor", _("Lead counselor")
    REFERRING_TEACHER = "referring_teacher", _("Referring teacher")
    HOMEROOM_TEACHER = "homeroom_teacher", _("Homeroom teacher")
    SUBJECT_TEACHER = "subject_teacher", _("Subject teacher")
    VICE_PRINCIPAL = "vice_principal", _("Vice principal")
    OTHER_COUNSELOR = "other_counselor", _("Other counselor")


class CaseMember(ChoiceDisplay, models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="members", verbose_name=_("case"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_memberships", verbose_name=_("person")
    )
    role = models.CharField(_("role on this case"), max_length=20, choices=TeamRole.choices)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["added_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="case_member_once")]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()}"


class SchoolMeasure(models.TextChoices):
    SCORES = "scores", _("Scores in a subject")
    ATTENDANCE = "attendance", _("Attendance rate per month")


class Goal(ChoiceDisplay, models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="goals", verbose_name=_("case"))
    statement = models.CharField(_("goal"), max_length=300)
    indicator = models.CharField(_("indicator"), max_length=200, help_text=_("What is measured, e.g. maths score."))
    baseline = models.DecimalField(_("baseline"), max_digits=7, decimal_places=1, null=True, blank=True)
    target = models.DecimalField(_("target"), max_digits=7, decimal_places=1, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True, help_text=_("e.g. points, days, %"))
    target_date = models.DateField(_("target date"), null=True, blank=True)
    # A goal measured from the school's records (schooldata) instead of typed
    # values: the student's scores in a subject, or the monthly attendance rate.
    measure = models.CharField(
        _("measured from school records"),
        max_length=12,
        choices=SchoolMeasure.choices,
        blank=True,
        help_text=_("New imported values then appear in the log by themselves."),
    )
    measure_subject = models.ForeignKey(
        "roster.Subject",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("subject measured"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.statement


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Action(ChoiceDisplay, models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions", verbose_name=_("case"))
    goal = models.ForeignKey(
        Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions", verbose_name=_("goal")
    )
    description = models.CharField(_("what"), max_length=300)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_actions", verbose_name=_("who")
    )
    frequency = models.CharField(_("how often"), max_length=100, blank=True)
    sessions_per_week = models.PositiveSmallIntegerField(
        _("sessions a week"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(14)],
        help_text=_("For the check that the plan was carried out: how many sessions are planned each week."),
    )
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    meeting = models.ForeignKey(
        "Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("decided at meeting"),
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["created_at", "id"]
        # "My tasks": a person's open actions across cases.
        indexes = [models.Index(fields=["responsible", "status"], name="action_responsible_status")]

    def __str__(self):
        return self.description


class ActionSession(models.Model):
    """One planned session of an action, ticked as held or not held (with a
    reason) by whoever is responsible: planned vs held is the plan's fidelity."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("action"))
    date = models.DateField(_("date"))
    held = models.BooleanField(_("held"), default=True)
    reason = models.CharField(_("why not held"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["date", "id"]
        constraints = [models.UniqueConstraint(fields=["action", "date"], name="action_session_once_a_day")]

    def __str__(self):
        return f"{self.action} · {self.date}"


class DecisionKind(models.TextChoices):
    CONTINUE = "continue", _("Continue the plan")
    INTENSIFY = "intensify", _("Intensify the plan")
    CHANGE = "change", _("Change the plan")
    FADE = "fade", _("Fade the support")
    CLOSE = "close", _("Close the goal")


# Decisions that change the plan from a date on: the chart draws a phase line
# there, and the decision rules read only the measurements after it.
PHASE_DECISIONS = (DecisionKind.INTENSIFY, DecisionKind.CHANGE, DecisionKind.FADE)


class GoalDecision(ChoiceDisplay, models.Model):
    """What the counselor decided on reading a goal's progress, and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("case"))
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("goal"))
    kind = models.CharField(_("decision"), max_length=12, choices=DecisionKind.choices)
    reason = models.TextField(_("reason"), max_length=SHORT_TEXT_LIMIT)
    decided_on = models.DateField(_("date"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("progress decision")
        verbose_name_plural = _("progress decisions")
        ordering = ["decided_on", "id"]
        constraints = [text_limit("reason", SHORT_TEXT_LIMIT)]
        # The caseload's "needs a decision": the decisions of a page of cases.
        indexes = [models.Index(fields=["case", "decided_on"], name="goal_decision_case")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.decided_on}"

    @property
    def draws_phase_line(self):
        return self.kind in PHASE_DECISIONS


class MeetingKind(models.TextChoices):
    CASE_CONFERENCE = "case_conference", _("Case conference")
    COORDINATION = "coordination", _("Coordination forum")
    TALK = "talk", _("Short talk with the counselor")


class Meeting(ChoiceDisplay, models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices, default=MeetingKind.CASE_CONFERENCE)
    starts_at = models.DateTimeField(_("time"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=45)
    place = models.CharField(_("place"), max_length=150)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="case_meetings", verbose_name=_("attendees")
    )
    agenda = models.TextField(_("agenda"), blank=True, max_length=SHORT_TEXT_LIMIT)
    minutes = models.TextField(_("minutes"), blank=True, max_length=MINUTES_LIMIT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("scheduled by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sequence = models.PositiveIntegerField(
        _("calendar sequence"),
        default=0,
        help_text=_("The iCalendar SEQUENCE: goes up on every change, so calendars replace their copy."),
    )

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at"]
        constraints = [text_limit("agenda", SHORT_TEXT_LIMIT), text_limit("minutes", MINUTES_LIMIT)]

    def __str__(self):
        return f"{self.get_kind_display()} {self.starts_at:%Y-%m-%d %H:%M}"


class EntryKind(models.TextChoices):
    PROGRESS_CHECK = "progress_check", _("Progress check")
    OBSERVATION = "observation", _("Observation")
    SESSION = "session", _("Counseling session summary")
    PARENT_CONTACT = "parent_contact", _("Parent contact")
    MEETING = "meeting", _("Meeting")


# The kinds of entry a team member who is not a counselor may write.
TEACHER_ENTRY_KINDS = (EntryKind.PROGRESS_CHECK, EntryKind.OBSERVATION, EntryKind.PARENT_CONTACT, EntryKind.MEETING)


class EvaluationRating(models.TextChoices):
    WORSE = "worse", _("Worse")
    NO_CHANGE = "no_change", _("No change")
    BETTER = "better", _("Better")


class EvaluationEntry(ChoiceDisplay, models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="entries", verbose_name=_("case"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evaluation_entries", verbose_name=_("by")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EntryKind.choices, default=EntryKind.PROGRESS_CHECK)
    date = models.DateField(_("date"))
    goal = models.ForeignKey(
        Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="entries", verbose_name=_("goal")
    )
    action = models.ForeignKey(
        Action, on_delete=models.SET_NULL, null=True, blank=True, related_name="entries", verbose_name=_("action")
    )
    measured_value = models.DecimalField(_("measured value"), max_digits=7, decimal_places=1, null=True, blank=True)
    rating = models.CharField(_("rating"), max_length=10, choices=EvaluationRating.choices, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=TEXT_LIMIT)
    next_follow_up = models.DateField(_("next follow-up"), null=True, blank=True)
    follow_up_done_at = models.DateTimeField(_("follow-up done at"), null=True, blank=True)
    is_final = models.BooleanField(_("final evaluation"), default=False)
    # Entries written from the school's records (a goal bound to a measure):
    # where the value comes from, e.g. "Matematika · PTS", and the record it
    # mirrors ("score:<assessment id>", "attendance:2026-09"), once per goal.
    source = models.CharField(_("from school records"), max_length=200, blank=True)
    source_key = models.CharField(_("school record"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evaluation entry")
        verbose_name_plural = _("evaluation entries")
        ordering = ["-date", "-id"]
        constraints = [
            text_limit("note", TEXT_LIMIT),
            models.UniqueConstraint(
                fields=["goal", "source_key"], condition=~models.Q(source_key=""), name="entry_one_per_school_record"
            ),
        ]
        # Due and overdue follow-ups across a school.
        indexes = [
            models.Index(fields=["author", "next_follow_up"], name="entry_follow_up"),
            # Follow-ups still to do, per case (caseload, reports): a few rows whatever the history.
            models.Index(
                fields=["case", "next_follow_up"],
                condition=models.Q(follow_up_done_at__isnull=True, next_follow_up__isnull=False),
                name="entry_open_follow_up",
            ),
            # A case's log in date order, and entries of the school's cases in a period.
            models.Index(fields=["case", "date"], name="entry_case_date"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date}"


class ConfidentialNote(models.Model):
    """Counselors only. Never shown, exported or sent to anyone else (only a
    counselor's export for a guardian's access request may include them, in a
    separate file: see privacy.export). The body is encrypted in the database
    (common.crypto)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="confidential_notes", verbose_name=_("case"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    # Encrypted, so the database cannot count its characters: the field's validator does.
    body = EncryptedTextField(_("note"), max_length=TEXT_LIMIT, validators=[MaxLengthValidator(TEXT_LIMIT)])
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("confidential note")
        verbose_name_plural = _("confidential notes")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.case} · {self.created_at:%Y-%m-%d}"


class CaseEventKind(models.TextChoices):
    OPENED = "opened", _("Case opened")
    REFERRAL_JOINED = "referral_joined", _("Referral joined the case")
    STATUS_CHANGED = "status_changed", _("Status changed")
    REOPENED = "reopened", _("Case reopened")
    CLOSED = "closed", _("Case closed")
    MEMBER_ADDED = "member_added", _("Team member added")
    GOAL_ADDED = "goal_added", _("Goal added")
    GOAL_CHANGED = "goal_changed", _("Goal changed")
    ACTION_ADDED = "action_added", _("Action added")
    ACTION_CHANGED = "action_changed", _("Action changed")
    MEETING_SCHEDULED = "meeting_scheduled", _("Meeting scheduled")
    MEETING_CHANGED = "meeting_changed", _("Meeting changed")
    ENTRY_ADDED = "entry_added", _("Evaluation entry added")
    LEAD_CHANGED = "lead_changed", _("Lead counselor changed")
    SUMMARY_CHANGED = "summary_changed", _("Summary changed")
    ASSESSMENT_CHANGED = "assessment_changed", _("Counselor's assessment changed")
    GUIDANCE_CHANGED = "guidance_changed", _("Classroom guidance changed")
    ACTION_DONE = "action_done", _("Action done")
    ACTION_DROPPED = "action_dropped", _("Action dropped")
    DECISION_RECORDED = "decision_recorded", _("Meeting decision became an action")
    PROGRESS_DECISION = "progress_decision", _("Decision on a goal's progress")


class CaseEvent(ChoiceDisplay, models.Model):
    """One line of the case timeline. Never holds confidential note text."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("case"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    kind = models.CharField(_("what happened"), max_length=20, choices=CaseEventKind.choices)
    message = models.TextField(_("details"), blank=True)
    # Codes rendered in the reader's language, e.g. {"from": "open", "to": "active"}.
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.get_kind_display()

    @property
    def from_status_label(self):
        code = (self.data or {}).get("from")
        return CaseStatus(code).label if code in CaseStatus.values else ""

    @property
    def to_status_label(self):
        code = (self.data or {}).get("to")
        return CaseStatus(code).label if code in CaseStatus.values else ""

    @property
    def outcome_label(self):
        code = (self.data or {}).get("outcome")
        return Outcome(code).label if code in Outcome.values else ""
