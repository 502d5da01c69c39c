from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin_scoping import SchoolScopedAdmin
from notifications import services
from notifications.models import Delivery, DeliveryStatus, Notification, NotificationPreference


class ReadOnlyMixin:
    """Rows written by the system; operators look, they do not edit."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DeliveryInline(ReadOnlyMixin, admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    fields = ["channel", "status", "attempts", "last_error", "sent_at"]
    readonly_fields = fields


@admin.register(Notification)
class NotificationAdmin(ReadOnlyMixin, SchoolScopedAdmin):
    list_display = ["created_at", "recipient", "kind", "label", "read_at"]
    list_filter = ["kind"]
    search_fields = ["recipient__username", "recipient__full_name", "label"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyMixin, SchoolScopedAdmin):
    """Failed deliveries are visible here, with their last error."""

    school_field = "notification__school"
    list_display = ["created_at", "recipient", "channel", "status", "attempts", "last_error", "sent_at"]
    list_filter = ["status", "channel"]
    search_fields = ["notification__recipient__username", "notification__recipient__full_name"]
    list_select_related = ["notification__recipient"]
    readonly_fields = [
        "notification",
        "channel",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "created_at",
    ]
    actions = ["retry"]

    @admin.display(description=_("recipient"))
    def recipient(self, delivery):
        return delivery.notification.recipient

    @admin.action(description=_("Try the selected failed deliveries again"))
    def retry(self, request, queryset):
        count = services.delivery_retry(deliveries=queryset.filter(status=DeliveryStatus.FAILED))
        self.message_user(
            request,
            ngettext("%(count)d delivery will be tried again.", "%(count)d deliveries will be tried again.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(SchoolScopedAdmin):
    """A daily digest that failed for good shows here: its attempts (5) and
    its last error; the next day's digest covers what it held."""

    school_field = "user__memberships__school"
    list_display = [
        "user",
        "email",
        "whatsapp",
        "email_digest",
        "digest_sent_on",
        "digest_attempts",
        "digest_last_error",
    ]
    list_select_related = ["user"]
    readonly_fields = [
        "digest_sent_on",
        "digest_covered_until",
        "digest_attempts",
        "digest_retry_at",
        "digest_last_error",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).distinct()
