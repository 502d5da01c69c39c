from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from config import health

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("roster/", include("roster.urls")),
    # These apps own the top-level URLs of DESIGN.md (/referrals/, /triage/,
    # /cases/, /tasks/, /reports/, /notifications/), so their urls carry the paths.
    path("", include("referrals.urls")),
    path("", include("casework.urls")),
    path("", include("reports.urls")),
    path("", include("notifications.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
