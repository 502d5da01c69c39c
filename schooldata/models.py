"""Grades and attendance from the school's own records: the term grade ledger
(e-Rapor's "leger nilai" or a teacher's score sheet) and the monthly attendance
recap, imported through the roster import's machinery (schooldata.importing),
and the per-school thresholds of the early-warning list (schooldata.warnings)."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from roster.models import SchoolScoped

SCORE_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class Assessment(models.Model):
    """One assessment of one subject in one class and term: a daily test
    ("UH 1"), the mid-term ("PTS"), the final ("PAS"), or the report grade
    ("Nilai Rapor") of a ledger with one column per subject."""

    school = models.ForeignKey("roster.School", on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    term = models.ForeignKey("roster.Term", on_delete=models.CASCADE, related_name="+", verbose_name=_("term"))
    classroom = models.ForeignKey(
        "roster.Classroom", on_delete=models.CASCADE, related_name="+", verbose_name=_("classroom")
    )
    subject = models.ForeignKey("roster.Subject", on_delete=models.CASCADE, related_name="+", verbose_name=_("subject"))
    name = models.CharField(_("assessment"), max_length=60)
    date = models.DateField(_("date"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = SchoolScoped.as_manager()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["term", "subject", "date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["term", "classroom", "subject", "name"], name="assessment_unique_name")
        ]

    def __str__(self):
        return f"{self.subject} · {self.name} · {self.classroom}"


class Score(models.Model):
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="scores", verbose_name=_("assessment")
    )
    student = models.ForeignKey(
        "roster.Student", on_delete=models.CASCADE, related_name="scores", verbose_name=_("student")
    )
    value = models.DecimalField(_("score"), max_digits=5, decimal_places=1, validators=SCORE_VALIDATORS)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "student"], name="score_one_per_student"),
            models.CheckConstraint(condition=models.Q(value__gte=0, value__lte=100), name="score_0_to_100"),
        ]

    def __str__(self):
        return f"{self.student} {self.value}"


class AttendanceMonth(models.Model):
    """A student's attendance in one month: days present, sick (S), permitted
    (I, izin) and absent without leave (A, alpa)."""

    school = models.ForeignKey("roster.School", on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    student = models.ForeignKey(
        "roster.Student", on_delete=models.CASCADE, related_name="attendance_months", verbose_name=_("student")
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    present = models.PositiveSmallIntegerField(_("present"), default=0)
    sick = models.PositiveSmallIntegerField(_("sick"), default=0)
    permitted = models.PositiveSmallIntegerField(_("permitted"), default=0)
    absent = models.PositiveSmallIntegerField(_("absent without leave"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = SchoolScoped.as_manager()

    class Meta:
        verbose_name = _("attendance month")
        verbose_name_plural = _("attendance months")
        ordering = ["month"]
        constraints = [
            models.UniqueConstraint(fields=["student", "month"], name="attendance_one_per_month"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="attendance_month_first_day"),
        ]

    def __str__(self):
        return f"{self.student} {self.month:%Y-%m}"

    @property
    def days(self):
        return self.present + self.sick + self.permitted + self.absent

    @property
    def rate(self) -> Decimal | None:
        """Days present out of school days, in percent (one decimal)."""
        return attendance_rate(self.present, self.days)


def attendance_rate(present, days) -> Decimal | None:
    if not days:
        return None
    return (Decimal(present) * 100 / Decimal(days)).quantize(Decimal("0.1"))


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


class Thresholds(models.Model):
    """When the early-warning list names a student, per school (see README)."""

    school = models.OneToOneField(
        "roster.School", on_delete=models.CASCADE, related_name="warning_thresholds", verbose_name=_("school")
    )
    kkm = models.DecimalField(
        _("passing score (KKM)"), max_digits=4, decimal_places=1, default=Decimal("75"), validators=SCORE_VALIDATORS
    )
    subjects_below = models.PositiveSmallIntegerField(
        _("subjects below the KKM"),
        default=2,
        validators=[MinValueValidator(1)],
        help_text=_("A student is listed when this many subjects or more are below the KKM."),
    )
    drop_points = models.DecimalField(
        _("drop in points"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("15"),
        validators=SCORE_VALIDATORS,
        help_text=_("Listed when a subject's score drops by more than this from the previous term."),
    )
    min_attendance = models.DecimalField(
        _("lowest attendance (%)"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("85"),
        validators=SCORE_VALIDATORS,
        help_text=_("Listed when a month's attendance is under this rate."),
    )
    max_unexcused = models.PositiveSmallIntegerField(
        _("unexcused absences in a month"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("Listed when a month has this many days absent without leave or more."),
    )

    class Meta:
        verbose_name = _("early-warning thresholds")
        verbose_name_plural = _("early-warning thresholds")

    def __str__(self):
        return str(self.school)

    @classmethod
    def for_school(cls, school) -> "Thresholds":
        """The school's thresholds, or the defaults (unsaved) when it set none."""
        return cls.objects.filter(school=school).first() or cls(school=school)


class WarningDismissal(models.Model):
    """ "Not needed", with a reason: the student stays off the list until the
    figures that listed them change (``signature``)."""

    school = models.ForeignKey("roster.School", on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    student = models.OneToOneField(
        "roster.Student", on_delete=models.CASCADE, related_name="warning_dismissal", verbose_name=_("student")
    )
    # The figures that listed the student, hashed: a change brings them back.
    signature = models.CharField(_("figures seen"), max_length=64)
    reason = models.CharField(_("reason"), max_length=300)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    dismissed_at = models.DateTimeField(_("at"), auto_now=True)

    class Meta:
        verbose_name = _("early-warning dismissal")
        verbose_name_plural = _("early-warning dismissals")

    def __str__(self):
        return f"{self.student}: {self.reason}"
