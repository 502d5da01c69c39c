"""Helpers of `make scan` (scripts/scan.sh), the wapiti scan of the running app.

    scan_report.py judge --dir .ci/artifacts/scan --roles "teacher vp" [--sessions DIR]
        One line per role, then exit 1 if wapiti found any vulnerability or
        any "Internal Server Error" anomaly, or if the server answered a 5xx
        or logged a traceback during the scan. A blind SQL injection finding
        that scan_confirm.py replayed alone and that never reproduced is
        printed, not counted (<role>-confirm.json).
    scan_report.py prune --session DIR --keep 1 [--exclude URL_PATTERN ...]
        Between wapiti's crawl and its attacks: keep only --keep resources of
        each route (same method, same path once ids are replaced, same
        parameter names), so that the time per attack module goes to
        different code rather than to /cases/1/, /cases/2/, ... Also drops
        resources that match an exclusion and those answered 405.
    scan_report.py sample --base URL --cookie-file FILE --keep 3 [--start URL ...]
        Before wapiti's crawl: exclusion patterns that leave it only --keep
        objects of each collection (cases, referrals, notifications, admin
        objects, ...), read from the links of the role's index pages; the
        crawl then finds the routes of a case instead of every case.
    scan_report.py endpoint --port PORT
        A local stand-in for wapiti's SSRF endpoint (by default wapiti3.ovh,
        on the internet): records the requests the app would make to the URLs
        injected by the ssrf module and answers wapiti's get_ssrf.php query.

Only the standard library: it runs with the app's interpreter.
"""

import argparse
import html
import json
import re
import sqlite3
import sys
import threading
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

# ---------------------------------------------------------------------------
# judge

# Vulnerability categories that are not findings about this app. Each entry
# needs its reason; a real vulnerability is never listed here. Empty: the
# checks that can only say "this is plain http" (TLS certificate, http->https
# redirect, passwords posted over http) are not run (scripts/scan.sh), the
# Strict-Transport-Security check skips http by itself, static files are not
# scanned, and the app runs with its production settings, so cookie flags and
# headers are those of production.
NOT_APPLICABLE: dict[str, str] = {}

SERVER_ERROR_ANOMALY = "Internal Server Error"
# server.log holds gunicorn's lines ("[date] [pid] [LEVEL] message") and
# Django's records ("LEVEL logger: message", then a traceback if any; the
# format is set by scripts/scan.sh). Errors are gunicorn's [ERROR] and
# [CRITICAL] (WORKER TIMEOUT) and Django's ERROR and CRITICAL records
# (django.request: "Internal Server Error"), except those of django.security.*:
# a SuspiciousOperation (e.g. DisallowedModelAdminToField for a forged
# _to_field) is a request refused with 400, which is what an attack should get.
GUNICORN_LINE = re.compile(r"^\[[^]]+\] \[\d+\] \[([A-Z]+)\] (.*)")
DJANGO_RECORD = re.compile(r"^(DEBUG|INFO|WARNING|ERROR|CRITICAL) ([\w.]+): (.*)")
REFUSED_LOGGERS = "django.security."


def _server_log(path):
    """(error messages, Counter of refused suspicious requests by logger)."""
    errors, refused = [], Counter()
    if not path.exists():
        return errors, refused
    owner = None  # the record a traceback line belongs to: (level, logger)
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        gunicorn = GUNICORN_LINE.match(line)
        record = DJANGO_RECORD.match(line)
        if gunicorn:
            owner = (gunicorn.group(1), "gunicorn")
            if gunicorn.group(1) in ("ERROR", "CRITICAL"):
                errors.append(line.strip())
        elif record:
            level, logger, message = record.groups()
            owner = (level, logger)
            if level in ("ERROR", "CRITICAL"):
                if logger.startswith(REFUSED_LOGGERS):
                    refused[logger] += 1
                else:
                    errors.append(f"{logger}: {message}")
        elif line.startswith("Traceback") and (owner is None or owner[0] not in ("WARNING", "ERROR", "CRITICAL")):
            # A WARNING record's traceback is a refused request's (django.request
            # logs a 403 from PermissionDenied with its exception): no error.
            errors.append(f"a traceback outside an error record: {line.strip()}")
    return errors, refused


def _count(groups):
    return sum(len(items) for items in groups.values())


