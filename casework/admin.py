"""Cases in the Django admin: for platform superusers who hold no role at a
school, or who are counselors there. A school admin (even one with the
superuser flag, like the demo's `admin`) sees no case content here.

ConfidentialNote is deliberately not registered: it is read and written only
on the case page, by counselors.
"""

from django.contrib import admin

from accounts.policy import actor_for, may_see_case_content_in_admin
from casework.models import Case, CaseEvent, CaseMember


def _may_see_cases(request):
    return may_see_case_content_in_admin(actor_for(request))


class SuperuserOnlyAdmin(admin.ModelAdmin):
    def has_module_permission(self, request):
        return _may_see_cases(request)

    def has_view_permission(self, request, obj=None):
        return _may_see_cases(request)

    def has_change_permission(self, request, obj=None):
        return _may_see_cases(request)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return _may_see_cases(request)


class CaseMemberInline(admin.TabularInline):
    model = CaseMember
    extra = 0
    raw_id_fields = ["user"]

    def has_view_permission(self, request, obj=None):
        return _may_see_cases(request)

    def has_change_permission(self, request, obj=None):
        return _may_see_cases(request)

    def has_add_permission(self, request, obj=None):
        return _may_see_cases(request)

    def has_delete_permission(self, request, obj=None):
        return _may_see_cases(request)


@admin.register(Case)
class CaseAdmin(SuperuserOnlyAdmin):
    list_display = ["number", "school", "student", "lead_counselor", "status", "opened_at"]
    list_select_related = ["school", "student", "lead_counselor"]
    list_filter = ["status"]
    search_fields = ["student__full_name", "student__nisn"]
    raw_id_fields = ["student", "lead_counselor"]
    readonly_fields = ["school", "year", "sequence", "opened_at", "closed_at", "updated_at", "version"]
    fields = [
        "school",
        "year",
        "sequence",
        "student",
        "lead_counselor",
        "status",
        "outcome",
        "summary",
        "counselor_assessment",
        "perspectives_to_discuss",
        "classroom_guidance",
        "opened_at",
        "closed_at",
        "updated_at",
        "version",
    ]
    inlines = [CaseMemberInline]


@admin.register(CaseEvent)
class CaseEventAdmin(SuperuserOnlyAdmin):
    list_display = ["case", "kind", "actor", "created_at"]
    list_select_related = ["case", "actor"]
    list_filter = ["kind"]
    readonly_fields = ["case", "actor", "kind", "message", "data", "created_at"]

    def has_change_permission(self, request, obj=None):
        return False
