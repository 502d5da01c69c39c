import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthz_is_public_and_reports_each_part(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["cache"] == "ok"
    assert body["broker"] in ("ok", "eager")


def test_healthz_reports_an_unreachable_broker(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")


def test_healthz_rejects_post(client):
    assert client.post(reverse("healthz")).status_code == 405
