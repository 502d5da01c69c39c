"""/healthz (readiness, what a load balancer reads) and /healthz/live
(liveness), with the database, the cache and the broker each down and slow."""

import socket
import time

import pytest
from django.db import OperationalError, connections
from django.urls import reverse

from config import health

pytestmark = pytest.mark.django_db

REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"


@pytest.fixture
def closed_port():
    """A local port where nothing listens: connections are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def silent_port():
    """A local port that accepts connections and never answers (a hung server)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    yield sock.getsockname()[1]
    sock.close()


def _get(client, name="healthz"):
    started = time.monotonic()
    response = client.get(reverse(name))
    return response, time.monotonic() - started


def test_healthz_is_public_and_reports_each_part(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["cache"] == "ok"
    assert body["broker"] in ("ok", "eager")
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_reports_an_unreachable_broker_as_degraded(client, settings, closed_port):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port}/0"
    response, elapsed = _get(client)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["broker"].startswith("error")
    assert (body["database"], body["cache"]) == ("ok", "ok")
    assert elapsed < 1


def test_healthz_reports_a_hung_broker_within_the_timeout(client, settings, silent_port):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{silent_port}/0"
    response, elapsed = _get(client)
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["broker"].startswith("error")
    assert elapsed < 1


def test_healthz_reports_an_unreachable_cache_as_degraded(client, settings, closed_port):
    settings.CACHES = {"default": {"BACKEND": REDIS_CACHE, "LOCATION": f"redis://127.0.0.1:{closed_port}/1"}}
    response, elapsed = _get(client)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["cache"] == "error: ConnectionError"
    assert body["database"] == "ok"
    assert elapsed < 1


def test_healthz_reports_a_hung_cache_within_the_timeout(client, settings, silent_port):
    # No socket timeout: without the check's deadline this would wait forever.
    settings.CACHES = {"default": {"BACKEND": REDIS_CACHE, "LOCATION": f"redis://127.0.0.1:{silent_port}/1"}}
    response, elapsed = _get(client)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["cache"] == f"error: no answer within {health.CHECK_TIMEOUT}s"
    assert elapsed < 1


def test_healthz_fails_readiness_when_the_database_is_down(client, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise OperationalError("connection refused")

    # The request's own connection is open already; the check opens a new one.
    monkeypatch.setattr(type(connections["default"]), "connect", refuse)
    response, elapsed = _get(client)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "error: OperationalError"
    assert body["cache"] == "ok"
    assert elapsed < 1


def test_healthz_fails_readiness_when_the_database_hangs(client, monkeypatch):
    real_connect = type(connections["default"]).connect

    def slow(self, *args, **kwargs):
        time.sleep(3)
        return real_connect(self, *args, **kwargs)

    monkeypatch.setattr(type(connections["default"]), "connect", slow)
    response, elapsed = _get(client)
    assert response.status_code == 503
    assert response.json()["database"] == f"error: no answer within {health.CHECK_TIMEOUT}s"
    assert elapsed < 1


def test_liveness_asks_no_dependency(client, settings, monkeypatch, closed_port):
    def refuse(self, *args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(type(connections["default"]), "connect", refuse)
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port}/0"
    settings.CACHES = {"default": {"BACKEND": REDIS_CACHE, "LOCATION": f"redis://127.0.0.1:{closed_port}/1"}}
    response, elapsed = _get(client, "healthz_live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert elapsed < 0.5


@pytest.mark.parametrize("name", ["healthz", "healthz_live"])
def test_healthz_rejects_post(client, name):
    assert client.post(reverse(name)).status_code == 405
