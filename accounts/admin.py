from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.admin_scoping import SchoolScopedAdmin
from accounts.models import Membership, User


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

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A user added by a school admin belongs to that school as a teacher
        # unless a role was chosen in the inline.
        user = form.instance
        if not request.user.is_superuser and not user.memberships.exists():
            Membership.objects.create(user=user, school=request.actor.school, role="teacher")
