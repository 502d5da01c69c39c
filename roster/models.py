import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.phone import validate_phone

nisn_validator = RegexValidator(r"^\d{10}$", _("NISN must be exactly 10 digits."))


class School(models.Model):
    """The tenant. Every other roster and case row points here."""

    name = models.CharField(_("name"), max_length=200)
    npsn = models.CharField(
        _("NPSN"),
        max_length=8,
        unique=True,
        validators=[RegexValidator(r"^\d{8}$", _("NPSN must be exactly 8 digits."))],
        help_text=_("National school number (8 digits)."),
    )
    school_days_per_week = models.PositiveSmallIntegerField(
        _("school days per week"),
        choices=[(5, _("5 days (Monday–Friday)")), (6, _("6 days (Monday–Saturday)"))],
        default=5,
    )

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["name"]

    def __str__(self):
        return self.name


class SchoolScoped(models.QuerySet):
    def for_school(self, school):
        return self.filter(school=school)


class Holiday(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="holidays", verbose_name=_("school"))
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100)

    objects = SchoolScoped.as_manager()

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["school", "date"], name="holiday_unique_date")]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}"


class AcademicYear(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="years", verbose_name=_("school"))
    name = models.CharField(_("name"), max_length=20, help_text=_("For example 2026/2027."))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    objects = SchoolScoped.as_manager()

    class Meta:
        verbose_name = _("academic year")
        verbose_name_plural = _("academic years")
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="year_unique_name"),
            models.CheckConstraint(condition=models.Q(ends_on__gt=models.F("starts_on")), name="year_ends_after_start"),
        ]

    def __str__(self):
        return self.name


class TermQuerySet(SchoolScoped):
    def current(self, school):
        return self.filter(school=school, is_current=True).select_related("year").first()


class Term(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="terms", verbose_name=_("school"))
    year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="terms", verbose_name=_("year"))
    name = models.CharField(_("name"), max_length=50, help_text=_("For example Semester 1 (Ganjil)."))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    is_current = models.BooleanField(_("current term"), default=False)

    objects = TermQuerySet.as_manager()

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["year", "name"], name="term_unique_name"),
            # Exactly one current term per school: the roster import and the
            # reports' default date range rely on it.
            models.UniqueConstraint(
                fields=["school"], condition=models.Q(is_current=True), name="term_one_current_per_school"
            ),
            models.CheckConstraint(condition=models.Q(ends_on__gt=models.F("starts_on")), name="term_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.year} · {self.name}"


class Classroom(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="classrooms", verbose_name=_("school"))
    name = models.CharField(_("name"), max_length=30, help_text=_("For example VII-A."))
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    homeroom_teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="homeroom_classes",
        verbose_name=_("homeroom teacher"),
    )
    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="covered_classes",
        verbose_name=_("counselor"),
    )

    objects = SchoolScoped.as_manager()

    class Meta:
        verbose_name = _("classroom")
        verbose_name_plural = _("classrooms")
        ordering = ["grade", "name"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="classroom_unique_name")]

    def __str__(self):
        return self.name


class Subject(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="subjects", verbose_name=_("school"))
    name = models.CharField(_("name"), max_length=100)

    objects = SchoolScoped.as_manager()

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="subject_unique_name")]

    def __str__(self):
        return self.name


class TeachingAssignmentQuerySet(SchoolScoped):
    def classroom_ids_taught_by(self, actor):
        """The classes the actor teaches this term (their assignments of the
        school's current term), as a subquery of classroom ids."""
        return self.filter(school=actor.school, teacher=actor.user, term__is_current=True).values("classroom_id")


class TeachingAssignment(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="teaching", verbose_name=_("teacher")
    )
    classroom = models.ForeignKey(
        Classroom, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("classroom")
    )
    subject = models.ForeignKey(
        Subject, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("subject")
    )
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("term"))

    objects = TeachingAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("teaching assignment")
        verbose_name_plural = _("teaching assignments")
        constraints = [
            models.UniqueConstraint(fields=["teacher", "classroom", "subject", "term"], name="assignment_unique")
        ]
        # "What does this teacher teach this term?" (home page, referral form).
        indexes = [models.Index(fields=["school", "teacher", "term"], name="assignment_teacher_term")]

    def __str__(self):
        return f"{self.teacher} · {self.subject} · {self.classroom}"


class Gender(models.TextChoices):
    MALE = "L", _("Male")
    FEMALE = "P", _("Female")


class StudentQuerySet(SchoolScoped):
    def active(self):
        return self.filter(is_active=True)


