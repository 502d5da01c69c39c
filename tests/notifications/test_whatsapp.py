"""WhatsApp: click-to-chat links to colleagues, and the optional Cloud API
backend, tested against a local fake server."""

from urllib.parse import parse_qs, urlparse

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from notifications import services
from notifications.models import Channel, DeliveryStatus, NotificationKind


def _render(source, **context):
    request = RequestFactory().get("/")
    request.user = context.pop("viewer")
    return Template("{% load whatsapp %}" + source).render(Context({"request": request, **context}))


def test_a_click_to_chat_link_carries_a_neutral_sentence_and_the_link(world, site_url):
    world.counselor.whatsapp = "+6281234567890"
    href = _render(
        "{% whatsapp_link person url label=label as wa %}{{ wa }}",
        viewer=world.teacher,
        person=world.counselor,
        url="/referrals/12/",
        label="Referral #12",
    )
    url = urlparse(href.replace("&amp;", "&"))
    assert (url.scheme, url.netloc, url.path) == ("https", "wa.me", "/6281234567890")
    (text,) = parse_qs(url.query)["text"]
    assert text == (
        f"Hello {world.counselor.full_name}, could we talk about Referral #12 in Sinergi? "
        "https://sinergi.example.sch.id/referrals/12/"
    )


def test_without_a_label(world):
    world.counselor.whatsapp = "+6281234567890"
    href = _render("{% whatsapp_link person '/cases/3/' %}", viewer=world.teacher, person=world.counselor)
    (text,) = parse_qs(urlparse(href).query)["text"]
    assert text.endswith("could we talk about this in Sinergi? http://127.0.0.1:8000/cases/3/")


def test_no_link_without_a_number_or_to_myself(world):
    world.teacher.whatsapp = "+6281234567890"
    assert _render("{% whatsapp_link person '/x/' %}", viewer=world.counselor, person=world.counselor) == ""
    assert _render("{% whatsapp_link person '/x/' %}", viewer=world.teacher, person=world.teacher) == ""
    assert _render("{% whatsapp_link person '/x/' %}", viewer=world.teacher, person=None) == ""


def test_the_button_partial(world):
    world.counselor.whatsapp = "+6281234567890"
    html = Template('{% include "notifications/partials/whatsapp_button.html" with person=p url="/cases/1/" %}').render(
        Context({"p": world.counselor, "request": None})
    )
    assert 'href="https://wa.me/6281234567890?text=' in html
    assert f"WhatsApp {world.counselor.full_name}" in html
    assert 'rel="noopener noreferrer"' in html


# The Cloud API backend.


def _whatsapp_delivery(world):
    world.teacher.whatsapp = "+6281234567890"
    world.teacher.save()
    (notification,) = services.notify(
        school=world.school,
        recipients=[world.teacher],
        kind=NotificationKind.ADDED_TO_TEAM,
        url="/cases/9/",
        label="2026-0009",
    )
    return notification.deliveries.get(channel=Channel.WHATSAPP)


def test_a_message_is_posted_to_the_cloud_api(world, fake_whatsapp):
    delivery = _whatsapp_delivery(world)
    services.delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    (request,) = fake_whatsapp.requests
    assert request.path == "/v21.0/1234567890/messages"
    assert request.headers["Authorization"] == "Bearer test-token"
    assert request.json == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "6281234567890",
        "type": "text",
        "text": {
            "preview_url": True,
            "body": "Sinergi · 2026-0009: You were added to a case team. http://127.0.0.1:8000/cases/9/",
        },
    }


def test_a_server_error_is_retried(world, fake_whatsapp):
    delivery = _whatsapp_delivery(world)
    fake_whatsapp.statuses.append(503)
    assert services.delivery_attempt(delivery_id=delivery.pk) == 60
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
    assert "WhatsApp API 503" in delivery.last_error
    delivery.__class__.objects.filter(pk=delivery.pk).update(next_attempt_at=delivery.created_at)
    services.delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert len(fake_whatsapp.requests) == 2


def test_a_refusal_fails_at_once(world, fake_whatsapp):
    delivery = _whatsapp_delivery(world)
    fake_whatsapp.statuses.append(400)
    assert services.delivery_attempt(delivery_id=delivery.pk) is None
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert "WhatsApp API 400" in delivery.last_error


def test_an_unreachable_api_is_retried(world, fake_whatsapp, settings):
    delivery = _whatsapp_delivery(world)
    settings.WHATSAPP_API_URL = "http://127.0.0.1:9/v21.0"  # nothing listens on the discard port
    assert services.delivery_attempt(delivery_id=delivery.pk) == 60


def test_deliveries_made_before_the_backend_was_turned_off_fail_visibly(world, fake_whatsapp, settings):
    delivery = _whatsapp_delivery(world)
    settings.WHATSAPP_BACKEND = "none"
    services.delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert fake_whatsapp.requests == []


@pytest.mark.parametrize(
    ("backend", "token", "message"),
    [("sms", "", "must be 'none' or 'cloud_api'"), ("cloud_api", "", "needs WHATSAPP_TOKEN")],
)
def test_settings_refuse_a_wrong_backend(backend, token, message):
    import os
    import subprocess
    import sys

    env = os.environ | {"WHATSAPP_BACKEND": backend, "WHATSAPP_TOKEN": token}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env | {"DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        cwd=str(__import__("pathlib").Path(__file__).resolve().parents[2]),
        timeout=60,
    )
    assert result.returncode != 0
    assert message in result.stderr
