from django.contrib import admin

from accounts.admin_scoping import SchoolScopedAdmin
from roster.models import (
    AcademicYear,
    Classroom,
    Enrollment,
    Holiday,
    School,
    Student,
    Subject,
    TeachingAssignment,
    Term,
)


@admin.register(School)
class SchoolAdmin(SchoolScopedAdmin):
    school_field = "id"
    list_display = ["name", "npsn", "school_days_per_week"]
    search_fields = ["name", "npsn"]

    def get_queryset(self, request):
        qs = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return qs
        return qs.filter(id=getattr(self._actor(request).school, "id", None))

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Holiday)
class HolidayAdmin(SchoolScopedAdmin):
    list_display = ["date", "name"]
    date_hierarchy = "date"


@admin.register(AcademicYear)
class AcademicYearAdmin(SchoolScopedAdmin):
    list_display = ["name", "starts_on", "ends_on"]


@admin.register(Term)
class TermAdmin(SchoolScopedAdmin):
    list_display = ["name", "year", "starts_on", "ends_on", "is_current"]
    list_select_related = ["year"]


@admin.register(Classroom)
class ClassroomAdmin(SchoolScopedAdmin):
    list_display = ["name", "grade", "homeroom_teacher", "counselor"]
    list_select_related = ["homeroom_teacher", "counselor"]
    search_fields = ["name"]


@admin.register(Subject)
class SubjectAdmin(SchoolScopedAdmin):
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(TeachingAssignment)
class TeachingAssignmentAdmin(SchoolScopedAdmin):
    list_display = ["teacher", "subject", "classroom", "term"]
    list_select_related = ["teacher", "subject", "classroom", "term__year"]
    list_filter = ["subject"]


@admin.register(Student)
class StudentAdmin(SchoolScopedAdmin):
    list_display = ["full_name", "nisn", "nis", "gender", "classroom", "is_active"]
    list_select_related = ["classroom"]
    list_filter = ["is_active", "gender"]
    search_fields = ["full_name", "nisn", "nis"]


@admin.register(Enrollment)
class EnrollmentAdmin(SchoolScopedAdmin):
    list_display = ["student", "classroom", "term"]
    list_select_related = ["student", "classroom", "term__year"]
    search_fields = ["student__full_name", "student__nisn"]
