from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_cache():
    cache.set("healthz", "ok", 5)
    if cache.get("healthz") != "ok":
        raise RuntimeError("cache did not return the value")


def _check_broker():
    if not settings.CELERY_BROKER_URL:
        return "eager"
    from config.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """Health of the database, cache and broker, for load balancers and operators."""
    results, healthy = {}, True
    for name, check in (("database", _check_database), ("cache", _check_cache), ("broker", _check_broker)):
        try:
            results[name] = check() or "ok"
        except Exception as exc:  # any failure means unhealthy; the type is enough for operators
            results[name] = f"error: {type(exc).__name__}"
            healthy = False
    return JsonResponse({"status": "ok" if healthy else "error", **results}, status=200 if healthy else 503)
