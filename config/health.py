"""Health answers for load balancers, orchestrators and operators.

- /healthz/live: liveness. The process serves requests; nothing else is asked,
  so a dependency that is down never gets app processes restarted.
- /healthz: readiness, the URL a load balancer reads. 200 while the database
  answers (without it nothing works), 503 when it does not. The cache and the
  broker are reported with details; when one of them fails the answer is
  "degraded" but still 200: the site works without them (the outbox keeps the
  deliveries until the broker is back, the cache only speeds things up).

Each check runs in its own thread with a deadline of CHECK_TIMEOUT seconds, so
a dead or slow dependency cannot make the answer itself slow; the checks also
set their own connect timeouts so that an abandoned thread ends soon after.
"""

import threading
import time

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# Seconds each check may take before it counts as failed (all run at once).
CHECK_TIMEOUT = 0.5
# Connect timeouts of the checks' own connections (libpq's minimum is 2 s).
DATABASE_CONNECT_TIMEOUT = 2
BROKER_CONNECT_TIMEOUT = 0.5


def check_database():
    """SELECT 1 on a connection of the check's own, with short timeouts."""
    db = connections.create_connection(DEFAULT_DB_ALIAS)
    if db.vendor == "postgresql":
        options = {**db.settings_dict.get("OPTIONS", {}), "connect_timeout": DATABASE_CONNECT_TIMEOUT}
        db.settings_dict = {**db.settings_dict, "OPTIONS": options}
    try:
        with db.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        db.close()


def check_cache():
    cache.set("healthz", "ok", 5)
    if cache.get("healthz") != "ok":
        raise RuntimeError("the cache did not return the value")


def check_broker():
    if not settings.CELERY_BROKER_URL:
        return "eager"
    from config.celery import app

    with app.connection_for_write(connect_timeout=BROKER_CONNECT_TIMEOUT) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_CONNECT_TIMEOUT)
    return "ok"


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker}
# Needed for readiness; the others only degrade the service.
REQUIRED = {"database"}


def _run(checks, timeout):
    """Run the checks in parallel threads; {name: "ok" | detail | "error: …"}."""
    results = {}

    def target(name, check):
        try:
            results[name] = check() or "ok"
        except Exception as exc:  # any failure is a failed check; its type is enough for operators
            results[name] = f"error: {type(exc).__name__}"

    threads = {name: threading.Thread(target=target, args=(name, check), daemon=True) for name, check in checks.items()}
    for thread in threads.values():
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads.values():
        thread.join(max(deadline - time.monotonic(), 0))
    # Copy under the deadline: a late thread cannot change the answer.
    return {name: results.get(name) or f"error: no answer within {timeout}s" for name in checks}


def readiness():
    """(status, results): "ok", "degraded" (cache or broker failing) or "error"."""
    results = _run(CHECKS, CHECK_TIMEOUT)
    failed = {name for name, result in results.items() if result.startswith("error")}
    status = "error" if failed & REQUIRED else "degraded" if failed else "ok"
    return status, results


@login_not_required
@never_cache
@require_GET
@transaction.non_atomic_requests
def healthz(request):
    """Readiness with details: 200 while the database answers, else 503."""
    status, results = readiness()
    return JsonResponse({"status": status, **results}, status=503 if status == "error" else 200)


@login_not_required
@never_cache
@require_GET
@transaction.non_atomic_requests
def healthz_live(request):
    """Liveness: the process serves requests. Asks no dependency."""
    return JsonResponse({"status": "ok"})