def _access_log(path):
    """({role: Counter of status codes}, the 5xx lines, [(microseconds, request)]).
    Lines are status, method, path, microseconds, user agent
    ("sinergi-scan/<role>/<phase>"), tab-separated."""
    statuses, errors, times = {}, [], []
    if not path.exists():
        return statuses, errors, times
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split("\t")
        if len(parts) < 5:
            continue
        status, method, url, micros, agent = parts[0], parts[1], parts[2], parts[3], "\t".join(parts[4:])
        role = agent.split("/")[1] if agent.startswith("sinergi-scan/") else "(other)"
        statuses.setdefault(role, Counter())[status] += 1
        if status.startswith("5"):
            errors.append(f"{status} {method} {url} ({role})")
        if micros.isdigit():
            times.append((int(micros), f"{method} {url}"))
    return statuses, errors, times


def _keyed_lines(path):
    """{first word: rest split} of a "role value value ..." file."""
    result = {}
    if path.exists():
        for line in path.read_text().splitlines():
            if line.strip():
                first, *rest = line.split()
                result[first] = rest
    return result


def _coverage(session_dir):
    """(resource x module pairs attacked to the end, resources) from wapiti's session database."""
    databases = sorted(Path(session_dir).glob("*.db")) if session_dir and Path(session_dir).is_dir() else []
    if not databases:
        return None
    db = sqlite3.connect(databases[0])
    try:
        done = db.execute("SELECT COUNT(*) FROM attack_logs").fetchone()[0]
        resources = db.execute("SELECT COUNT(*) FROM paths WHERE evil = 0 AND response_id IS NOT NULL").fetchone()[0]
    finally:
        db.close()
    return done, resources


def _not_reproduced(path):
    """{(method, path, parameter, info): replays} of the blind SQL injection
    findings that scan_confirm.py replayed and that never reproduced."""
    if not path.exists():
        return {}
    results = json.loads(path.read_text(encoding="utf-8"))
    return {
        (item["method"], item["path"], item["parameter"], item["info"]): item["rounds"]
        for item in results
        if item.get("rounds", 0) > 0 and item.get("reproduced") == 0 and not item.get("error")
    }


def judge(args):
    durations = _keyed_lines(args.dir / "durations")
    crawl = _keyed_lines(args.dir / "crawl-stats")
    statuses, server_errors, times = _access_log(args.dir / "access.log")

    failures = []
    print("Security scan (wapiti) per role:")
    for role in args.roles.split():
        path = args.dir / f"{role}.json"
        try:
            report = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            failures.append(f"{role}: no usable report {path} ({error})")
            print(f"  {role:<10} no report")
            continue
        vulns = {name: items for name, items in report.get("vulnerabilities", {}).items() if items}
        anomalies = {name: items for name, items in report.get("anomalies", {}).items() if items}
        accepted = {name: items for name, items in vulns.items() if name in NOT_APPLICABLE}
        real = {name: items for name, items in vulns.items() if name not in NOT_APPLICABLE}
        requests = statuses.get(role, Counter())
        crawled, routes, kept = (crawl.get(role) or ["?", "?", "?"])[:3]
        coverage = _coverage(args.sessions / role) if args.sessions else None
        parts = [
            f"{crawled} URLs and forms crawled ({routes} routes, {kept} attacked)",
            f"{sum(requests.values())} requests",
        ]
        if coverage:
            parts.append(f"{coverage[0]} resource×module attacks completed")
        not_reproduced = _not_reproduced(args.dir / f"{role}-confirm.json")
        unconfirmed = sum(
            (item["method"], item["path"], item.get("parameter"), item["info"]) in not_reproduced
            for items in real.values()
            for item in items
        )
        parts.append(
            f"{_count(real) - unconfirmed} vulnerabilities"
            + (f" (+{_count(accepted)} not applicable)" if accepted else "")
            + (f" (+{unconfirmed} not reproduced)" if unconfirmed else "")
        )
        parts.append(
            f"{_count(anomalies)} anomalies"
            + (
                " (" + ", ".join(f"{name}: {len(items)}" for name, items in anomalies.items()) + ")"
                if anomalies
                else ""
            )
        )
        if role in durations:
            total, *phases = durations[role]
            parts.append(f"{total} s" + (" (crawl {1} s, attacks {2} s)".format(*phases) if len(phases) >= 3 else ""))
        print(f"  {role:<10} " + ", ".join(parts))
        for name, items in real.items():
            for item in items:
                line = f"{role}: {name}: {item['method']} {item['path']} [{item.get('parameter') or ''}] {item['info']}"
                key = (item["method"], item["path"], item.get("parameter"), item["info"])
                if key in not_reproduced:
                    rounds = not_reproduced[key]
                    print(f"  not reproduced in {rounds} replays alone on the quiet server, not counted: {line}")
                else:
                    failures.append(line)
        for item in anomalies.get(SERVER_ERROR_ANOMALY, []):
            failures.append(
                f"{role}: {SERVER_ERROR_ANOMALY}: {item['method']} {item['path']} "
                f"[{item.get('parameter') or ''}] {item['info']}"
            )

    for line in server_errors:
        failures.append(f"server answered {line}")
    log_errors, refused = _server_log(args.dir / "server.log")
    for line in log_errors[:20]:
        failures.append(f"server.log: {line}")
    if len(log_errors) > 20:
        failures.append(f"server.log: … {len(log_errors) - 20} more errors")
    if refused:
        print(
            "  suspicious requests refused with 400: "
            + ", ".join(f"{logger.removeprefix(REFUSED_LOGGERS)} {count}" for logger, count in refused.most_common())
        )

    if times:
        times.sort()
        slowest = times[-1]
        print(
            f"  server: {len(times)} requests, median {times[len(times) // 2][0] / 1000:.0f} ms, "
            f"slowest {slowest[0] / 1_000_000:.1f} s ({slowest[1]})"
        )
    if args.total_seconds is not None:
        print(f"  total {args.total_seconds} s; reports in {args.dir}")
    if failures:
        print(f"FAILED: {len(failures)} problems")
        for line in failures[:50]:
            print(f"  {line}")
        if len(failures) > 50:
            print(f"  … and {len(failures) - 50} more (see the reports)")
        return 1
    print("OK: no vulnerability, no server error")
    return 0


