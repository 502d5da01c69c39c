"""A real Celery worker on a real Redis: step 3 of .ci/run.

Not collected by the ordinary suite (the file name does not start with
test_); run it by path, with a broker URL and PostgreSQL, which the test
process and the worker share:

    CELERY_BROKER_URL=redis://127.0.0.1:6391/0 \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sinergi_celery_ci \\
    SINERGI_TESTING=1 .venv/bin/python -m pytest tests/notifications/celery_redis_integration.py

The test starts its own redis-server on the broker URL's port (so it never
disturbs a Redis others use), and a worker (`celery -A config worker
--pool=solo`) on pytest-django's test database, with emails written to files
the test reads. Then:

1. a teacher files a referral through the referral form: the counselor's
   email is delivered exactly once, even when its task is sent twice;
2. Redis is stopped: filing another referral still succeeds, quickly, and its
   delivery waits as pending;
3. Redis is started again: the sweep delivers that email exactly once.

And a worker killed with SIGKILL at each step of a delivery (before the send,
between the send and marking it sent, after): once its claim is stale, the
sweep sends what was not sent, and nothing twice except in the middle step,
where the repeat carries the same Message-ID.
"""

import datetime
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.db.models import F

from notifications import tasks
from notifications.models import Delivery, DeliveryStatus
from referrals.models import Referral
from referrals.services import ensure_default_categories
from tests.conftest import require_service

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]


def _wait(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"Timed out after {timeout}s waiting for {what}")


def _port_open(port):
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class RedisServer:
    """A private redis-server process on the broker's port."""

    def __init__(self, port, db=0):
        self.port = port
        self.db = db
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5)

        def ready():
            try:
                return client.ping()
            except redis.RedisError:
                return False

        _wait(ready, 15, "redis-server to start")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None
        _wait(lambda: not _port_open(self.port), 10, "redis-server to stop")

    def queue_is_empty(self):
        client = redis.Redis(host="127.0.0.1", port=self.port, db=self.db)
        return client.llen("celery") == 0 and client.hlen("unacked") == 0


def _database_url():
    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def broker():
    if not settings.CELERY_BROKER_URL or connection.vendor != "postgresql":
        require_service("CELERY_BROKER_URL (redis://…) and PostgreSQL for the Celery integration test")
    if shutil.which("redis-server") is None:
        require_service("redis-server")
    url = urlparse(settings.CELERY_BROKER_URL)
    if url.scheme != "redis" or url.hostname not in ("127.0.0.1", "localhost"):
        pytest.fail("The integration test starts its own Redis: use redis://127.0.0.1:<free port>/<db>")
    port = url.port or 6379
    if _port_open(port):
        pytest.fail(f"Port {port} is in use: choose a free port for the test's own Redis")
    server = RedisServer(port, db=int((url.path or "/0").strip("/") or 0))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_dir(tmp_path):
    path = tmp_path / "mail"
    path.mkdir()
    return path


def _messages(mail_dir):
    """Every email the worker wrote (the file backend: one file per connection)."""
    texts = [p.read_text() for p in sorted(mail_dir.glob("*.log"))]
    return [line for text in texts for line in text.splitlines() if line.startswith("Message-ID:")]


def _ping(app):
    try:
        return bool(app.control.ping(timeout=1.0))
    except Exception:
        return False


def _start_worker(tmp_path, env_extra, name="worker"):
    from config.celery import app

    env = os.environ | {
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "SITE_URL": "https://sinergi.example.sch.id",
    }
    log_path = tmp_path / f"{name}.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "-l",
            "warning",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env | env_extra,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    process.log, process.log_path = log, log_path
    _wait(lambda: _ping(app) or process.poll() is not None, 60, "the worker to start")
    assert process.poll() is None, log_path.read_text()
    return process


