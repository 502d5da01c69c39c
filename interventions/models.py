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
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
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