# ---------------------------------------------------------------------------
# prune

ID_SEGMENT = re.compile(r"/(\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?=/|$)", re.IGNORECASE)


def _wildcard(pattern):
    """wapiti's -x syntax: '*' is any text, the rest is literal."""
    return re.compile("".join(".*" if char == "*" else re.escape(char) for char in pattern) + r"\Z", re.DOTALL)


def prune(args):
    databases = sorted(Path(args.session).glob("*.db"))
    if len(databases) != 1:
        print(f"prune: expected one wapiti session database in {args.session}, found {len(databases)}", file=sys.stderr)
        return 2
    excluded = [_wildcard(pattern) for pattern in args.exclude]
    db = sqlite3.connect(databases[0])
    with db:
        rows = db.execute(
            "SELECT p.path_id, p.path, p.method, r.status_code FROM paths p "
            "LEFT JOIN responses r ON r.response_id = p.response_id "
            "WHERE p.evil = 0 ORDER BY p.depth, p.path_id"
        ).fetchall()
        in_findings = {row[0] for row in db.execute("SELECT evil_path_id FROM payloads")}
        params = {}
        for path_id, kind, name in db.execute("SELECT path_id, type, name FROM params"):
            params.setdefault(path_id, set()).add((kind, name))
        kept, drop, routes = Counter(), [], set()
        crawled = 0
        for path_id, url, method, status in rows:
            if status is not None:
                crawled += 1
            if path_id in in_findings:
                continue  # referenced by a finding of the crawl: leave it alone
            key = (method, ID_SEGMENT.sub("/N", urlsplit(url).path), tuple(sorted(params.get(path_id, ()))))
            if status is None or status == 405 or any(regex.match(url) for regex in excluded):
                drop.append(path_id)
                continue
            routes.add(key)
            if kept[key] >= args.keep:
                drop.append(path_id)
                continue
            kept[key] += 1
        for start in range(0, len(drop), 500):
            chunk = drop[start : start + 500]
            marks = ",".join("?" * len(chunk))
            db.execute(f"DELETE FROM params WHERE path_id IN ({marks})", chunk)  # noqa: S608 (placeholders only)
            db.execute(f"DELETE FROM paths WHERE path_id IN ({marks})", chunk)  # noqa: S608
    db.close()
    # "crawled routes kept": read back by judge through crawl-stats.
    print(crawled, len(routes), sum(kept.values()))
    return 0


# ---------------------------------------------------------------------------
# sample

LINK = re.compile(r"""(?:href|action)\s*=\s*["']([^"'#]+)""", re.IGNORECASE)
FIRST_ID = re.compile(r"^(.*?/)(\d+)/")


