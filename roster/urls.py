from django.urls import path

from roster import views

app_name = "roster"
urlpatterns = [
    path("", views.overview, name="overview"),
]
urlpatterns += [
    path("import/", views.import_roster, name="import"),
    path("import/examples/<str:name>", views.import_example, name="import_example"),
]
