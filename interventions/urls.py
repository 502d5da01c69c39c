from django.urls import path

from interventions import views

app_name = "interventions"
urlpatterns = [
    path("library/", views.library, name="library"),
    path("library/add/", views.add, name="add"),
    path("library/retire/", views.retire, name="retire"),
    path("cases/<int:pk>/library/", views.plan, name="plan"),
]