def sample(args):
    """Exclusion patterns (-x) that leave the crawl --keep objects of each
    collection: /cases/<id>/..., /referrals/<id>/..., /admin/<app>/<model>/<id>/...
    Reads the role's index pages (paths without an id, one query variant at
    most each), notes the ids their links and forms lead to, in page order,
    and excludes all but the first --keep of each collection."""
    base = args.base.rstrip("/")
    cookie = args.cookie_file.read_text().strip()
    excluded = [_wildcard(pattern) for pattern in args.exclude]
    queue, queued, variants = [(url.strip(), 0) for url in args.start], set(), Counter()
    ids: dict[str, list[str]] = {}
    fetched = 0
    while queue and fetched < args.max_pages:
        url, depth = queue.pop(0)
        fetched += 1
        request = urllib.request.Request(  # noqa: S310 (http to our own server)
            url, headers={"Cookie": cookie, "User-Agent": args.user_agent}
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (our own server)
                if "html" not in response.headers.get("Content-Type", ""):
                    continue
                page = response.read().decode("utf-8", errors="replace")
                page_url = response.url
        except (OSError, ValueError):
            continue
        for link in LINK.findall(page):
            absolute = urljoin(page_url, html.unescape(link))
            parts = urlsplit(absolute)
            if not absolute.startswith(base + "/") or parts.path.startswith("/static/"):
                continue
            if any(regex.match(absolute) for regex in excluded):
                continue
            found = FIRST_ID.match(parts.path)
            if found:
                collection = ids.setdefault(found.group(1), [])
                if found.group(2) not in collection:
                    collection.append(found.group(2))
                continue
            target = f"{base}{parts.path}" + (f"?{parts.query}" if parts.query else "")
            if target in queued or depth + 1 > args.depth:
                continue
            if parts.query:
                variants[parts.path] += 1
                if variants[parts.path] > 1:
                    continue
            queued.add(target)
            queue.append((target, depth + 1))
    for prefix, collection in ids.items():
        for object_id in collection[args.keep :]:
            print(f"{base}{prefix}{object_id}/*")
    print(f"sample: {fetched} pages read, {len(ids)} collections", file=sys.stderr)
    return 0


# ---------------------------------------------------------------------------
# endpoint


class _Endpoint(BaseHTTPRequestHandler):
    hits: dict = {}
    lock = threading.Lock()

    def _record(self):
        parts = urlsplit(self.path)
        segments = [segment for segment in parts.path.split("/") if segment]
        if parts.path == "/get_ssrf.php":
            session_id = parse_qs(parts.query).get("session_id", [""])[0]
            with self.lock:
                body = json.dumps(self.hits.get(session_id, {})).encode()
            self._answer(200, body, "application/json")
        elif len(segments) == 4 and segments[0] == "ssrf":
            _, session_id, path_id, hex_param = segments
            size = int(self.headers.get("Content-Length") or 0)
            if size:
                self.rfile.read(min(size, 1_000_000))
            info = {
                "url": f"http://{self.headers.get('Host', '')}{self.path}",
                "date": datetime.now(UTC).isoformat(),
                "ip": self.client_address[0],
                "method": self.command,
                "size": size,
            }
            with self.lock:
                self.hits.setdefault(session_id, {}).setdefault(path_id, {}).setdefault(hex_param, []).append(info)
            print(f"SSRF endpoint hit: {self.command} {self.path}", flush=True)
            self._answer(200, b"ok", "text/plain")
        else:
            self._answer(404, b"not found", "text/plain")

    def _answer(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_HEAD = _record

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


def endpoint(args):
    server = ThreadingHTTPServer(("127.0.0.1", args.port), _Endpoint)
    print(f"SSRF endpoint on http://127.0.0.1:{args.port}/", flush=True)
    server.serve_forever()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    judge_parser = commands.add_parser("judge")
    judge_parser.add_argument("--dir", type=Path, required=True)
    judge_parser.add_argument("--roles", required=True, help="space-separated")
    judge_parser.add_argument("--sessions", type=Path, help="wapiti's session folders, one per role")
    judge_parser.add_argument("--total-seconds", type=int)
    prune_parser = commands.add_parser("prune")
    prune_parser.add_argument("--session", type=Path, required=True)
    prune_parser.add_argument("--keep", type=int, default=1)
    prune_parser.add_argument("--exclude", action="append", default=[])
    sample_parser = commands.add_parser("sample")
    sample_parser.add_argument("--base", required=True)
    sample_parser.add_argument("--cookie-file", type=Path, required=True)
    sample_parser.add_argument("--start", action="append", default=[])
    sample_parser.add_argument("--keep", type=int, default=3)
    sample_parser.add_argument("--depth", type=int, default=3)
    sample_parser.add_argument("--max-pages", type=int, default=60)
    sample_parser.add_argument("--user-agent", default="sinergi-scan")
    sample_parser.add_argument("--exclude", action="append", default=[])
    endpoint_parser = commands.add_parser("endpoint")
    endpoint_parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    return {"judge": judge, "prune": prune, "sample": sample, "endpoint": endpoint}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
