from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView

from accounts import views as account_views
from config import health

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("roster/", include("roster.urls")),
    path("school-data/", include("schooldata.urls")),
    # These apps own the top-level URLs of DESIGN.md (/referrals/, /triage/,
    # /cases/, /tasks/, /reports/, /notifications/), so their urls carry the paths.
    path("", include("referrals.urls")),
    path("", include("casework.urls")),
    path("", include("interventions.urls")),
    path("", include("reports.urls")),
    path("", include("notifications.urls")),
    path("audit/", include("audit.urls")),
    path("privacy/", include("privacy.urls")),
    path("forums/", include("forums.urls")),
    # Readiness (what a load balancer reads) and liveness; see config/health.py.
    path("healthz", health.healthz, name="healthz"),
    path("healthz/live", health.healthz_live, name="healthz_live"),
    # One sign-in page for everyone (lockout and two-step sign-in included).
    path("admin/login/", login_not_required(RedirectView.as_view(pattern_name="login", query_string=True))),
    path("admin/", admin.site.urls),
]
