from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin_scoping import SchoolScopedAdmin
from accounts.models import Membership, User
from accounts.signals import two_factor_reset


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "school" and not request.user.is_superuser:
            field.queryset = field.queryset.filter(id=getattr(request.actor.school, "id", None))
        return field


@admin.register(User)
class UserAdmin(SchoolScopedAdmin, DjangoUserAdmin):
    school_field = "memberships__school"
    list_display = ["username", "full_name", "email", "whatsapp", "is_active"]
    search_fields = ["username", "full_name", "email"]
    ordering = ["full_name"]
    inlines = [MembershipInline]
    actions = ["reset_two_factor", "unlock_sign_in"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("full_name", "email", "whatsapp", "language")}),
        (_("Status"), {"fields": ("is_active", "is_staff")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    superuser_fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("full_name", "email", "whatsapp", "language")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "full_name", "password1", "password2")}),)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        return self.superuser_fieldsets if request.user.is_superuser else self.fieldsets

    def get_queryset(self, request):
        return super().get_queryset(request).distinct()

    @admin.action(description=_("Reset two-step sign-in (lost phone)"))
    def reset_two_factor(self, request, queryset):
        """The user sets it up again at their next sign-in (if their role
        requires it) or from their profile."""
        from accounts.two_factor import remove_devices

        count = 0
        for user in queryset:
            if remove_devices(user=user):
                two_factor_reset.send(sender=type(user), request=request, user=user)
                count += 1
        self.message_user(
            request,
            ngettext(
                "Two-step sign-in was reset for %(count)d user.",
                "Two-step sign-in was reset for %(count)d users.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Unlock sign-in (after too many failed attempts)"))
    def unlock_sign_in(self, request, queryset):
        from axes.utils import reset

        count = sum(1 for user in queryset if reset(username=user.get_username()))
        self.message_user(
            request,
            ngettext("Sign-in was unlocked for %(count)d user.", "Sign-in was unlocked for %(count)d users.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A user added by a school admin belongs to that school as a teacher
        # unless a role was chosen in the inline.
        user = form.instance
        if not request.user.is_superuser and not user.memberships.exists():
            Membership.objects.create(user=user, school=request.actor.school, role="teacher")
