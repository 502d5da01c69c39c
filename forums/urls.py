from django.urls import path

from forums import views

app_name = "forums"
urlpatterns = [
    path("", views.forum_list, name="list"),
    path("settings/", views.forum_settings, name="settings"),
    path("schedule/", views.schedule, name="schedule"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/ics/", views.calendar, name="ics"),
    path("<int:pk>/items/add/", views.item_add, name="item_add"),
    path("<int:pk>/agenda/refresh/", views.refresh, name="refresh"),
    path("<int:pk>/minutes/", views.minutes, name="minutes"),
    path("<int:pk>/decision/", views.decision, name="decision"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/recap/", views.recap, name="recap"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
]
