#!/usr/bin/env python3
"""Fault test under load: `make fault` (full, about 5 minutes) or `make fault-short` (CI).

Starts, all on 127.0.0.1 and in a temporary folder: a private redis-server on a
free port with persistence (appendonly), two app processes (gunicorn, production
settings), a Celery worker and beat on that Redis, all sharing one database
(DATABASE_URL if set, PostgreSQL preferred; else a temporary SQLite file), the
demo school, and emails written to files. Then a bounded load generator plays
teachers, counselors and the vice principal (reads, and referrals filed, which
email counselors) against both processes, while:

- the worker is killed with SIGKILL while idle, and restarted;
- Redis is stopped and started again;
- the worker is killed with SIGKILL while it works through the backlog the
  outage left, and restarted.

After the load it waits until every email delivery is sent (the sweep, the
stale-claim limit), counts the emails in the files by Message-ID and prints
JSON. Exits 1 on any 5xx, any lost or duplicated email, any referral stored
other than once, or a readiness answer of 503 (the database stays up).
"""

# The script runs fixed tools (redis-server, redis-cli, psql, the venv's python).
# ruff: noqa: S603, S607

import argparse
import collections
import contextlib
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
PY = os.environ.get("APP_PY") or str(ROOT / ".venv" / "bin" / "python")
MESSAGE_ID = re.compile(r"^Message-ID: <sinergi\.delivery\.(\d+)@", re.MULTILINE)

FORMS = {
    "full": {"load": 75, "idle_kill": 5, "redis_down": 12, "redis_for": 20, "restart_after": 3},
    "short": {"load": 30, "idle_kill": 3, "redis_down": 8, "redis_for": 8, "restart_after": 2},
}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if condition():
                return
        time.sleep(0.2)
    raise SystemExit(f"fault test: timed out after {timeout}s waiting for {what}")


