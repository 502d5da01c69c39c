#!/usr/bin/env python3
"""Page benchmark: `make bench` (about 10 minutes; never part of the test suite).

On a throwaway PostgreSQL database (created and dropped; DATABASE_URL if set),
for the plain demo school and then for the same school grown to years of
history (`seed_demo --history 3`):

1. pages: serves the app with gunicorn (2 sync workers, DEBUG off), signs in as
   the demo users and requests every main page ROUNDS times, the pages shuffled
   in each round so that noise from other work on the machine hits all alike,
   plus the bare page (/notifications/settings/). Per page: p50, p95, p50 as a
   multiple of the bare page's, SQL queries, SQL time, repeated statements.
2. plans: every SELECT a page ran, once more under EXPLAIN (ANALYZE, BUFFERS);
   a plan fails when it sequentially scans a table of more than 10,000 rows or
   is JIT-compiled. The text plans of the slowest statements go to --plans.
3. load: LOAD_USERS simulated teachers, counselors and the vice principal for
   LOAD_SECONDS against two app processes sharing PostgreSQL and a private
   Redis (cache, broker; a Celery worker): reads and writes (referrals filed,
   evaluation entries written, referrals declined at triage), requests
   alternating between the processes, so each session is used on both.
   Requests per second, p50, p95, errors.

Prints JSON {"plain": ..., "grown": ..., "targets": ...}. Exits 1 when a plan
fails or the load phase has an error; page ratios are reported, not failed
(they depend on the machine's other work).

    .venv/bin/python scripts/bench.py [--rounds 50] [--load-seconds 60] [--users 50]
                                      [--years 3] [--only grown] [--out FILE] [--plans FILE]
"""

# The script runs fixed tools (psql, redis-server, the venv's python).
# ruff: noqa: S603, S607

import argparse
import base64
import collections
import contextlib
import datetime
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fault_test import CAST_SCRIPT, free_port, wait_for  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PY = os.environ.get("APP_PY") or str(ROOT / ".venv" / "bin" / "python")
BARE = "/notifications/settings/"
BIG_TABLE = 10_000

# In the app processes only (the bench's settings module): per request, the
# number of SQL statements and their time in response headers; with the
# X-Bench-Explain header, every SELECT explained and the plans written to a file.
PROBE = r"""
import json
import os
import time

from django.db import connection

EXPLAIN = "EXPLAIN (ANALYZE, BUFFERS, VERBOSE, FORMAT JSON) "


class Probe:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        statements = []

        def wrapper(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                statements.append((sql, params, time.perf_counter() - started))

        with connection.execute_wrapper(wrapper):
            response = self.get_response(request)
        response["X-Bench-Queries"] = str(len(statements))
        response["X-Bench-SQL-ms"] = f"{sum(s[2] for s in statements) * 1000:.2f}"
        seen = collections_counter(s[0] for s in statements)
        response["X-Bench-Repeated"] = str(sum(n - 1 for n in seen.values()))
        target = request.headers.get("X-Bench-Explain")
        if target:
            plans = []
            with connection.cursor() as cursor:
                cursor.execute("SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r'")
                sizes = dict(cursor.fetchall())
                for sql, params, seconds in statements:
                    head = sql.lstrip().upper()
                    if not head.startswith("SELECT") or "FOR UPDATE" in head:
                        continue
                    cursor.execute(EXPLAIN + sql, params)
                    plan = cursor.fetchone()[0]
                    plan = json.loads(plan) if isinstance(plan, str) else plan
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                    text = "\n".join(row[0] for row in cursor.fetchall())
                    plans.append({"sql": sql, "ms": seconds * 1000, "plan": plan, "text": text})
            with open(target, "w") as out:
                json.dump({"sizes": sizes, "plans": plans}, out, default=str)
        return response


def collections_counter(items):
    import collections

    return collections.Counter(items)
"""

SETTINGS = """
from config.settings import *  # noqa: F403
STATIC_ROOT = "{static}"
MIDDLEWARE = ["sinergi_bench_probe.Probe", *MIDDLEWARE]  # noqa: F405
"""