def _stop_worker(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
    process.log.close()
    print(process.log_path.read_text())


@pytest.fixture
def worker(broker, mail_dir, tmp_path):
    env = {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    process = _start_worker(tmp_path, env)
    try:
        yield process
    finally:
        _stop_worker(process)


def _file_referral(client, world, student):
    ensure_default_categories(world.school)
    category = world.school.concern_categories.get(code="low_achievement")
    return client.post(
        "/referrals/new/",
        {
            "student": student.pk,
            "categories": [category.pk],
            "observation": "Stops working after ten minutes.",
            "observed_since": "weeks",
            "urgency": "routine",
            "contact_preference": "in_app",
            "parents_informed": "not_sure",
        },
    )


def test_a_real_worker_delivers_exactly_once_and_the_sweep_recovers_from_a_broker_outage(
    world, login, worker, broker, mail_dir
):
    from config.celery import app

    client = login(world.teacher)

    # 1. An event delivers one email, once, even when its task runs twice.
    response = _file_referral(client, world, world.student_a)
    assert response.status_code == 302, response.content.decode()[:2000]
    first = Delivery.objects.get()
    _wait(lambda: len(_messages(mail_dir)) == 1, 30, "the first email")
    _wait(lambda: Delivery.objects.get(pk=first.pk).status == DeliveryStatus.SENT, 10, "the delivery to be sent")
    tasks.send_delivery.apply_async(args=[first.pk])
    _wait(broker.queue_is_empty, 15, "the duplicate task to run")
    time.sleep(1)
    assert len(_messages(mail_dir)) == 1
    assert "To: " + world.counselor.email in "".join(p.read_text() for p in mail_dir.glob("*.log"))

    # 2. Redis stops: the request still succeeds, quickly; the delivery waits.
    broker.stop()
    started = time.monotonic()
    response = _file_referral(client, world, world.student_a)
    elapsed = time.monotonic() - started
    assert response.status_code == 302, response.content.decode()[:2000]
    assert elapsed < 3, f"the request took {elapsed:.1f}s with the broker down"
    assert Referral.objects.count() == 2
    second = Delivery.objects.exclude(pk=first.pk).get()
    assert second.status == DeliveryStatus.PENDING
    time.sleep(2)
    assert len(_messages(mail_dir)) == 1

    # 3. Redis is back: the sweep delivers it exactly once.
    broker.start()
    _wait(lambda: _ping(app), 60, "the worker to reconnect")
    assert worker.poll() is None
    tasks.sweep_pending.apply_async(kwargs={"older_than_seconds": 0}, retry=True)
    _wait(lambda: len(_messages(mail_dir)) == 2, 30, "the swept email")
    _wait(lambda: Delivery.objects.get(pk=second.pk).status == DeliveryStatus.SENT, 10, "the swept delivery")
    tasks.sweep_pending.apply_async(kwargs={"older_than_seconds": 0}, retry=True)
    _wait(broker.queue_is_empty, 15, "the second sweep to run")
    time.sleep(1)
    assert len(_messages(mail_dir)) == 2
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


@pytest.mark.parametrize("step", ["before", "between", "after"])
def test_a_worker_killed_at_each_step_of_a_delivery(world, login, broker, mail_dir, tmp_path, step):
    from notifications import services

    hold = tmp_path / "hold"
    hold.write_text(step)
    env = {
        "EMAIL_BACKEND": "tests.notifications.pausing_mail.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "MAIL_HOLD": str(hold),
    }
    first = _start_worker(tmp_path, env, name="killed-worker")
    try:
        response = _file_referral(login(world.teacher), world, world.student_a)
        assert response.status_code == 302, response.content.decode()[:2000]
        _wait(hold.with_suffix(".reached").exists, 30, f"the worker to reach {step!r}")
        first.kill()  # SIGKILL, in the middle of the delivery
        first.wait(10)
    finally:
        hold.unlink(missing_ok=True)
        _stop_worker(first)
    delivery = Delivery.objects.get()
    expected_status = DeliveryStatus.SENT if step == "after" else DeliveryStatus.SENDING
    assert delivery.status == expected_status
    assert len(_messages(mail_dir)) == (0 if step == "before" else 1)

    second = _start_worker(tmp_path, env, name="second-worker")
    try:
        # The sweep (run here; the killed worker's message stays unacknowledged
        # in Redis) leaves a claim younger than the limit alone …
        assert services.sweep(older_than_seconds=0) == 0
        assert Delivery.objects.get().status == expected_status
        # … and gives it back once it is stale (as if STALE_CLAIM had passed).
        Delivery.objects.filter(claimed_at__isnull=False).update(
            claimed_at=F("claimed_at") - services.STALE_CLAIM - datetime.timedelta(seconds=1)
        )
        assert services.sweep(older_than_seconds=0) == (0 if step == "after" else 1)
        _wait(lambda: Delivery.objects.get().status == DeliveryStatus.SENT, 30, "the delivery to be sent")
        time.sleep(2)
    finally:
        _stop_worker(second)
    ids = _messages(mail_dir)
    if step == "between":
        # At least once: the repeat is the same message.
        assert (
            len(ids) == 2 and ids[0] == ids[1] == f"Message-ID: <sinergi.delivery.{delivery.pk}@sinergi.example.sch.id>"
        )
    else:
        assert len(ids) == 1