class Run:
    def __init__(self, form, work):
        self.form = form
        self.work = work
        self.procs = {}
        self.logs = work / "logs"
        self.logs.mkdir()
        self.mail = work / "mail"
        self.mail.mkdir()
        self.redis_port = free_port()
        self.app_ports = [free_port(), free_port()]
        self.created_db = None
        self.env = self._env()
        self.events = []
        self.t0 = time.monotonic()

    # Setting up.

    def _database_url(self):
        if os.environ.get("DATABASE_URL"):
            return os.environ["DATABASE_URL"]
        ready = shutil.which("pg_isready") and subprocess.run(
            ["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"], check=False
        )
        if ready and ready.returncode == 0 and shutil.which("psql"):
            name = f"sinergi_fault_{os.getpid()}"
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {name}"], check=True)
            self.created_db = name
            return f"postgres://postgres@127.0.0.1:5432/{name}"
        return f"sqlite:///{self.work}/db.sqlite3"

    def _env(self):
        settings = self.work / "sinergi_fault_settings.py"
        settings.write_text(f'from config.settings import *  # noqa: F403\nSTATIC_ROOT = "{self.work}/static"\n')
        (self.work / "sinergi_fault_mail.py").write_text(MAIL_BACKEND)
        env = {k: v for k, v in os.environ.items() if k not in ("SINERGI_TESTING", "REQUIRE_2FA", "CACHE_URL")}
        env.update(
            PYTHONPATH=f"{self.work}:{ROOT}",
            DJANGO_SETTINGS_MODULE="sinergi_fault_settings",
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(50),
            FIELD_ENCRYPTION_KEYS="",
            ALLOWED_HOSTS="127.0.0.1",
            SECURE_SSL_REDIRECT="0",
            SITE_URL="http://127.0.0.1",
            MEDIA_ROOT=str(self.work / "media"),
            EMAIL_BACKEND="sinergi_fault_mail.EmailBackend",
            EMAIL_FILE_PATH=str(self.mail),
            CELERY_BROKER_URL=f"redis://127.0.0.1:{self.redis_port}/0",
            CACHE_URL=f"redis://127.0.0.1:{self.redis_port}/1",
            LOG_LEVEL="WARNING",
        )
        import base64

        env["FIELD_ENCRYPTION_KEYS"] = base64.urlsafe_b64encode(os.urandom(32)).decode()
        env["DATABASE_URL"] = self._database_url()
        return env

    def manage(self, *args, **kwargs):
        return subprocess.run(
            [PY, str(ROOT / "manage.py"), *args],
            env=self.env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
            **kwargs,
        )

    def start(self, name, args):
        log = (self.logs / f"{name}.log").open("a")
        self.procs[name] = subprocess.Popen(args, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        return self.procs[name]

    def stop(self, name, sig=signal.SIGTERM):
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig) if sig == signal.SIGKILL and name == "worker" else proc.send_signal(sig)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

    def note(self, what):
        self.events.append({"t": round(time.monotonic() - self.t0, 1), "event": what})
        print(f"[{self.events[-1]['t']:6.1f}s] {what}", file=sys.stderr)

    def start_redis(self):
        self.start(
            "redis",
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--dir", str(self.work)]
            + ["--appendonly", "yes", "--appendfsync", "everysec", "--save", ""],
        )
        wait_for(lambda: self.redis_cli("ping") == "PONG", 15, "redis-server")

    def redis_cli(self, *args):
        out = subprocess.run(["redis-cli", "-p", str(self.redis_port), *args], capture_output=True, text=True)
        return out.stdout.strip()

    def stop_redis(self):
        self.redis_cli("shutdown")  # writes the append-only file, as a service stop does
        proc = self.procs.pop("redis")
        proc.wait(15)

    def start_worker(self):
        # Its own process group, so that SIGKILL takes the pool's children too.
        log = (self.logs / "worker.log").open("a")
        self.procs["worker"] = subprocess.Popen(
            [PY, "-m", "celery", "-A", "config", "worker", "-l", "warning", "--concurrency", "2"],
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def setup(self):
        self.manage("migrate", "--noinput", "-v0")
        self.manage("seed_demo", "--force")
        self.manage("collectstatic", "--noinput", "-v0")
        cast = self.manage("shell", "-v0", "-c", CAST_SCRIPT).stdout
        self.cast = json.loads(cast.strip().splitlines()[-1])
        self.start_redis()
        for i, port in enumerate(self.app_ports):
            self.start(
                f"app{i + 1}",
                [PY, "-m", "gunicorn", "config.wsgi", "--workers", "1", "--threads", "4", "--worker-class", "gthread"]
                + ["--bind", f"127.0.0.1:{port}", "--timeout", "60"],
            )
        self.start_worker()
        self.start("beat", [PY, "-m", "celery", "-A", "config", "beat", "-l", "warning", "-s", str(self.work / "beat")])
        for port in self.app_ports:
            wait_for(lambda port=port: get_status(port, "/healthz/live") == 200, 60, f"the app on port {port}")

    def cleanup(self):
        for name in list(self.procs):
            self.stop(name, signal.SIGKILL if name == "worker" else signal.SIGTERM)
        if self.created_db:
            for name in (self.created_db,):
                subprocess.run(
                    ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"DROP DATABASE IF EXISTS {name}"],
                    check=False,
                    capture_output=True,
                )


