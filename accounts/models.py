from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.phone import normalize_phone, validate_phone


class UserQuerySet(models.QuerySet):
    def with_role(self, school, role):
        """Active users who hold ``role`` at ``school`` (a School or its id)."""
        return self.filter(memberships__school=school, memberships__role=role, is_active=True).distinct()


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person who signs in. Many Indonesians have a single name, so the name is
    one field; first_name/last_name are not used."""

    objects = UserManager()

    first_name = None
    last_name = None
    full_name = models.CharField(_("full name"), max_length=150)
    email = models.EmailField(_("email address"), blank=True)
    whatsapp = models.CharField(
        _("WhatsApp number"),
        max_length=20,
        blank=True,
        validators=[validate_phone],
        help_text=_("For example 0812 3456 7890. Stored in international format."),
    )
    language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.username

    def get_full_name(self):
        return self.full_name or self.username

    def get_short_name(self):
        return self.get_full_name()

    def clean(self):
        super().clean()
        if self.whatsapp:
            self.whatsapp = normalize_phone(self.whatsapp)


class Role(models.TextChoices):
    TEACHER = "teacher", _("Teacher")
    COUNSELOR = "counselor", _("Counselor")
    VICE_PRINCIPAL = "vice_principal", _("Vice principal")
    SCHOOL_ADMIN = "school_admin", _("School admin")


class Membership(models.Model):
    """A role a user holds at a school. One row per role: a person may hold
    several (a vice principal who also teaches). Homeroom and subject-teaching
    duties are not stored here; they follow from the roster."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    school = models.ForeignKey(
        "roster.School", on_delete=models.CASCADE, related_name="memberships", verbose_name=_("school")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("school membership")
        verbose_name_plural = _("school memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "school", "role"], name="membership_unique_role"),
        ]
        indexes = [models.Index(fields=["school", "role"], name="membership_school_role")]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.school}"


class FormSubmission(models.Model):
    """A create form's one-time token, spent in the same transaction as the
    insert it made (accounts.once): a resent or doubled POST finds this row and
    lands on the record the first one made instead of making another."""

    token = models.CharField(_("form token"), max_length=32)
    school = models.ForeignKey("roster.School", on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", verbose_name=_("user"))
    # A hash of what was posted: the same token with other data is a new submit.
    digest = models.CharField(_("digest"), max_length=64)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, null=True, related_name="+", verbose_name=_("type")
    )
    object_id = models.PositiveBigIntegerField(_("object id"), null=True)
    url = models.CharField(_("address"), max_length=500, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")
        constraints = [models.UniqueConstraint(fields=["token"], name="formsubmission_unique_token")]

    def __str__(self):
        return f"{self.user} · {self.created_at:%Y-%m-%d %H:%M}"
