from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin_scoping import SchoolScopedAdmin
from accounts.policy import actor_for, may_see_case_content_in_admin
from referrals.models import ConcernCategory, Referral, ReferralEvent


@admin.register(ConcernCategory)
class ConcernCategoryAdmin(SchoolScopedAdmin):
    """The school admin edits the school's list of concerns."""

    list_display = ["name", "code", "position", "is_active"]
    list_editable = ["position", "is_active"]
    ordering = ["position", "name"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        school = None if request.user.is_superuser else self._actor(request).school

        class Form(form):
            def clean_code(self):
                # The school field is hidden from school admins, so the model's
                # unique (school, code) check would not run: say it here.
                code = self.cleaned_data["code"]
                target = school or self.cleaned_data.get("school")
                taken = ConcernCategory.objects.filter(school=target, code=code).exclude(pk=self.instance.pk)
                if target is not None and taken.exists():
                    raise forms.ValidationError(_("Your school already has a concern with this code."))
                return code

        return Form


class ReferralEventInline(admin.TabularInline):
    model = ReferralEvent
    fields = ["created_at", "kind", "actor", "message"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


def _may_read_referrals(request):
    """Platform superusers (no school) and counselors with the superuser flag.
    A school admin has no access to case content, even one with the
    superuser flag (like the demo's `admin`): the same rule as casework.admin."""
    return may_see_case_content_in_admin(actor_for(request))


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    """Read-only, for superusers. School admins have no access to case
    content, so they do not see referrals here at all."""

    list_display = ["__str__", "school", "student", "referred_by", "status", "urgency", "created_at"]
    list_filter = ["status", "urgency"]
    list_select_related = ["school", "student", "referred_by"]
    search_fields = ["student__full_name", "student__nisn"]
    date_hierarchy = "created_at"
    inlines = [ReferralEventInline]

    def has_module_permission(self, request):
        return _may_read_referrals(request)

    def has_view_permission(self, request, obj=None):
        return _may_read_referrals(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