def get_status(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


# Emails to files, each taking as long as a short SMTP conversation.
MAIL_BACKEND = """
import os
import time

from django.core.mail.backends import filebased


class EmailBackend(filebased.EmailBackend):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("file_path", os.environ["EMAIL_FILE_PATH"])
        super().__init__(*args, **kwargs)

    def send_messages(self, messages):
        time.sleep(0.3 * len(messages))
        return super().send_messages(messages)
"""


# The cast: signed-in sessions made in the database, as scripts/scan.sh does.
CAST_SCRIPT = """
import json, time
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.utils.crypto import get_random_string
from django_otp import DEVICE_ID_SESSION_KEY, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice
from accounts.models import Role
from accounts.policy import Actor
from accounts.sessions import LAST_SEEN_KEY, SIGNED_IN_AT_KEY
from accounts.two_factor import ENROLLED_SESSION_KEY, role_requires_two_factor
from referrals.models import ConcernCategory
from referrals.selectors import students_for_form
from roster.models import School

school = School.objects.order_by("pk").first()
User = get_user_model()
cast = {"teachers": [], "counselors": [], "vps": [], "students": [], "categories": []}

def session_for(user):
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[SIGNED_IN_AT_KEY] = session[LAST_SEEN_KEY] = int(time.time()) + 3600
    if role_requires_two_factor(user, Actor(user)):
        device = TOTPDevice.objects.create(user=user, name="fault test", confirmed=True)
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[ENROLLED_SESSION_KEY] = user_has_device(user)
    session.create()
    return {"session": session.session_key, "csrf": get_random_string(32), "username": user.username}

for username in ["teacher", "homeroom"] + [u for u in User.objects.filter(
        memberships__school=school, memberships__role=Role.TEACHER).exclude(
        username__in=["teacher", "homeroom", "vp"]).order_by("username").values_list("username", flat=True)[:8]]:
    user = User.objects.get(username=username)
    if Actor(user).may("referral", "create"):
        cast["teachers"].append(session_for(user))
cast["counselors"] = [session_for(User.objects.get(username=u)) for u in ("counselor", "counselor2")]
cast["vps"] = [session_for(User.objects.get(username="vp"))]
cast["students"] = list(students_for_form(school).order_by("pk").values_list("pk", flat=True)[:120])
cast["categories"] = list(ConcernCategory.objects.filter(school=school).values_list("pk", flat=True))
cast["cookie_names"] = [settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME]
print(json.dumps(cast))
"""


class Load:
    """Simulated staff: each a thread with think time, round-robin over the
    two app processes (as a load balancer would)."""

    def __init__(self, run, seconds, users):
        self.run = run
        self.until = time.monotonic() + seconds
        self.users = users
        self.lock = threading.Lock()
        self.statuses = collections.Counter()
        self.latencies = []
        self.referrals_ok = 0
        self.errors = []
        self.counter = 0

    def request(self, who, method, path, body=None):
        port = self.run.app_ports[self.counter % 2]
        self.counter += 1
        session_name, csrf_name = self.run.cast["cookie_names"]
        headers = {"Cookie": f"{session_name}={who['session']}; {csrf_name}={who['csrf']}"}
        data = None
        if body is not None:
            data = urlencode({**body, "csrfmiddlewaretoken": who["csrf"]}, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{port}{path}"
        started = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
        except Exception as exc:  # a refused or dropped connection counts as an error
            status = f"conn:{type(exc).__name__}"
        finally:
            conn.close()
        with self.lock:
            self.statuses[str(status)] += 1
            self.latencies.append(time.monotonic() - started)
            if status != 200 and status != 302:
                self.errors.append(f"{status} {method} {path}")
        return status

    def teacher(self, who, rng):
        cast = self.run.cast
        choice = rng.random()
        if choice < 0.3:
            student = rng.choice(cast["students"])
            body = {
                "student": student,
                "categories": [rng.choice(cast["categories"])],
                "observation": "Stops working after ten minutes (fault test).",
                "observed_since": "weeks",
                "urgency": "urgent" if rng.random() < 0.15 else "routine",
                "contact_preference": "in_app",
                "parents_informed": "not_sure",
            }
            if self.request(who, "POST", "/referrals/new/", body) == 302:
                with self.lock:
                    self.referrals_ok += 1
        else:
            self.request(who, "GET", rng.choice(["/referrals/", "/", "/notifications/", "/tasks/", "/roster/"]))

    def staff(self, paths):
        def act(who, rng):
            self.request(who, "GET", rng.choice(paths))

        return act

    def player(self, who, act, seed):
        rng = random.Random(seed)
        while time.monotonic() < self.until:
            act(who, rng)
            time.sleep(rng.uniform(0.2, 0.8))

    def go(self):
        cast = self.run.cast
        roles = [(t, self.teacher) for t in cast["teachers"]]
        roles += [(c, self.staff(["/triage/", "/cases/", "/notifications/", "/tasks/"])) for c in cast["counselors"]]
        roles += [(v, self.staff(["/reports/", "/tasks/", "/notifications/"])) for v in cast["vps"]]
        roles = (roles * ((self.users // len(roles)) + 1))[: self.users]
        threads = [threading.Thread(target=self.player, args=(who, act, i)) for i, (who, act) in enumerate(roles)]
        for thread in threads:
            thread.start()
        return threads


class HealthWatch:
    """Reads /healthz on both processes every half second during the run."""

    def __init__(self, run):
        self.run = run
        self.codes = collections.Counter()
        self.slowest = 0.0
        self.stopped = threading.Event()

    def loop(self):
        while not self.stopped.is_set():
            for port in self.run.app_ports:
                started = time.monotonic()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                try:
                    conn.request("GET", "/healthz")
                    response = conn.getresponse()
                    body = json.loads(response.read() or b"{}")
                    self.codes[f"{response.status} {body.get('status')}"] += 1
                except Exception as exc:
                    self.codes[f"conn:{type(exc).__name__}"] += 1
                finally:
                    conn.close()
                self.slowest = max(self.slowest, time.monotonic() - started)
            self.stopped.wait(0.5)


def django_setup(run):
    """Django in this process, on the run's database, for reading the state."""
    os.environ.update(run.env)
    sys.path[:0] = [str(run.work), str(ROOT)]
    import django

    django.setup()


def state():
    from notifications.models import Delivery

    rows = Delivery.objects.filter(channel="email").values_list("pk", "status")
    by_status = collections.defaultdict(set)
    for pk, status in rows:
        by_status[status].add(pk)
    return by_status


def counts(by_status):
    return {s: len(by_status[s]) for s in ("pending", "sending", "sent", "failed")}


def final_state():
    from notifications.models import Delivery, Notification
    from referrals.models import Referral

    rows = Delivery.objects.filter(channel="email").values_list("pk", "status", "notification__created_at", "sent_at")
    return {
        "notifications": Notification.objects.count(),
        "referrals": Referral.objects.filter(observation__endswith="(fault test).").count(),
        "deliveries": [
            (pk, status, created.timestamp(), sent.timestamp() if sent else None) for pk, status, created, sent in rows
        ],
    }


def emails_by_delivery(mail_dir):
    counts = collections.Counter()
    for path in mail_dir.glob("*.log"):
        counts.update(int(pk) for pk in MESSAGE_ID.findall(path.read_text(errors="replace")))
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--form", choices=FORMS, default="full")
    parser.add_argument("--users", type=int, default=None, help="simulated staff (default 30 full, 12 short)")
    parser.add_argument("--settle", type=int, default=420, help="seconds to wait for every email after the load")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, mail)")
    args = parser.parse_args()
    form = FORMS[args.form]
    users = args.users or (30 if args.form == "full" else 12)
    for tool in ("redis-server", "redis-cli"):
        if not shutil.which(tool):
            raise SystemExit(f"fault test: {tool} is needed")

    work = Path(tempfile.mkdtemp(prefix="sinergi-fault-"))
    run = Run(args.form, work)
    started = time.monotonic()
    try:
        run.setup()
        django_setup(run)
        run.t0 = time.monotonic()
        run.note(f"load starts: {users} simulated staff for {form['load']}s on ports {run.app_ports}")
        health = HealthWatch(run)
        watcher = threading.Thread(target=health.loop, daemon=True)
        watcher.start()
        load = Load(run, form["load"], users)
        threads = load.go()

        def at(seconds):
            time.sleep(max(0, run.t0 + seconds - time.monotonic()))

        at(form["idle_kill"])
        run.note("worker killed (SIGKILL) while idle")
        run.stop("worker", signal.SIGKILL)
        time.sleep(form["restart_after"])
        run.start_worker()
        run.note("worker restarted")

        at(form["redis_down"])
        run.stop_redis()
        run.note("redis stopped")
        at(form["redis_down"] + form["redis_for"])
        run.start_redis()
        run.note("redis started again")
        waiting = state()["pending"]
        run.note(f"email deliveries waiting after the outage: {len(waiting)}")

        # The sweep (every minute) queues the backlog; kill the worker while it
        # works through it: some of the waiting deliveries sent, others not yet.
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline:
            now = state()
            if not waiting or (waiting & now["sent"] and waiting - now["sent"]):
                break
            time.sleep(0.1)
        run.stop("worker", signal.SIGKILL)
        kill_time = time.time()
        now = state()
        claimed_at_kill = len(now["sending"])
        run.note(
            f"worker killed (SIGKILL) working through the backlog: {len(waiting & now['sent'])} of {len(waiting)} "
            f"sent, {len(now['sending'])} claimed"
        )
        time.sleep(form["restart_after"])
        run.start_worker()
        run.note("worker restarted")

        for thread in threads:
            thread.join()
        run.note(f"load over: {sum(load.statuses.values())} requests")

        # Every email delivery sent, and every email in the files.
        def settled():
            now = state()
            return not now["pending"] and not now["sending"]

        settle_start = time.monotonic()
        wait_for(settled, args.settle, "every email delivery to be sent")
        time.sleep(2)  # the last file write
        run.note(f"all deliveries settled after {time.monotonic() - settle_start:.0f}s")
        health.stopped.set()
        watcher.join(5)

        final = final_state()
        emails = emails_by_delivery(run.mail)
        deliveries = final["deliveries"]
        delivered = {pk for pk, *_ in deliveries}
        lost = [pk for pk, status, *_ in deliveries if emails[pk] == 0]
        duplicated = {pk: n for pk, n in emails.items() if n > 1}
        stray = [pk for pk in emails if pk not in delivered]
        delays = sorted(sent - created for _, status, created, sent in deliveries if sent)
        affected = [sent - created for _, _, created, sent in deliveries if sent and created < kill_time < sent]
        latencies = sorted(load.latencies)

        def pct(values, p):
            return round(values[min(len(values) - 1, int(len(values) * p))], 3) if values else None

        five_xx = sum(n for status, n in load.statuses.items() if status.startswith("5"))
        report = {
            "form": args.form,
            "database": run.env["DATABASE_URL"].split(":", 1)[0],
            "simulated_staff": users,
            "load_seconds": form["load"],
            "requests": sum(load.statuses.values()),
            "by_status": dict(sorted(load.statuses.items())),
            "server_errors_5xx": five_xx,
            "latency_p50_s": pct(latencies, 0.5),
            "latency_p95_s": pct(latencies, 0.95),
            "referrals_intended": load.referrals_ok,
            "referrals_stored": final["referrals"],
            "notifications_created": final["notifications"],
            "email_deliveries": len(deliveries),
            "deliveries_sent": sum(1 for _, status, *_ in deliveries if status == "sent"),
            "deliveries_failed": sum(1 for _, status, *_ in deliveries if status == "failed"),
            "emails_in_files": sum(emails.values()),
            "lost": len(lost),
            "duplicated": sum(n - 1 for n in duplicated.values()),
            "stray_emails": len(stray),
            "email_delay_p50_s": pct(delays, 0.5),
            "email_delay_max_s": round(delays[-1], 1) if delays else None,
            "deliveries_waiting_at_the_backlog_kill": len(affected),
            "deliveries_claimed_by_the_killed_worker": claimed_at_kill,
            "longest_delay_after_the_backlog_kill_s": round(max(affected), 1) if affected else None,
            "healthz": {"answers": dict(health.codes), "slowest_s": round(health.slowest, 3)},
            "timeline": run.events,
            "total_seconds": round(time.monotonic() - started),
        }
        if load.errors:
            report["first_errors"] = load.errors[:10]
        print(json.dumps(report, indent=2))
        failed = (
            five_xx
            or any(status.startswith("conn") for status in load.statuses)
            or lost
            or duplicated
            or stray
            or report["deliveries_failed"]
            or load.referrals_ok != final["referrals"]
            # Readiness must hold while the database is up. (A probe that times
            # out queued behind busy threads is reported, not failed.)
            or any(code.startswith("503") for code in health.codes)
        )
        return 1 if failed else 0
    finally:
        run.cleanup()
        if args.keep:
            print(f"fault test: kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
