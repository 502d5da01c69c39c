from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = _("Casework")

    def ready(self):
        from accounts import policy
        from casework import selectors
        from casework.ics import meeting_invitation
        from casework.models import Case
        from casework.reminders import follow_up_reminders
        from casework.school_records import sync_students
        from casework.services import open_case_for
        from notifications import attachments, reminders, subjects
        from referrals import hooks
        from schooldata import hooks as school_data
        from schooldata import warnings as early_warning

        hooks.register_open_case_lookup(open_case_for)
        hooks.register_case_progress(selectors.referral_case_progress)
        # The early-warning list leaves out students with a case that is not closed.
        # A grade or attendance import writes the new values of goals measured from school records.
        school_data.register_after_import(sync_students)
        early_warning.register_open_cases(
            lambda ids: Case.objects.not_closed().filter(student_id__in=ids).values("student_id")
        )
        # The student a notification names in the app, for who may see them.
        subjects.register(
            "casework:detail",
            lambda actor, pks: dict(
                Case.objects.visible_to(actor).filter(pk__in=pks).values_list("pk", "student__full_name")
            ),
        )
        attachments.register("meeting", meeting_invitation)
        reminders.register("follow_ups", follow_up_reminders)

        # How accounts.policy finds the records of casework URLs.
        policy.register_scope(
            "case",
            queryset=Case.objects.visible_to,
            lookup=lambda actor, pk: selectors.case_queryset(actor).filter(pk=pk).first(),
        )
        # A meeting: of a case the actor may see, or one the actor attends.
        policy.register_scope(
            "meeting",
            queryset=selectors.meeting_queryset,
            lookup=lambda actor, ids: selectors.meeting_queryset(actor).filter(case_id=ids[0], pk=ids[1]).first(),
            param=("pk", "meeting_id"),
            attrs=("case_id", "pk"),
        )
        subjects.register(
            "casework:meeting",
            lambda actor, pks: dict(
                Case.objects.visible_to(actor).filter(pk__in=pks).values_list("pk", "student__full_name")
            ),
        )
        policy.register_scope(
            "classroom",
            queryset=Case.objects.classroom_visible_to,
            lookup=lambda actor, pk: selectors.classroom_case_queryset(actor).filter(pk=pk).first(),
        )
        policy.register_record(
            "action",
            param="action_id",
            lookup=lambda case, pk: case.actions.select_related("goal").filter(pk=pk).first(),
        )
        policy.register_record(
            "entry",
            param="entry_id",
            lookup=lambda case, pk: case.entries.select_related("goal", "action").filter(pk=pk).first(),
        )
        policy.register_record(
            "meeting", param="meeting_id", lookup=lambda case, pk: case.meetings.filter(pk=pk).first()
        )