# Extra parts of the cast for the bench: the cases and referrals it reads and writes.
CAST_EXTRA = """
from django.db.models import Count
from casework.models import Case, CaseStatus
from referrals.models import Referral, Status
open_cases = Case.objects.filter(school=school, lead_counselor__username="counselor").exclude(status=CaseStatus.CLOSED)
by_entries = list(open_cases.annotate(n=Count("entries")).order_by("-n", "pk").values_list("pk", flat=True))
cast["long_case"] = by_entries[0]
cast["case"] = by_entries[len(by_entries) // 2]
cast["open_cases"] = by_entries
cast["waiting"] = list(Referral.objects.filter(school=school, status=Status.SUBMITTED).order_by("pk").values_list("pk", flat=True))
cast["referral"] = Referral.objects.filter(school=school).order_by("-pk").values_list("pk", flat=True)[0]
"""


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] if values else None


class Bench:
    def __init__(self, work, args):
        self.work = work
        self.args = args
        self.procs = {}
        self.logs = work / "logs"
        self.logs.mkdir()
        self.redis_port = free_port()
        self.app_ports = [free_port(), free_port()]
        self.created_db = None
        self.env = self._env()

    def _database_url(self):
        if os.environ.get("BENCH_DATABASE_URL"):
            return os.environ["BENCH_DATABASE_URL"]
        name = f"sinergi_bench_{os.getpid()}"
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {name}"], check=True)
        self.created_db = name
        return f"postgres://postgres@127.0.0.1:5432/{name}"

    def _env(self):
        (self.work / "sinergi_bench_settings.py").write_text(SETTINGS.format(static=self.work / "static"))
        (self.work / "sinergi_bench_probe.py").write_text(PROBE)
        env = {k: v for k, v in os.environ.items() if k not in ("SINERGI_TESTING", "REQUIRE_2FA", "CACHE_URL")}
        env.update(
            PYTHONPATH=f"{self.work}:{ROOT}",
            DJANGO_SETTINGS_MODULE="sinergi_bench_settings",
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(50),
            FIELD_ENCRYPTION_KEYS=base64.urlsafe_b64encode(os.urandom(32)).decode(),
            ALLOWED_HOSTS="127.0.0.1",
            SECURE_SSL_REDIRECT="0",
            SITE_URL="http://127.0.0.1",
            MEDIA_ROOT=str(self.work / "media"),
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            CELERY_BROKER_URL=f"redis://127.0.0.1:{self.redis_port}/0",
            CACHE_URL=f"redis://127.0.0.1:{self.redis_port}/1",
            LOG_LEVEL="WARNING",
            DB_CONN_MAX_AGE="60",
        )
        env["DATABASE_URL"] = self._database_url()
        return env

    def manage(self, *args):
        return subprocess.run(
            [PY, str(ROOT / "manage.py"), *args], env=self.env, cwd=ROOT, check=True, capture_output=True, text=True
        )

    def psql(self, sql):
        url = self.env["DATABASE_URL"]
        return subprocess.run(["psql", url, "-qAtc", sql], check=True, capture_output=True, text=True).stdout

    def start(self, name, args):
        log = (self.logs / f"{name}.log").open("a")
        self.procs[name] = subprocess.Popen(args, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)

    def start_services(self):
        self.start(
            "redis",
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        )
        for i, port in enumerate(self.app_ports):
            self.start(
                f"app{i + 1}",
                [
                    PY,
                    "-m",
                    "gunicorn",
                    "config.wsgi",
                    "--workers",
                    "2",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--timeout",
                    "60",
                ],
            )
        self.start("worker", [PY, "-m", "celery", "-A", "config", "worker", "-l", "warning", "--concurrency", "1"])
        for port in self.app_ports:
            wait_for(lambda port=port: self.get(None, port, "/healthz/live")[0] == 200, 60, f"the app on port {port}")

    def stop_all(self):
        for proc in list(self.procs.values()):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    proc.kill()
        self.procs.clear()
        if self.created_db:
            subprocess.run(
                ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"DROP DATABASE IF EXISTS {self.created_db}"],
                check=False,
                capture_output=True,
            )

    def load_cast(self):
        script = CAST_SCRIPT.replace("print(json.dumps(cast))", CAST_EXTRA + "\nprint(json.dumps(cast))")
        self.cast = json.loads(self.manage("shell", "-v0", "-c", script).stdout.strip().splitlines()[-1])

    def headers(self, who, extra=None):
        session_name, csrf_name = self.cast["cookie_names"]
        headers = {"Cookie": f"{session_name}={who['session']}; {csrf_name}={who['csrf']}"}
        headers.update(extra or {})
        return headers

    def get(self, who, port, path, extra=None, method="GET", body=None):
        headers = self.headers(who, extra) if who else {}
        data = None
        if body is not None:
            data = urlencode({**body, "csrfmiddlewaretoken": who["csrf"]}, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{port}{path}"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        started = time.perf_counter()
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            return response.status, elapsed, response.headers
        finally:
            conn.close()

    # The pages.

    def pages(self):
        cast = self.cast
        today = datetime.date.today()
        year = f"/reports/?date_from={today - datetime.timedelta(days=364)}&date_to={today}"
        counselor, teacher, vp = cast["counselors"][0], cast["teachers"][0], cast["vps"][0]
        return {
            "bare " + BARE: (counselor, BARE),
            "/reports/ (default)": (vp, "/reports/"),
            "/reports/ (last 365 days)": (vp, year),
            "/cases/": (counselor, "/cases/"),
            "/cases/<id>/ (long case)": (counselor, f"/cases/{cast['long_case']}/"),
            "/cases/<id>/ (typical case)": (counselor, f"/cases/{cast['case']}/"),
            "/triage/": (counselor, "/triage/"),
            "/tasks/ (counselor)": (counselor, "/tasks/"),
            "/tasks/ (teacher)": (teacher, "/tasks/"),
            "/referrals/ (teacher)": (teacher, "/referrals/"),
            "/referrals/<id>/": (counselor, f"/referrals/{cast['referral']}/"),
            "/notifications/": (counselor, "/notifications/"),
            "/audit/": (vp, "/audit/"),
            "/roster/": (teacher, "/roster/"),
        }

    def measure_pages(self):
        port = self.app_ports[0]
        pages = self.pages()
        times = collections.defaultdict(list)
        info = {}
        errors = []
        for who, path in pages.values():  # warm up: connections, caches, templates
            for _ in range(2):
                self.get(who, port, path)
        rng = random.Random(1)
        for _ in range(self.args.rounds):
            order = list(pages)
            rng.shuffle(order)
            for name in order:
                who, path = pages[name]
                status, elapsed, headers = self.get(who, port, path)
                if status != 200:
                    errors.append(f"{status} {path}")
                times[name].append(elapsed * 1000)
                info[name] = (
                    int(headers.get("X-Bench-Queries", -1)),
                    float(headers.get("X-Bench-SQL-ms", 0)),
                    int(headers.get("X-Bench-Repeated", 0)),
                    status,
                )
        bare = statistics.median(times["bare " + BARE])
        result = {}
        for name in pages:
            p50 = statistics.median(times[name])
            queries, sql_ms, repeated, status = info[name]
            result[name] = {
                "path": pages[name][1],
                "status": status,
                "p50_ms": round(p50, 1),
                "p95_ms": round(pct(times[name], 0.95), 1),
                "x_bare": round(p50 / bare, 2),
                "queries": queries,
                "sql_ms_last": sql_ms,
                "repeated_statements": repeated,
            }
        return result, errors

    def plans(self, plans_out):
        port = self.app_ports[0]
        failures, hot = [], {}
        with plans_out.open("a") as text_out:
            for name, (who, path) in self.pages().items():
                target = self.work / "plans.json"
                with contextlib.suppress(FileNotFoundError):
                    target.unlink()
                self.get(who, port, path, {"X-Bench-Explain": str(target)})
                data = json.loads(target.read_text())
                sizes = data["sizes"]
                page_hot = []
                for item in data["plans"]:
                    plan = item["plan"][0]
                    problems = plan_problems(plan, sizes)
                    execution = plan.get("Execution Time", 0)
                    if problems:
                        failures.append({"page": name, "problems": problems, "sql": item["sql"][:400]})
                    if execution >= 1 or problems:
                        page_hot.append(
                            {"execution_ms": round(execution, 2), "problems": problems, "sql": item["sql"][:200]}
                        )
                        text_out.write(f"-- {self.label} {name}: {execution:.2f} ms {problems}\n{item['sql']}\n")
                        text_out.write(item["text"] + "\n\n")
                hot[name] = sorted(page_hot, key=lambda h: -h["execution_ms"])[:5]
        return failures, hot

    # The load phase.

    def load(self, seconds, users):
        return Load(self, seconds, users).go()

    def size(self):
        row = self.psql(
            "SELECT (SELECT count(*) FROM referrals_referral), (SELECT count(*) FROM casework_case), "
            "(SELECT count(*) FROM casework_evaluationentry), (SELECT count(*) FROM casework_caseevent), "
            "(SELECT count(*) FROM notifications_notification), (SELECT count(*) FROM audit_auditevent)"
        ).strip()
        keys = ["referrals", "cases", "entries", "case_events", "notifications", "audit_events"]
        return dict(zip(keys, map(int, row.split("|")), strict=True))

    def run_size(self, label, plans_out):
        self.label = label
        self.psql("VACUUM ANALYZE")
        self.load_cast()
        print(f"bench: {label}: pages ({self.args.rounds} rounds)", file=sys.stderr)
        pages, errors = self.measure_pages()
        print(f"bench: {label}: plans", file=sys.stderr)
        failures, hot = self.plans(plans_out)
        print(f"bench: {label}: load ({self.args.users} users, {self.args.load_seconds}s)", file=sys.stderr)
        load = self.load(self.args.load_seconds, self.args.users) if self.args.load_seconds else None
        return {
            "rows": self.size(),
            "pages": pages,
            "page_errors": errors,
            "plan_failures": failures,
            "hot_statements": hot,
            "load": load,
        }


def plan_problems(plan, sizes):
    problems = []
    if plan.get("JIT", {}).get("Functions"):
        problems.append("JIT-compiled")

    def walk(node):
        if node.get("Node Type") == "Seq Scan":
            relation = node.get("Relation Name")
            if sizes.get(relation, 0) > BIG_TABLE:
                problems.append(f"Seq Scan on {relation} ({sizes[relation]} rows)")
        for child in node.get("Plans", ()):
            walk(child)

    walk(plan["Plan"])
    return problems


class Load:
    """Simulated staff, each a thread with think time; requests alternate between the two processes."""

    def __init__(self, bench, seconds, users):
        self.bench = bench
        self.seconds = seconds
        self.users = users
        self.lock = threading.Lock()
        self.statuses = collections.Counter()
        self.kinds = collections.Counter()
        self.latencies = []
        self.errors = []
        self.counter = 0
        self.waiting = list(bench.cast["waiting"])

    def request(self, who, path, body=None, kind="read"):
        with self.lock:
            port = self.bench.app_ports[self.counter % 2]
            self.counter += 1
        try:
            status, elapsed, _ = self.bench.get(who, port, path, method="POST" if body else "GET", body=body)
        except Exception as exc:
            status, elapsed = f"conn:{type(exc).__name__}", 0
        with self.lock:
            self.statuses[str(status)] += 1
            self.kinds[kind] += 1
            self.latencies.append(elapsed)
            if status not in (200, 302):
                self.errors.append(f"{status} {'POST' if body else 'GET'} {path}")
        return status

    def teacher(self, who, rng):
        cast = self.bench.cast
        if rng.random() < 0.2:
            body = {
                "student": rng.choice(cast["students"]),
                "categories": [rng.choice(cast["categories"])],
                "observation": "Stops working after ten minutes (bench).",
                "observed_since": "weeks",
                "urgency": "routine",
                "contact_preference": "in_app",
                "parents_informed": "not_sure",
            }
            self.request(who, "/referrals/new/", body, "referral filed")
        else:
            self.request(who, rng.choice(["/referrals/", "/", "/notifications/", "/tasks/", "/roster/"]))

    def counselor(self, who, rng):
        cast = self.bench.cast
        choice = rng.random()
        if choice < 0.15 and who is cast["counselors"][0]:
            case = rng.choice(cast["open_cases"])
            body = {
                "kind": "session",
                "date": datetime.date.today().isoformat(),
                "note": "Sesi konseling (bench).",
                "rating": "better",
            }
            self.request(who, f"/cases/{case}/entries/add/", body, "entry written")
        elif choice < 0.25:
            with self.lock:
                pk = self.waiting.pop() if self.waiting else None
            if pk is not None:
                self.request(who, f"/referrals/{pk}/decline/", {"reason": "Ditangani di kelas (bench)."}, "triage")
        else:
            paths = ["/triage/", "/cases/", "/tasks/", f"/cases/{rng.choice(cast['open_cases'])}/"]
            self.request(who, rng.choice(paths))

    def vp(self, who, rng):
        self.request(who, rng.choice(["/reports/", "/tasks/", "/notifications/", "/audit/"]))

    def player(self, who, act, seed, until):
        rng = random.Random(seed)
        time.sleep(rng.uniform(0, 1))
        while time.monotonic() < until:
            act(who, rng)
            time.sleep(rng.uniform(0.5, 1.5))

    def go(self):
        cast = self.bench.cast
        roles = [(t, self.teacher) for t in cast["teachers"]]
        roles += [(c, self.counselor) for c in cast["counselors"]] * 3
        roles += [(v, self.vp) for v in cast["vps"]] * 2
        roles = (roles * ((self.users // len(roles)) + 1))[: self.users]
        started = time.monotonic()
        until = started + self.seconds
        threads = [
            threading.Thread(target=self.player, args=(who, act, i, until)) for i, (who, act) in enumerate(roles)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        requests = sum(self.statuses.values())
        return {
            "users": self.users,
            "seconds": round(elapsed, 1),
            "requests": requests,
            "requests_per_second": round(requests / elapsed, 1),
            "p50_ms": round(pct(self.latencies, 0.5) * 1000, 1) if self.latencies else None,
            "p95_ms": round(pct(self.latencies, 0.95) * 1000, 1) if self.latencies else None,
            "by_kind": dict(self.kinds),
            "by_status": dict(sorted(self.statuses.items())),
            "errors": len(self.errors),
            "first_errors": self.errors[:10],
        }


def targets(grown):
    pages = grown["pages"]
    checks = {}
    for name, page in pages.items():
        if name.startswith("bare"):
            continue
        limit = 5 if name == "/reports/ (last 365 days)" else 3
        checks[name] = {"x_bare": page["x_bare"], "limit": limit, "met": page["x_bare"] <= limit}
    return {
        "pages": checks,
        "plans_clean": not grown["plan_failures"],
        "load_zero_errors": grown["load"] is None or grown["load"]["errors"] == 0,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--load-seconds", type=int, default=60)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--only", choices=["plain", "grown"], help="measure one data size only")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    parser.add_argument("--plans", type=Path, help="text plans of the hot statements (default: a temporary file)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs)")
    args = parser.parse_args()
    for tool in ("redis-server", "psql"):
        if not shutil.which(tool):
            raise SystemExit(f"bench: {tool} is needed")

    work = Path(tempfile.mkdtemp(prefix="sinergi-bench-"))
    plans_out = args.plans or work / "plans.txt"
    plans_out.write_text("")
    bench = Bench(work, args)
    report = {"machine": {"cpus": os.cpu_count(), "load_average": os.getloadavg()}, "rounds": args.rounds}
    started = time.monotonic()
    try:
        bench.manage("migrate", "--noinput", "-v0")
        bench.manage("seed_demo", "--force")
        bench.manage("collectstatic", "--noinput", "-v0")
        bench.start_services()
        if args.only != "grown":
            report["plain"] = bench.run_size("plain", plans_out)
        if args.only != "plain":
            seeded = time.monotonic()
            bench.manage("seed_demo", "--force", "--history", str(args.years))
            report["history_seed_seconds"] = round(time.monotonic() - seeded, 1)
            report["grown"] = bench.run_size("grown", plans_out)
            report["targets"] = targets(report["grown"])
        report["machine"]["load_average_after"] = os.getloadavg()
        report["total_seconds"] = round(time.monotonic() - started)
        report["plans_file"] = str(plans_out)
        output = json.dumps(report, indent=2)
        print(output)
        if args.out:
            args.out.write_text(output + "\n")
        sizes = [report[k] for k in ("plain", "grown") if k in report]
        failed = any(s["plan_failures"] or (s["load"] and s["load"]["errors"]) or s["page_errors"] for s in sizes)
        return 1 if failed else 0
    finally:
        bench.stop_all()
        if args.keep:
            print(f"bench: kept {work}", file=sys.stderr)
        elif not args.plans:
            print(f"bench: plans in {plans_out} (folder kept)", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
