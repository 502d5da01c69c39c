from django.urls import path

from privacy import views

app_name = "privacy"
urlpatterns = [
    path("students/<int:student_id>/export/", views.student_export, name="student_export"),
]
