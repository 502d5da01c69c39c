from django.urls import path

from interventions import views

app_name = "interventions"
urlpatterns = [
    path("interventions/", views.library, name="library"),
    path("interventions/add/", views.add, name="add"),
    path("interventions/retire/", views.retire, name="retire"),
    path("cases/<int:pk>/interventions/", views.plan, name="plan"),
    path("groups/", views.groups, name="groups"),
    path("groups/add/", views.group_add, name="group_add"),
    path("groups/<int:pk>/", views.group, name="group"),
    path("groups/<int:pk>/members/add/", views.group_member_add, name="group_member_add"),
    path("groups/<int:pk>/members/leave/", views.group_member_leave, name="group_member_leave"),
    path("groups/<int:pk>/register/", views.group_register, name="group_register"),
]
