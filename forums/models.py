"""The routine coordination forum (issue #13): a school-level meeting of
counselors and teachers, its sittings, their agenda built from the cases,
minutes per item, and decisions that become actions of a case."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common.limits import MINUTES_LIMIT, text_limit
from common.rules import RuleError
from roster.models import SchoolScoped


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class Forum(models.Model):
    """The school's forum, set by the vice principal."""

    school = models.OneToOneField(
        "roster.School", on_delete=models.CASCADE, related_name="forum", verbose_name=_("school")
    )
    frequency = models.CharField(_("how often"), max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=60)
    place = models.CharField(_("place"), max_length=150, default="")
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="forums", blank=True, verbose_name=_("participants")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = SchoolScoped.as_manager()

    class Meta:
        verbose_name = _("coordination forum")
        verbose_name_plural = _("coordination forums")

    def __str__(self):
        return str(self.school)


class SittingQuerySet(SchoolScoped):
    def visible_to(self, actor):
        """Counselors and the vice principal see every sitting of their
        school; other staff the sittings they are invited to."""
        if actor.school is None:
            return self.none()
        qs = self.for_school(actor.school)
        if actor.may("forum", "run"):
            return qs
        return qs.filter(id__in=Sitting.attendees.through.objects.filter(user=actor.user).values("sitting_id"))


class Sitting(models.Model):
    """One meeting of the forum."""

    school = models.ForeignKey("roster.School", on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="sittings", verbose_name=_("forum"))
    starts_at = models.DateTimeField(_("time"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=60)
    place = models.CharField(_("place"), max_length=150)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="forum_sittings", verbose_name=_("invited")
    )
    present = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True, verbose_name=_("present"))
    sequence = models.PositiveIntegerField(_("calendar sequence"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("scheduled by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    agenda_built_at = models.DateTimeField(_("agenda built at"), null=True, blank=True)
    recap_sent_at = models.DateTimeField(_("recap sent at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    objects = SittingQuerySet.as_manager()

    class Meta:
        verbose_name = _("forum sitting")
        verbose_name_plural = _("forum sittings")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["school", "starts_at"], name="sitting_school_time")]

    def __str__(self):
        return f"{self.starts_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("forums:detail", args=[self.pk])

    @property
    def is_held(self):
        return self.recap_sent_at is not None

    @property
    def is_cancelled(self):
        return self.cancelled_at is not None

    def require_open(self):
        """Refuse a change to a sitting that was held or cancelled."""
        if self.is_cancelled:
            raise RuleError(_("This forum was cancelled."))
        if self.is_held:
            raise RuleError(_("This forum was held: its agenda is closed."))


class ItemKind(models.TextChoices):
    URGENT_REFERRAL = "urgent_referral", _("Urgent referral")
    NEW_REFERRAL = "new_referral", _("New referral")
    OVERDUE_FOLLOW_UP = "overdue_follow_up", _("Overdue follow-up")
    GOAL_NOT_MOVING = "goal_not_moving", _("Goal not moving towards its target")
    PROPOSED_CLOSING = "proposed_closing", _("Proposed for closing")
    PERSPECTIVES_DIFFER = "perspectives_differ", _("Perspectives differ")
    ADDED = "added", _("Added by a participant")


class AgendaItem(models.Model):
    """One item of a sitting's agenda: about a referral or a case (seen only
    by who may see that record), or a topic a participant added."""

    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="items", verbose_name=_("sitting"))
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("referral"),
    )
    case = models.ForeignKey(
        "casework.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("case")
    )
    goal = models.ForeignKey(
        "casework.Goal", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("goal")
    )
    title = models.CharField(_("topic"), max_length=300, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    minutes = models.TextField(_("minutes"), blank=True, max_length=MINUTES_LIMIT)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["id"]
        constraints = [text_limit("minutes", MINUTES_LIMIT)]

    def __str__(self):
        return self.get_kind_display()


class Decision(models.Model):
    """A decision of the forum on an item: an action of the item's case, with
    one responsible person and a due date (shown on their /tasks/)."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("item"))
    action = models.OneToOneField(
        "casework.Action", on_delete=models.CASCADE, related_name="forum_decision", verbose_name=_("action")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("forum decision")
        verbose_name_plural = _("forum decisions")
        ordering = ["id"]

    def __str__(self):
        return str(self.action_id)
