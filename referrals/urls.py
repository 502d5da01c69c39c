from django.urls import path

from referrals import views

app_name = "referrals"
urlpatterns = [
    path("referrals/", views.referral_list, name="list"),
    path("referrals/new/", views.new, name="new"),
    path("referrals/students/", views.student_search, name="student_search"),
    path("referrals/<int:pk>/", views.detail, name="detail"),
    path("referrals/<int:pk>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("referrals/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("referrals/<int:pk>/resubmit/", views.resubmit, name="resubmit"),
    path("referrals/<int:pk>/ask/", views.ask, name="ask"),
    path("referrals/<int:pk>/decline/", views.decline, name="decline"),
    path("referrals/<int:pk>/request-input/", views.request_input, name="request_input"),
    path("referrals/input/<int:pk>/", views.input_answer, name="input"),
    path("triage/", views.triage, name="triage"),
]
