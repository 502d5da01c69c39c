from django.urls import path

from casework import views

app_name = "casework"
urlpatterns = [
    path("cases/", views.caseload, name="caseload"),
    path("tasks/", views.tasks, name="tasks"),
    path("cases/<int:pk>/", views.detail, name="detail"),
    path("cases/<int:pk>/print/", views.print_view, name="print"),
    path("cases/<int:pk>/classroom/", views.classroom, name="classroom"),
    path("cases/<int:pk>/team/add/", views.team_add, name="team_add"),
    path("cases/<int:pk>/lead/", views.reassign, name="reassign"),
    path("cases/<int:pk>/summary/", views.edit_text, {"part": "summary"}, name="summary"),
    path("cases/<int:pk>/assessment/", views.edit_text, {"part": "assessment"}, name="assessment"),
    path("cases/<int:pk>/guidance/", views.edit_text, {"part": "guidance"}, name="guidance"),
    path("cases/<int:pk>/goals/add/", views.goal_add, name="goal_add"),
    path("cases/<int:pk>/goals/<int:goal_id>/edit/", views.goal_edit, name="goal_edit"),
    path("cases/<int:pk>/goals/<int:goal_id>/decide/", views.goal_decide, name="goal_decide"),
    path("cases/<int:pk>/actions/add/", views.action_add, name="action_add"),
    path("cases/<int:pk>/actions/<int:action_id>/edit/", views.action_edit, name="action_edit"),
    path("cases/<int:pk>/actions/<int:action_id>/done/", views.action_done, name="action_done"),
    path("cases/<int:pk>/actions/<int:action_id>/session/", views.action_session, name="action_session"),
    path("cases/<int:pk>/meetings/add/", views.meeting_add, name="meeting_add"),
    path("cases/<int:pk>/meetings/find/", views.meeting_find, name="meeting_find"),
    path("cases/<int:pk>/talk/", views.talk_case, name="talk_case"),
    path("cases/<int:pk>/meetings/<int:meeting_id>/", views.meeting, name="meeting"),
    path("cases/<int:pk>/meetings/<int:meeting_id>/edit/", views.meeting_edit, name="meeting_edit"),
    path("cases/<int:pk>/meetings/<int:meeting_id>/decisions/add/", views.decision_add, name="decision_add"),
    path("cases/<int:pk>/meetings/<int:meeting_id>/ics/", views.meeting_calendar, name="meeting_ics"),
    path("cases/<int:pk>/entries/add/", views.entry_add, name="entry_add"),
    path("cases/<int:pk>/entries/<int:entry_id>/follow-up/", views.follow_up_done, name="follow_up_done"),
    path("cases/<int:pk>/follow-up/", views.follow_up_add, name="follow_up_add"),
    path("cases/<int:pk>/notes/add/", views.note_add, name="note_add"),
    path("cases/<int:pk>/status/", views.set_status, name="status"),
    path("cases/<int:pk>/close/", views.close, name="close"),
    path("cases/<int:pk>/reopen/", views.reopen, name="reopen"),
    # Accepting a referral into a case; the form is on the referral's page.
    path("referrals/<int:pk>/accept/", views.accept_referral, name="accept_referral"),
    # "When can I talk to the counselor?" from the referral's page.
    path("referrals/<int:pk>/talk/", views.talk_referral, name="talk_referral"),
]
