from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("reports/", views.index, name="index"),
    path("reports/export/", views.export, name="export"),
    path("reports/exports/<uuid:export_id>/", views.export_status, name="export_status"),
    path("reports/exports/<uuid:export_id>/download/", views.export_download, name="export_download"),
]
