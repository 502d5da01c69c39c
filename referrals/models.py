import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from common.choices import ChoiceDisplay
from common.limits import TEXT_LIMIT, text_limit
from common.rules import RuleError
from roster.models import SchoolScoped

# Sensible defaults for a new school; the school admin edits the list. The
# names are stored untranslated and shown in the reader's language (see
# ConcernCategory.label) until the school renames them.
DEFAULT_CONCERN_CATEGORIES = [
    ("low_achievement", gettext_noop("Low achievement")),
    ("low_motivation", gettext_noop("Low motivation")),
    ("attention", gettext_noop("Attention / concentration")),
    ("literacy_numeracy", gettext_noop("Reading, writing or numeracy")),
    ("attendance", gettext_noop("Attendance")),
    ("behaviour", gettext_noop("Classroom behaviour")),
    ("emotional", gettext_noop("Emotional")),
    ("social", gettext_noop("Social / peers")),
    ("family", gettext_noop("Suspected family issues")),
    ("other", gettext_noop("Other")),
]
_DEFAULT_NAMES = dict(DEFAULT_CONCERN_CATEGORIES)


class ConcernCategory(models.Model):
    school = models.ForeignKey(
        "roster.School", on_delete=models.CASCADE, related_name="concern_categories", verbose_name=_("school")
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    objects = SchoolScoped.as_manager()

    class Meta:
        verbose_name = _("concern category")
        verbose_name_plural = _("concern categories")
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["school", "code"], name="concern_unique_code")]

    def __str__(self):
        return self.label

    @property
    def label(self):
        """A default category still carrying its default (English) name is shown
        in the reader's language; a name the school typed is shown as typed."""
        if _DEFAULT_NAMES.get(self.code) == self.name:
            return gettext(self.name)
        return self.name


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    PRIORITY = "priority", _("Priority")
    URGENT = "urgent", _("Urgent")


URGENCY_HELP = {
    Urgency.ROUTINE: _("A learning difficulty to look at in the coming days."),
    Urgency.PRIORITY: _("Getting worse or holding the student back now: please look this week."),
    Urgency.URGENT: _("A safety or wellbeing concern: a counselor should act today."),
}
# Urgent first in queues.
URGENCY_RANK = {Urgency.URGENT: 0, Urgency.PRIORITY: 1, Urgency.ROUTINE: 2}


class Since(models.TextChoices):
    DAYS = "days", _("A few days")
    WEEKS = "weeks", _("A few weeks")
    MONTH = "month", _("About a month")
    TERM = "term", _("Since the start of the term")
    LONGER = "longer", _("Longer than this term")


class ContactPreference(models.TextChoices):
    IN_APP = "in_app", _("Through Sinergi")
    WHATSAPP = "whatsapp", _("WhatsApp")
    IN_PERSON = "in_person", _("In person at school")


