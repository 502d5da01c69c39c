import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest


class _FakeCloudApi(BaseHTTPRequestHandler):
    """A stand-in for graph.facebook.com: records each request, answers with
    the status the test chose."""

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        server = self.server
        server.requests.append(
            SimpleNamespace(path=self.path, headers=dict(self.headers), json=json.loads(body or b"{}"))
        )
        status = server.statuses.pop(0) if server.statuses else 200
        payload = {"messages": [{"id": "wamid.test"}]} if status < 300 else {"error": {"message": "refused"}}
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_whatsapp(settings):
    """A local fake WhatsApp Business Cloud API with the backend switched on.
    ``fake_whatsapp.requests`` are the messages received; append HTTP status
    codes to ``fake_whatsapp.statuses`` to make the next calls fail."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeCloudApi)
    server.requests, server.statuses = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.WHATSAPP_BACKEND = "cloud_api"
    settings.WHATSAPP_API_URL = f"http://127.0.0.1:{server.server_address[1]}/v21.0"
    settings.WHATSAPP_TOKEN = "test-token"
    settings.WHATSAPP_PHONE_NUMBER_ID = "1234567890"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = "https://sinergi.example.sch.id"
    return settings.SITE_URL
