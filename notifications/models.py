from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.choices import ChoiceDisplay


class NotificationKind(models.TextChoices):
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
    MEETING_REMOVED = "meeting_removed", _("You are no longer invited to a meeting")
    FOLLOW_UP_DUE = "follow_up_due", _("A follow-up is due")
    FOLLOW_UP_OVERDUE = "follow_up_overdue", _("A follow-up is overdue")
    CASE_STATUS = "case_status", _("A case changed status")
    CASE_CLOSED = "case_closed", _("A case was closed")
    TALK_REQUESTED = "talk_requested", _("A teacher would like to talk with you")
    FORUM_SCHEDULED = "forum_scheduled", _("A coordination forum was scheduled")
    FORUM_RECAP = "forum_recap", _("The recap of a coordination forum")
    FORUM_CANCELLED = "forum_cancelled", _("A coordination forum was cancelled")


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(ChoiceDisplay, models.Model):
    """The source of truth for what a user was told. The text is rendered from
    ``kind`` in the reader's language; ``label`` names the record (a case
    number, "Referral #12") and never carries a student's concerns."""

    school = models.ForeignKey("roster.School", on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    label = models.CharField(_("about"), max_length=100, blank=True)
    url = models.CharField(_("link"), max_length=200)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # A file for the email, as a reference ("meeting:12") resolved through
    # notifications.attachments: the .ics of a MEETING_* notification.
    attachment = models.CharField(_("attachment"), max_length=50, blank=True, default="", editable=False)
    # Reminders set a key (e.g. "follow_up:12:2026-08-03") so that a reminder
    # is created at most once per recipient, even if the job runs twice.
    dedupe_key = models.CharField(_("reminder key"), max_length=100, blank=True, default="", editable=False)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        # The bell's unread count and the list: a user's notifications, newest first.
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], condition=~models.Q(dedupe_key=""), name="notification_dedupe"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.label}"


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    WHATSAPP = "whatsapp", _("WhatsApp")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One message of a notification on a channel outside the app. Written in
    the same transaction as the notification; a Celery task claims it with a
    conditional UPDATE (pending -> sending), so it is sent at most once."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("notification")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once_per_channel"),
        ]
        indexes = [
            # The sweep: pending deliveries due again, and stale claims.
            models.Index(
                fields=["status", "next_attempt_at"],
                condition=models.Q(status__in=["pending", "sending"]),
                name="delivery_sweep",
            ),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} · {self.get_status_display()}"


class NotificationPreference(models.Model):
    """How a person wants to hear about things outside the app. In-app
    notifications are always on. No row means the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    email = models.BooleanField(_("email"), default=True)
    whatsapp = models.BooleanField(_("WhatsApp messages"), default=True)
    email_digest = models.BooleanField(_("one daily email instead of single emails"), default=False)
    # The day the last digest was claimed: at most one digest a day.
    digest_sent_on = models.DateField(_("last digest sent on"), null=True, blank=True, editable=False)
    # A digest covers the unread notifications created after the last one
    # sent (a day missed or failed is in the next one).
    digest_covered_until = models.DateTimeField(_("last digest covered up to"), null=True, blank=True, editable=False)
    # Failed tries of the pending digest, as on a Delivery: retried with a
    # backoff until MAX_ATTEMPTS, then left failed for the day (the error stays).
    digest_attempts = models.PositiveSmallIntegerField(_("digest attempts"), default=0, editable=False)
    digest_retry_at = models.DateTimeField(_("next digest attempt at"), null=True, blank=True, editable=False)
    digest_last_error = models.TextField(_("last digest error"), blank=True, editable=False)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self):
        return str(self.user)