class ParentsInformed(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    NOT_SURE = "not_sure", _("Not sure")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    NEEDS_INFO = "needs_info", _("Needs information")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = (Status.SUBMITTED, Status.NEEDS_INFO)


class ReferralQuerySet(SchoolScoped):
    def awaiting_triage(self):
        return self.filter(status=Status.SUBMITTED)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def visible_to(self, actor):
        """Referrals the actor may read: counselors and the vice principal see the
        school's; a teacher sees the referrals they filed."""
        if actor.school is None:
            return self.none()
        qs = self.for_school(actor.school)
        if actor.may("referral", "view_all"):
            return qs
        if actor.may("referral", "view_own"):
            return qs.filter(referred_by=actor.user)
        return qs.none()


class Referral(ChoiceDisplay, models.Model):
    school = models.ForeignKey("roster.School", on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    student = models.ForeignKey(
        "roster.Student", on_delete=models.CASCADE, related_name="referrals", verbose_name=_("student")
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_made", verbose_name=_("teacher")
    )
    subject = models.ForeignKey(
        "roster.Subject",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("subject"),
    )
    categories = models.ManyToManyField(ConcernCategory, related_name="referrals", verbose_name=_("concerns"))
    observation = models.TextField(_("what you observed"), max_length=TEXT_LIMIT)
    observed_since = models.CharField(_("since when"), max_length=10, choices=Since.choices)
    latest_score = models.DecimalField(
        _("latest score in the subject"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    absences_30_days = models.PositiveSmallIntegerField(_("absences in the last 30 days"), null=True, blank=True)
    already_tried = models.TextField(_("what you already tried"), blank=True, max_length=TEXT_LIMIT)
    teacher_view = models.CharField(
        _("what you think lies behind it"),
        max_length=300,
        blank=True,
        help_text=_("One line: your own view. It is kept beside the counselor's assessment."),
    )
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    contact_preference = models.CharField(
        _("how to contact you"), max_length=10, choices=ContactPreference.choices, default=ContactPreference.IN_APP
    )
    parents_informed = models.CharField(
        _("parents told"), max_length=10, choices=ParentsInformed.choices, default=ParentsInformed.NOT_SURE
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    case = models.ForeignKey(
        "casework.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("case"),
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True, max_length=TEXT_LIMIT)
    latest_feedback = models.TextField(_("latest feedback"), blank=True, max_length=TEXT_LIMIT)
    created_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("last submitted at"), auto_now_add=True)
    triaged_at = models.DateTimeField(_("triaged at"), null=True, blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals_triaged",
        verbose_name=_("triaged by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at"]
        constraints = [
            # The teacher must always learn why (referrals_decline asks for it).
            models.CheckConstraint(
                condition=~models.Q(status="declined") | ~models.Q(decline_reason=""),
                name="referral_declined_has_reason",
            ),
            *(text_limit(f, TEXT_LIMIT) for f in ("observation", "already_tried", "decline_reason", "latest_feedback")),
        ]
        indexes = [
            # The triage queue: a school's referrals by status, oldest first.
            models.Index(fields=["school", "status", "submitted_at"], name="referral_queue"),
            # The triage queue's counts per status: read from the index alone
            # (the student for "only classes I cover").
            models.Index(fields=["school", "status", "student"], name="referral_school_status_student"),
            # "My referrals": a teacher's referrals, newest first.
            models.Index(fields=["school", "referred_by", "-created_at"], name="referral_by_teacher"),
            # Reports: a school's referrals filed in a period.
            models.Index(fields=["school", "created_at"], name="referral_school_created"),
        ]

    def __str__(self):
        return _("Referral #%(id)s") % {"id": self.pk}

    def get_absolute_url(self):
        return reverse("referrals:detail", args=[self.pk])

    @property
    def notification_label(self):
        """How a notification names the referral: "#12", the same in every
        language, since it is stored once and read in the recipient's."""
        return f"#{self.pk}"

    # The referral's workflow: which action each status allows.
    TRANSITIONS = {
        "withdraw": OPEN_STATUSES,
        "resubmit": (Status.NEEDS_INFO,),
        "accept": (Status.SUBMITTED,),
        "ask": (Status.SUBMITTED,),
        "decline": (Status.SUBMITTED,),
        "request_input": OPEN_STATUSES,
    }

    def allows(self, action):
        """True when the current status allows ``action`` (a key of TRANSITIONS)."""
        return self.status in self.TRANSITIONS[action]

    def state_message(self):
        """Why an action no longer applies, in words for the user."""
        return {
            Status.SUBMITTED: _("This referral is waiting for triage."),
            Status.NEEDS_INFO: _("A counselor has already asked the teacher for more information."),
            Status.ACCEPTED: _("This referral has already been accepted."),
            Status.DECLINED: _("This referral has already been declined."),
            Status.WITHDRAWN: _("This referral has been withdrawn by the teacher."),
        }[self.status]

    def require(self, action):
        """Refuse ``action`` with the state message when the status does not allow it."""
        if not self.allows(action):
            raise RuleError(self.state_message())

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    @property
    def can_be_withdrawn(self):
        return self.allows("withdraw")

    @property
    def can_be_triaged(self):
        return self.allows("accept")


# Content types accepted as evidence (checked by magic bytes) -> file extension.
ATTACHMENT_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
}
MAX_ATTACHMENT_SIZE = 5 * 1024 * 1024
MAX_ATTACHMENTS = 5


def attachment_path(instance, filename):
    """A random name under the month's folder; the extension follows the
    detected content, never the name the uploader gave."""
    extension = ATTACHMENT_TYPES.get(instance.content_type, "bin")
    return f"referrals/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class ReferralAttachment(models.Model):
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("referral")
    )
    # Stored under a random name in private storage; served only through a
    # permission-checked view.
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at"]

    def __str__(self):
        return self.original_name


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Referral filed")
    INFO_REQUESTED = "info_requested", _("More information asked for")
    RESUBMITTED = "resubmitted", _("Information added and resubmitted")
    ACCEPTED = "accepted", _("Accepted into a case")
    JOINED_CASE = "joined_case", _("Joined the student's open case")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    INPUT_REQUESTED = "input_requested", _("Input asked from a colleague")
    INPUT_GIVEN = "input_given", _("Colleague's input received")


class ReferralEvent(ChoiceDisplay, models.Model):
    """One line of a referral's timeline, readable by the referring teacher."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events", verbose_name=_("referral"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    kind = models.CharField(_("what happened"), max_length=20, choices=EventKind.choices)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("referral event")
        verbose_name_plural = _("referral events")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.get_kind_display()


class Rating(models.TextChoices):
    STRUGGLING = "struggling", _("Struggling")
    SOME_DIFFICULTY = "some_difficulty", _("Some difficulty")
    DOING_WELL = "doing_well", _("Doing well")


class InputRequest(ChoiceDisplay, models.Model):
    """A counselor asks a colleague "how is this student in your class?"."""

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="input_requests", verbose_name=_("referral")
    )
    requested_from = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="input_requests", verbose_name=_("colleague")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("asked by")
    )
    rating = models.CharField(_("how the student is doing"), max_length=20, choices=Rating.choices, blank=True)
    note = models.CharField(_("one sentence"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("input request")
        verbose_name_plural = _("input requests")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "requested_from"], name="input_request_once_per_colleague")
        ]

    def __str__(self):
        return f"{self.referral} · {self.requested_from}"
