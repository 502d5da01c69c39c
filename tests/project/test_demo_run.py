"""`make run`: the demo served with DEBUG off, friendly error pages, static files
through WhiteNoise, a secret key of its own, and links to the address it serves
(issue #12)."""

import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
SHOW = (
    "import json, django; django.setup(); from django.conf import settings as s; print(json.dumps({"
    "'debug': s.DEBUG, 'site_url': s.SITE_URL, 'hosts': s.ALLOWED_HOSTS, 'email': s.MAILERS['default']['BACKEND'],"
    "'eager': s.CELERY_TASK_ALWAYS_EAGER, 'secure': getattr(s, 'SESSION_COOKIE_SECURE', False),"
    "'two_factor': s.REQUIRE_2FA, 'key': s.SECRET_KEY, 'storage': s.STORAGES['staticfiles']['BACKEND']}))"
)


def _demo_env(tmp_path, **extra):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "SINERGI_TESTING", "SITE_URL", "ALLOWED_HOSTS", "CELERY_BROKER_URL"}
    }
    env.update(
        {
            "SINERGI_DEMO": "1",
            "HOST": "127.0.0.1",
            "PORT": "8123",
            "SECRET_KEY_FILE": str(tmp_path / ".secret_key"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
        | extra
    )
    return env


def _settings(env):
    out = subprocess.run([sys.executable, "-c", SHOW], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_demo_settings_follow_host_and_port(tmp_path):
    shown = _settings(_demo_env(tmp_path))
    assert shown["debug"] is False
    assert shown["site_url"] == "http://127.0.0.1:8123"
    assert "127.0.0.1" in shown["hosts"]
    assert shown["email"] == "django.core.mail.backends.console.EmailBackend"
    assert shown["eager"] is True
    assert shown["secure"] is False and shown["two_factor"] is False
    assert shown["storage"] == "django.contrib.staticfiles.storage.StaticFilesStorage"
    key_file = tmp_path / ".secret_key"
    assert key_file.read_text().strip() == shown["key"] and len(shown["key"]) >= 50
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert _settings(_demo_env(tmp_path))["key"] == shown["key"]  # kept from the first run

    other = _settings(_demo_env(tmp_path, HOST="sinergi.local", PORT="9000"))
    assert other["site_url"] == "http://sinergi.local:9000"
    assert "sinergi.local" in other["hosts"]
    assert _settings(_demo_env(tmp_path, HOST="0.0.0.0"))["site_url"] == "http://127.0.0.1:8123"


def test_the_secret_key_file_is_kept_out_of_git():
    ignored = subprocess.run(["git", "check-ignore", "-q", ".secret_key"], cwd=ROOT)
    assert ignored.returncode == 0


def test_make_run_passes_host_and_port():
    out = subprocess.run(
        ["make", "-n", "run", "PORT=8123", "HOST=127.0.0.2"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "SINERGI_DEMO=1 HOST=127.0.0.2 PORT=8123 .venv/bin/python manage.py runserver 127.0.0.2:8123" in out
    assert "8000" not in out


@pytest.mark.django_db
def test_seed_demo_runs_for_the_demo_and_prints_its_address(settings):
    settings.DEBUG, settings.DEMO, settings.SITE_URL = False, True, "http://127.0.0.1:8123"
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "Sign in at http://127.0.0.1:8123 as teacher" in out.getvalue()
    assert "8000" not in out.getvalue()


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 — a local test server
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def test_the_demo_server_shows_friendly_errors_and_serves_static_files(tmp_path):
    port = _free_port()
    env = _demo_env(tmp_path, PORT=str(port))
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _attempt in range(100):
            try:
                if _get(base + "/healthz/live")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        status, css = _get(base + "/static/css/sinergi.css")
        assert status == 200 and css.strip()
        status, page = _get(base + "/accounts/no-such-page/")
        assert status == 404
        assert "Using the URLconf" not in page and "Traceback" not in page
        assert "<html" in page
    finally:
        server.terminate()
        server.wait(timeout=10)
