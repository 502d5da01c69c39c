"""Django admin limited to the admin's own school.

A superuser sees everything. A school admin (Membership role school_admin, and
is_staff so the admin site lets them in) sees and edits only rows of their
school; new rows get that school; foreign-key choices are limited to it.
"""

from django.contrib import admin
from django.core.exceptions import NON_FIELD_ERRORS

from accounts.policy import actor_for, may_use_school_admin


class SchoolScopedAdmin(admin.ModelAdmin):
    school_field = "school"

    def _actor(self, request):
        return actor_for(request)

    def _allowed(self, request):
        return may_use_school_admin(self._actor(request))

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{self.school_field: self._actor(request).school})

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if not request.user.is_superuser and self.school_field == "school":
            exclude.append("school")
        return exclude

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if request.user.is_superuser or self.school_field != "school":
            return form
        return type(form.__name__, (OwnSchoolForm, form), {"own_school": self._actor(request).school})

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser and self.school_field == "school":
            obj.school = self._actor(request).school
        super().save_model(request, obj, form, change)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if request.user.is_superuser or field is None:
            return field
        school = self._actor(request).school
        model = db_field.related_model
        if model._meta.label == "accounts.User":
            field.queryset = field.queryset.filter(memberships__school=school).distinct()
        elif any(f.name == "school" for f in model._meta.fields):
            field.queryset = field.queryset.filter(school=school)
        return field


class OwnSchoolForm:
    """Mixed into a school admin's form, which has no school field.

    The school is still part of what must be unique (a subject's name within
    its school), so it is set before validation and kept in the checks: a
    duplicate is an error on the form, not an IntegrityError and a 500.
    """

    own_school = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.school = self.own_school

    def _get_validation_exclusions(self):
        return super()._get_validation_exclusions() - {"school"}

    def _update_errors(self, errors):
        # An error on the school alone (one row per school) has no field to sit next to.
        if hasattr(errors, "error_dict") and "school" in errors.error_dict:
            errors.error_dict.setdefault(NON_FIELD_ERRORS, []).extend(errors.error_dict.pop("school"))
        super()._update_errors(errors)