class Student(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="students", verbose_name=_("school"))
    nisn = models.CharField(
        _("NISN"), max_length=10, unique=True, validators=[nisn_validator], help_text=_("National student number.")
    )
    nis = models.CharField(_("NIS"), max_length=20, blank=True, help_text=_("School student number."))
    full_name = models.CharField(_("full name"), max_length=150)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    guardian_name = models.CharField(_("guardian name"), max_length=150, blank=True)
    guardian_phone = models.CharField(_("guardian phone"), max_length=20, blank=True, validators=[validate_phone])
    # The current class, kept in step with this term's Enrollment by
    # roster.services.enroll(); the Enrollment rows keep the history.
    classroom = models.ForeignKey(
        Classroom,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="students",
        verbose_name=_("current class"),
    )
    is_active = models.BooleanField(_("active"), default=True, help_text=_("Off when the student has left school."))

    objects = StudentQuerySet.as_manager()

    class Meta:
        verbose_name = _("student")
        verbose_name_plural = _("students")
        ordering = ["full_name"]
        # Student search by name within a school (referral form).
        indexes = [models.Index(fields=["school", "full_name"], name="student_school_name")]

    def __str__(self):
        return self.full_name

    def clean(self):
        super().clean()
        if self.birth_date and self.birth_date > datetime.date.today():
            raise ValidationError({"birth_date": _("The birth date cannot be in the future.")})


class Enrollment(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="enrollments", verbose_name=_("student")
    )
    classroom = models.ForeignKey(
        Classroom, on_delete=models.CASCADE, related_name="enrollments", verbose_name=_("classroom")
    )
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="enrollments", verbose_name=_("term"))

    objects = SchoolScoped.as_manager()

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        constraints = [models.UniqueConstraint(fields=["student", "term"], name="enrollment_one_class_per_term")]

    def __str__(self):
        return f"{self.student} · {self.classroom} · {self.term}"


# Timetable ---------------------------------------------------------------
# The bell schedule (periods per day, per term), the weekly periods of each
# teaching assignment, and staff's other busy times. The free-slot finder
# (roster.freeslots) reads them with the school calendar and Sinergi's meetings.


class Weekday(models.IntegerChoices):
    # date.weekday(): Monday is 0. Schools work Monday–Friday or Monday–Saturday.
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")


class Period(models.Model):
    """One lesson period of the bell schedule: a day of the week, its number
    that day and its times. A shorter Friday is simply fewer or shorter
    periods on Friday; a 6-day week has periods on Saturday."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="periods", verbose_name=_("term"))
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    number = models.PositiveSmallIntegerField(_("period"), help_text=_("1 for the first lesson of the day."))
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))

    objects = SchoolScoped.as_manager()

    class Meta:
        verbose_name = _("bell schedule period")
        verbose_name_plural = _("bell schedule")
        ordering = ["term", "weekday", "number"]
        constraints = [
            models.UniqueConstraint(fields=["term", "weekday", "number"], name="period_unique_number"),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="period_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.number} ({self.starts_at:%H:%M}–{self.ends_at:%H:%M})"


class Lesson(models.Model):
    """A weekly period of a teaching assignment: this class has this subject
    with this teacher on this day in this period."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    assignment = models.ForeignKey(
        TeachingAssignment, on_delete=models.CASCADE, related_name="lessons", verbose_name=_("teaching assignment")
    )
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    number = models.PositiveSmallIntegerField(_("period"))

    objects = SchoolScoped.as_manager()

    class Meta:
        verbose_name = _("lesson period")
        verbose_name_plural = _("lesson periods")
        ordering = ["weekday", "number"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "weekday", "number"], name="lesson_unique_period"),
        ]
        indexes = [models.Index(fields=["school", "weekday", "number"], name="lesson_school_period")]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.number} · {self.assignment}"

    def clean(self):
        """The admin's checks, as the import makes them: the period is in the
        term's bell schedule, and the teacher is not in two classes at once."""
        super().clean()
        if self.assignment_id is None or self.weekday is None or self.number is None:
            return
        assignment = self.assignment
        if not Period.objects.filter(term_id=assignment.term_id, weekday=self.weekday, number=self.number).exists():
            raise ValidationError(
                {"number": _("This period is not in the bell schedule of the assignment's term that day.")}
            )
        clash = Lesson.objects.filter(
            assignment__term_id=assignment.term_id,
            assignment__teacher_id=assignment.teacher_id,
            weekday=self.weekday,
            number=self.number,
        ).exclude(pk=self.pk)
        if clash.exclude(assignment__classroom_id=assignment.classroom_id).exists():
            raise ValidationError({"number": _("The teacher already teaches another class in this period.")})


class BusyBlock(models.Model):
    """A recurring weekly time a staff member is not free (a counselor's
    class guidance hour, the vice principal's leadership meeting)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="busy_blocks", verbose_name=_("staff member")
    )
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))
    reason = models.CharField(_("reason"), max_length=100, help_text=_("Shown to colleagues finding a meeting time."))

    objects = SchoolScoped.as_manager()

    class Meta:
        verbose_name = _("weekly busy time")
        verbose_name_plural = _("weekly busy times")
        ordering = ["user", "weekday", "starts_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="busy_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class Absence(models.Model):
    """A one-off absence of a staff member, whole days from and until."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="absences", verbose_name=_("staff member")
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=100, help_text=_("Shown to colleagues finding a meeting time."))

    objects = SchoolScoped.as_manager()

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="absence_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.starts_on:%Y-%m-%d}–{self.ends_on:%Y-%m-%d}"
