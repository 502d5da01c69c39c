from django.urls import path

from schooldata import views

app_name = "schooldata"
urlpatterns = [
    path("import/", views.import_school_data, name="import"),
    path("import/examples/<str:name>", views.import_example, name="import_example"),
    path("early-warning/", views.early_warning, name="early_warning"),
    path("scores/", views.enter_scores, name="scores"),
]
