"""The school's intervention library: strategies a counselor proposes when
writing a plan, grouped by concern and by the five areas Indonesian counselors
use for learning problems.

The library sits above casework: planning from a strategy writes a goal and an
action through casework.services and remembers which strategy the action came
from (StrategyUse), which gives the library its usage figures.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from common.limits import SHORT_TEXT_LIMIT, text_limit
from roster.models import SchoolScoped


class Area(models.TextChoices):
    PREREQUISITES = "prerequisites", _("Prerequisite mastery of the subject")
    STUDY_SKILLS = "study_skills", _("Study skills")
    RESOURCES = "resources", _("Learning resources")
    PERSONAL = "personal", _("Personal condition")
    ENVIRONMENT = "environment", _("Learning and social-emotional environment")


class CarriedBy(models.TextChoices):
    SUBJECT_TEACHER = "subject_teacher", _("Subject teacher")
    HOMEROOM_TEACHER = "homeroom_teacher", _("Homeroom teacher")
    COUNSELOR = "counselor", _("Counselor")
    PARENTS = "parents", _("Parents, with the counselor")


class StrategyQuerySet(SchoolScoped):
    def active(self):
        return self.filter(is_active=True)


class Strategy(models.Model):
    school = models.ForeignKey("roster.School", on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    # Set for the strategies of the starting library (interventions.catalogue):
    # their texts are stored in English and shown in the reader's language.
    key = models.SlugField(_("key"), max_length=40, blank=True)
    name = models.CharField(_("strategy"), max_length=150)
    what = models.TextField(_("what it is"), max_length=SHORT_TEXT_LIMIT)
    area = models.CharField(_("area"), max_length=20, choices=Area.choices)
    categories = models.ManyToManyField(
        "referrals.ConcernCategory", related_name="+", blank=True, verbose_name=_("for concerns")
    )
    carried_by = models.CharField(_("usually carried out by"), max_length=20, choices=CarriedBy.choices)
    sessions_per_week = models.PositiveSmallIntegerField(
        _("sessions a week"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(14)]
    )
    minutes = models.PositiveSmallIntegerField(
        _("minutes a session"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    weeks = models.PositiveSmallIntegerField(
        _("for how many weeks"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    measure = models.CharField(_("what to measure"), max_length=200)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    why = models.CharField(_("why it works"), max_length=300)
    source = models.CharField(_("source"), max_length=200, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = StrategyQuerySet.as_manager()

    class Meta:
        verbose_name = _("strategy")
        verbose_name_plural = _("strategies")
        ordering = ["area", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "key"], condition=~models.Q(key=""), name="strategy_unique_key"),
            text_limit("what", SHORT_TEXT_LIMIT),
        ]

    def __str__(self):
        return self.title

    def _text(self, value):
        return gettext(value) if self.key and value else value

    @property
    def title(self):
        return self._text(self.name)

    @property
    def what_text(self):
        return self._text(self.what)

    @property
    def measure_text(self):
        return self._text(self.measure)

    @property
    def unit_text(self):
        return self._text(self.unit)

    @property
    def why_text(self):
        return self._text(self.why)

    def frequency_text(self):
        """ "2 times a week, 20 minutes, for 6 weeks", in the reader's language."""
        parts = []
        if self.sessions_per_week:
            parts.append(
                ngettext("%(n)s time a week", "%(n)s times a week", self.sessions_per_week)
                % {"n": self.sessions_per_week}
            )
        if self.minutes:
            parts.append(ngettext("%(n)s minute", "%(n)s minutes", self.minutes) % {"n": self.minutes})
        if self.weeks:
            parts.append(ngettext("for %(n)s week", "for %(n)s weeks", self.weeks) % {"n": self.weeks})
        return ", ".join(parts)


class StrategyUse(models.Model):
    """An action of a case's plan that came from a library strategy."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="uses", verbose_name=_("strategy"))
    action = models.OneToOneField(
        "casework.Action", on_delete=models.CASCADE, related_name="strategy_use", verbose_name=_("action")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("strategy use")
        verbose_name_plural = _("strategy uses")

    def __str__(self):
        return f"{self.strategy} · {self.action}"


class GroupQuerySet(SchoolScoped):
    def visible_to(self, actor):
        """The groups whose page the actor may open: counselors and the vice
        principal see the school's, a teacher the groups they run. Which
        members a page shows is decided per student (see interventions.selectors)."""
        if actor.school is None:
            return self.none()
        qs = self.for_school(actor.school)
        if actor.may("group", "view_all"):
            return qs
        if actor.may("group", "run"):
            return qs.filter(leader=actor.user)
        return qs.none()


class Group(models.Model):
    """One intervention for several students (a remedial maths group, a
    study-skills group): members from several cases, one session register
    that writes into each member's case log."""

    school = models.ForeignKey("roster.School", on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    name = models.CharField(_("name"), max_length=150)
    strategy = models.ForeignKey(
        Strategy, on_delete=models.SET_NULL, null=True, blank=True, related_name="groups", verbose_name=_("strategy")
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="groups_led", verbose_name=_("run by")
    )
    frequency = models.CharField(_("how often"), max_length=100, blank=True)
    sessions_per_week = models.PositiveSmallIntegerField(
        _("sessions a week"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(14)]
    )
    measure = models.CharField(
        _("what is measured each session"), max_length=200, blank=True, help_text=_("Leave empty for attendance only.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("started by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = GroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("group intervention")
        verbose_name_plural = _("group interventions")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("interventions:group", args=[self.pk])


class GroupMember(models.Model):
    """A student in the group through their case: the group is an action of
    the case's plan (run by the group's leader) and may serve one of its goals."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="members", verbose_name=_("group"))
    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="+", verbose_name=_("case"))
    action = models.OneToOneField(
        "casework.Action", on_delete=models.CASCADE, related_name="group_member", verbose_name=_("action")
    )
    goal = models.ForeignKey(
        "casework.Goal", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("goal")
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("group member")
        verbose_name_plural = _("group members")
        ordering = ["joined_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "case"], condition=models.Q(left_on__isnull=True), name="group_member_once"
            )
        ]

    def __str__(self):
        return f"{self.group} · {self.case}"

    def is_member_on(self, day):
        return self.joined_on <= day and (self.left_on is None or day <= self.left_on)


class GroupSession(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("group"))
    date = models.DateField(_("date"))
    note = models.CharField(_("what we did"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("group session")
        verbose_name_plural = _("group sessions")
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["group", "date"], name="group_session_once_a_day")]

    def __str__(self):
        return f"{self.group} · {self.date}"


class GroupAttendance(models.Model):
    session = models.ForeignKey(
        GroupSession, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("session")
    )
    member = models.ForeignKey(
        GroupMember, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("group member")
    )
    present = models.BooleanField(_("present"))
    measured_value = models.DecimalField(_("measured value"), max_digits=7, decimal_places=1, null=True, blank=True)
    entry = models.ForeignKey(
        "casework.EvaluationEntry",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("evaluation entry"),
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["session", "member"], name="group_attendance_once")]

    def __str__(self):
        return f"{self.session} · {self.member}"
