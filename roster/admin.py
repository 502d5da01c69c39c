from django.contrib import admin

from accounts.admin_scoping import SchoolScopedAdmin
from roster.models import (
    Absence,
    AcademicYear,
    BusyBlock,
    Classroom,
    Enrollment,
    Holiday,
    Lesson,
    Period,
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


@admin.register(Period)
class PeriodAdmin(SchoolScopedAdmin):
    list_display = ["term", "weekday", "number", "starts_at", "ends_at"]
    list_select_related = ["term__year"]
    list_filter = ["weekday"]


@admin.register(Lesson)
class LessonAdmin(SchoolScopedAdmin):
    list_display = ["weekday", "number", "assignment"]
    list_select_related = ["assignment__teacher", "assignment__subject", "assignment__classroom"]
    list_filter = ["weekday"]
    search_fields = ["assignment__teacher__full_name", "assignment__classroom__name"]


@admin.register(BusyBlock)
class BusyBlockAdmin(SchoolScopedAdmin):
    list_display = ["user", "weekday", "starts_at", "ends_at", "reason"]
    list_select_related = ["user"]


@admin.register(Absence)
class AbsenceAdmin(SchoolScopedAdmin):
    list_display = ["user", "starts_on", "ends_on", "reason"]
    list_select_related = ["user"]
    date_hierarchy = "starts_on"
