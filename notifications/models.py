from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    REFERRAL_SUBMITTED = "referral_submitted", _("A referral was filed")
    REFERRAL_URGENT = "referral_urgent", _("An urgent referral was filed")
    REFERRAL_NEEDS_INFO = "referral_needs_info", _("A counselor asked for more information")
    REFERRAL_RESUBMITTED = "referral_resubmitted", _("A teacher added information to a referral")
    REFERRAL_ACCEPTED = "referral_accepted", _("Your referral was accepted")
    REFERRAL_JOINED_CASE = "referral_joined_case", _("Your referral joined an open case")
    REFERRAL_DECLINED = "referral_declined", _("Your referral was declined")
    REFERRAL_WAITING = "referral_waiting", _("A referral is waiting for triage")
    INPUT_REQUESTED = "input_requested", _("A counselor asks for your input")
    ADDED_TO_TEAM = "added_to_team", _("You were added to a case team")
    ACTION_ASSIGNED = "action_assigned", _("An action was assigned to you")
    MEETING_SCHEDULED = "meeting_scheduled", _("A meeting was scheduled")
    MEETING_CHANGED = "meeting_changed", _("A meeting was changed")
    FOLLOW_UP_DUE = "follow_up_due", _("A follow-up is due")
    FOLLOW_UP_OVERDUE = "follow_up_overdue", _("A follow-up is overdue")
    CASE_STATUS = "case_status", _("A case changed status")
    CASE_CLOSED = "case_closed", _("A case was closed")


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """The source of truth for what a user was told. The text is rendered from
    ``kind`` in the reader's language; ``label`` names the record (a case
    number, "Referral #12") and never carries a student's concerns."""

    school = models.ForeignKey("roster.School", on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    label = models.CharField(_("about"), max_length=100, blank=True)
    url = models.CharField(_("link"), max_length=200)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        # The bell's unread count and the list: a user's notifications, newest first.
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.label}"
