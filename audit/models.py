"""The audit trail: who viewed or changed which student's records, when, from where.

Rows are written synchronously in the request's transaction (see
audit.services.audit_record) and are never changed or deleted: save() refuses
updates, delete() refuses, the queryset refuses update()/delete(), the admin is
read-only, and on PostgreSQL a trigger refuses UPDATE and DELETE for every role.

Links to other rows (school, actor, student) are plain ids without a database
constraint and without on_delete behaviour (DO_NOTHING): the trail outlives the
records it describes, and SET_NULL or CASCADE would have to UPDATE or DELETE
audit rows, which the trigger forbids. The actor's username and roles are
copied at the time of the event.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.choices import ChoiceDisplay


class ImmutableAuditEvent(RuntimeError):
    """Raised on any attempt to change or delete an audit event."""


class AuditAction(models.TextChoices):
    VIEW = "view", _("Viewed")
    CREATE = "create", _("Created")
    CHANGE = "change", _("Changed")
    DELETE = "delete", _("Deleted")
    EXPORT = "export", _("Exported")
    DOWNLOAD = "download", _("Downloaded")
    LOGIN = "login", _("Signed in")
    LOGOUT = "logout", _("Signed out")
    LOGIN_FAILED = "login_failed", _("Failed sign-in")
    ACCESS_DENIED = "access_denied", _("Access refused")
    TWO_FACTOR_ENABLED = "2fa_enabled", _("Two-step sign-in turned on")
    TWO_FACTOR_DISABLED = "2fa_disabled", _("Two-step sign-in turned off")
    TWO_FACTOR_FAILED = "2fa_failed", _("Wrong two-step code")
    TWO_FACTOR_RESET = "2fa_reset", _("Two-step sign-in reset by an admin")
    RECOVERY_CODES = "recovery_codes", _("New recovery codes")


class ObjectType(models.TextChoices):
    REFERRAL = "referral", _("Referral")
    CASE = "case", _("Case")
    EVALUATION_LOG = "evaluation_log", _("Evaluation log")
    ATTACHMENT = "attachment", _("Attachment")
    CONFIDENTIAL_NOTE = "confidential_note", _("Confidential note")
    MEETING = "meeting", _("Meeting")
    PLAN = "plan", _("Intervention plan")
    STUDENT = "student", _("Student")
    REPORT = "report", _("Report")
    ROSTER = "roster", _("Roster")
    USER = "user", _("Account")


# Object types that belong to a referral or a case: their events are read by
# the counselors and the vice principal who may see that referral or case.
CASE_CONTENT_TYPES = frozenset(
    {
        ObjectType.REFERRAL,
        ObjectType.CASE,
        ObjectType.EVALUATION_LOG,
        ObjectType.ATTACHMENT,
        ObjectType.CONFIDENTIAL_NOTE,
        ObjectType.MEETING,
        ObjectType.PLAN,
    }
)


class AuditEventQuerySet(models.QuerySet):
    def for_school(self, school):
        return self.filter(school=school)

    def update(self, **kwargs):
        raise ImmutableAuditEvent("Audit events cannot be changed.")

    def delete(self):
        raise ImmutableAuditEvent("Audit events cannot be deleted.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise ImmutableAuditEvent("Audit events cannot be changed.")

    def update_or_create(self, *args, **kwargs):
        raise ImmutableAuditEvent("Audit events cannot be changed.")


class AuditEvent(ChoiceDisplay, models.Model):
    school = models.ForeignKey(
        "roster.School",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("school"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_username = models.CharField(_("username"), max_length=150, blank=True)
    actor_roles = models.CharField(_("roles"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("record type"), max_length=20, choices=ObjectType.choices, blank=True)
    object_id = models.CharField(_("record id"), max_length=64, blank=True)
    # The referral and case the record belongs to (plain ids, see the module
    # docstring): they decide which counselors may read the event.
    referral_id = models.BigIntegerField(_("referral id"), null=True, blank=True)
    case_id = models.BigIntegerField(_("case id"), null=True, blank=True)
    student = models.ForeignKey(
        "roster.Student",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("student"),
    )
    # Never confidential text: for changes only the names of the fields.
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    path = models.CharField(_("address"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        default_permissions = ("view",)
        indexes = [
            # The audit page: a school's events, newest first.
            models.Index(fields=["school", "-created_at"], name="audit_school_created"),
            # "Who looked at this case / referral?"
            models.Index(fields=["school", "case_id"], name="audit_school_case"),
            models.Index(fields=["school", "referral_id"], name="audit_school_referral"),
            # "Who looked at this student's records?"
            models.Index(fields=["student", "-created_at"], name="audit_student_created"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_username or '-'} {self.action} {self.record_label}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableAuditEvent("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableAuditEvent("Audit events cannot be deleted.")

    @property
    def record_label(self):
        if not self.object_type:
            return ""
        return (
            f"{self.get_object_type_display()} #{self.object_id}" if self.object_id else self.get_object_type_display()
        )

    @property
    def actor_role_labels(self):
        from accounts.models import Role

        labels = {**dict(Role.choices), "superuser": _("Superuser")}
        return ", ".join(str(labels.get(value, value)) for value in self.actor_roles.split(",") if value)
