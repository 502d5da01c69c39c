#!/usr/bin/env bash
# Dynamic security scan (`make scan`): wapiti3 attacks the running app, signed
# in as each demo role, and fails on any vulnerability it reports, on any
# "Internal Server Error" anomaly, and on any 5xx or traceback of the server.
#
# What runs:
#   * a throwaway SQLite database and media folder in a temporary directory,
#     migrated and seeded with the demo school (nothing in the project changes);
#   * the app as in production: gunicorn, DEBUG=0 (Secure and HttpOnly cookies,
#     security headers, CSP, the 500 page instead of the debug page), two-step
#     sign-in required for counselors, the vice principal and the admin, emails
#     to files. Two things differ because the scan speaks plain http to
#     127.0.0.1: SECURE_SSL_REDIRECT=0 (in production the HTTPS proxy in front
#     terminates TLS; with the redirect every page would be a 301 to https),
#     and the static files are collected into the temporary directory;
#   * for each role a session made directly in the database, signed in and,
#     where two-step sign-in is required, verified with a TOTP device made for
#     the scan, as after a real sign-in with a code. Wapiti sends it with a
#     CSRF cookie as a fixed Cookie header on every request (-C), so the forms
#     it submits carry valid CSRF tokens and the Secure flag of the cookies
#     does not matter over http (wapiti's own cookie jar is then not used);
#   * wapiti 3.3.2 in its own virtualenv (.venv-scan: its dependencies conflict
#     with the app's pins), in two phases per role: a crawl (with the passive
#     checks of headers, cookies, CSP, errors), then the attacks on one
#     resource per route (scan_report.py prune), so the time per attack module
#     goes to different views rather than to /cases/1/, /cases/2/, ... The
#     roles run side by side (SCAN_JOBS), each bounded in time;
#   * a local stand-in for wapiti's SSRF endpoint (scan_report.py endpoint):
#     the ssrf module can tell whether the app fetched an injected URL, and
#     nothing is sent to wapiti's public endpoint.
#
# Reports in ${ARTIFACTS:-.ci/artifacts}/scan/: <role>.json (wapiti's report:
# vulnerabilities, anomalies, crawled pages), <role>-html/ (the same as a web
# page), <role>.log (wapiti's output),
# server.log (gunicorn and Django warnings and errors), access.log (status,
# method, path, microseconds, user agent "sinergi-scan/<role>/<phase>" of
# every request), <role>-confirm.json (blind SQL injection findings replayed
# alone: scripts/scan_confirm.py), summary.txt (the verdict).
#
# Settings (environment):
#   SCAN_ROLES        roles (default: teacher homeroom counselor counselor2 vp admin)
#   SCAN_CRAWL_TIME   seconds of crawling per role (default 90)
#   SCAN_ATTACK_TIME  seconds per attack module per role (default 30)
#   SCAN_JOBS         roles scanned at the same time (default: all)
#   SCAN_SAMPLE       objects of each kind crawled (cases, referrals, ...; default 3)
#   SCAN_KEEP         resources attacked per route (default 1)
#   SCAN_MODULES      wapiti -m for the attack phase (default below)
#   SCAN_WORKERS      gunicorn workers (default 1, see below)
#   SCAN_THREADS      threads per worker (default 1)
#   PYTHON            interpreter for .venv-scan (default: the base interpreter of .venv)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

APP_VENV="${APP_VENV:-$ROOT/.venv}"  # the app's virtualenv (make passes $(VENV))
APP_PY="$APP_VENV/bin/python"
SCAN_VENV="$ROOT/.venv-scan"
WAPITI_VERSION=3.3.2
ARTIFACTS="${ARTIFACTS:-$ROOT/.ci/artifacts}"
OUT="$ARTIFACTS/scan"
ROLES="${SCAN_ROLES:-teacher homeroom counselor counselor2 vp admin}"
CRAWL_TIME="${SCAN_CRAWL_TIME:-90}"
ATTACK_TIME="${SCAN_ATTACK_TIME:-30}"
JOBS="${SCAN_JOBS:-$(wc -w <<<"$ROLES")}"
KEEP="${SCAN_KEEP:-1}"
SAMPLE="${SCAN_SAMPLE:-3}"
WORKERS="${SCAN_WORKERS:-1}"
THREADS="${SCAN_THREADS:-1}"

# Passive checks during the crawl: wapiti's "passive" set (security headers,
# cookie flags, CSP, redirects with content, information and stack trace
# disclosure) without https_redirect and unsecure_password, which over plain
# http can only report that it is http (see ssl below).
CRAWL_MODULES="passive,-https_redirect,-unsecure_password"
# Attacks: wapiti's default active modules (xss, permanentxss, sql, exec,
# file, redirect, ssrf, upload) plus csrf, crlf and methods. Left out:
#   ssl: judges the TLS certificate; there is none over http to 127.0.0.1, in
#     production TLS is the HTTPS proxy's, and SECURE_SSL_REDIRECT and HSTS
#     are checked by `manage.py check --deploy`.
#   timesql: blind time-based SQL injection needs a sleep function; SQLite has
#     none, so it only costs time (the error- and boolean-based sql runs).
#   xxe: the app reads no XML (the XLSX roster import is a zip, parsed by
#     openpyxl), and wapiti's xxe uploads raw XML.
#   ldap, shellshock, log4shell, spring4shell, htaccess, cms, wp_enum, wapp,
#     htp, network_device, printer, takeover: other stacks (LDAP, CGI, Java,
#     Apache, CMSs, devices, DNS) or fingerprinting.
#   backup, buster, nikto, brute_login_form: brute force of file names or of
#     passwords (which the sign-in lockout stops); slow and not about our code.
ATTACK_MODULES="${SCAN_MODULES:-xss,permanentxss,sql,exec,file,redirect,ssrf,upload,csrf,crlf,methods}"

if [ ! -x "$APP_PY" ]; then
  echo "scan: $APP_PY not found; run 'make venv' first (make scan does)" >&2
  exit 2
fi

# --- wapiti in its own virtualenv -------------------------------------------
if [ ! -f "$SCAN_VENV/.installed-$WAPITI_VERSION" ]; then
  base_python="${PYTHON:-$("$APP_PY" -c 'import sys; print(sys._base_executable)')}"
  "$base_python" -c 'import sys; sys.exit(sys.version_info < (3, 12))' \
    || { echo "scan: wapiti3 $WAPITI_VERSION needs Python 3.12+, $base_python is older" >&2; exit 2; }
  echo "Creating $SCAN_VENV with $base_python (wapiti3==$WAPITI_VERSION)"
  rm -rf "$SCAN_VENV"
  "$base_python" -m venv "$SCAN_VENV"
  "$SCAN_VENV/bin/python" -m pip install --quiet --upgrade pip
  "$SCAN_VENV/bin/python" -m pip install --quiet "wapiti3==$WAPITI_VERSION"
  touch "$SCAN_VENV/.installed-$WAPITI_VERSION"
fi
WAPITI="$SCAN_VENV/bin/wapiti"

# --- a throwaway app --------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/sinergi-scan.XXXXXX")"
SERVER_PID=""
ENDPOINT_PID=""
role_pids=()
stop() {  # stop PID: TERM, then KILL after 10 s
  [ -n "$1" ] || return 0
  kill -TERM "$1" 2>/dev/null || return 0
  for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.2; done
  kill -KILL "$1" 2>/dev/null || true
}
cleanup() {
  # Role scans still running (interrupted): their process groups.
  for pid in "${role_pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  stop "$SERVER_PID"
  stop "$ENDPOINT_PID"
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rm -rf "$OUT"
mkdir -p "$OUT" "$WORK/media" "$WORK/mail" "$WORK/static" "$WORK/wapiti"

# The production settings, except STATIC_ROOT (collected into $WORK rather
# than into the project's staticfiles/) and log lines that name their level
# and logger, so that scan_report.py can tell a server error (django.request,
# a 500) from a refused suspicious request (django.security.*, a 400).
cat >"$WORK/sinergi_scan_settings.py" <<EOF
from config.settings import *  # noqa: F403
from config.settings import LOGGING

STATIC_ROOT = "$WORK/static"
LOGGING = {
    **LOGGING,
    "formatters": {"named": {"format": "%(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "named"}},
}
EOF

free_port() { "$APP_PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT="$(free_port)"
BASE="http://127.0.0.1:$PORT"

unset CELERY_BROKER_URL CACHE_URL SQLITE_NAME SINERGI_TESTING REQUIRE_2FA LANGUAGE_CODE TRUSTED_PROXY_COUNT
export PYTHONPATH="$WORK:$ROOT${PYTHONPATH:+:$PYTHONPATH}"
export DJANGO_SETTINGS_MODULE=sinergi_scan_settings
export DEBUG=0
SECRET_KEY="$("$APP_PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
FIELD_ENCRYPTION_KEYS="$("$APP_PY" -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')"
export SECRET_KEY FIELD_ENCRYPTION_KEYS
export ALLOWED_HOSTS=127.0.0.1
export SITE_URL="$BASE"
export SECURE_SSL_REDIRECT=0
export DATABASE_URL="sqlite:///$WORK/db.sqlite3"
export MEDIA_ROOT="$WORK/media"
export EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend
export EMAIL_FILE_PATH="$WORK/mail"
export LOG_LEVEL=WARNING

manage() { "$APP_PY" "$ROOT/manage.py" "$@"; }

started=$SECONDS
echo "Scan database, demo school and static files in $WORK"
manage migrate --noinput -v0
manage seed_demo --force >"$WORK/seed.log"
manage collectstatic --noinput -v0

# One signed-in session per role, made in the database; where two-step
# sign-in is required, verified with a TOTP device made for the scan. Also
# the role's start pages that no link leads to (forms reached by search): the
# referral form for a student, the student search, the password reset.
ROLES="$ROLES" WORK="$WORK" BASE="$BASE" manage shell -v0 -c "
import os, time
from urllib.parse import quote
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.utils.crypto import get_random_string
from django_otp import DEVICE_ID_SESSION_KEY, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice
from accounts.policy import Actor
from referrals.selectors import students_for_form
from accounts.sessions import LAST_SEEN_KEY, SIGNED_IN_AT_KEY
from accounts.two_factor import ENROLLED_SESSION_KEY, role_requires_two_factor

for username in os.environ['ROLES'].split():
    user = get_user_model().objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[SIGNED_IN_AT_KEY] = session[LAST_SEEN_KEY] = int(time.time())
    two_factor = role_requires_two_factor(user, Actor(user))
    if two_factor:
        device = TOTPDevice.objects.create(user=user, name='security scan', confirmed=True)
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[ENROLLED_SESSION_KEY] = user_has_device(user)
    session.create()
    cookie = f'{settings.SESSION_COOKIE_NAME}={session.session_key}; {settings.CSRF_COOKIE_NAME}={get_random_string(32)}'
    with open(os.path.join(os.environ['WORK'], 'cookie-' + username), 'w') as f:
        f.write(cookie)
    base, actor = os.environ['BASE'], Actor(user)
    starts = [f'{base}/', f'{base}/accounts/password_reset/', f'{base}/healthz']
    student = students_for_form(actor.school).order_by('pk').first() if actor.school else None
    if student and actor.may('referral', 'create'):
        starts += [f'{base}/referrals/new/?student={student.pk}', f'{base}/referrals/students/?q={quote(student.full_name[:3])}']
    with open(os.path.join(os.environ['WORK'], 'starts-' + username), 'w') as f:
        f.write(chr(10).join(starts) + chr(10))
    print(f'  {username}: signed in' + (', two-step sign-in verified' if two_factor else ''))
"

ENDPOINT_PORT="$(free_port)"
"$APP_PY" "$ROOT/scripts/scan_report.py" endpoint --port "$ENDPOINT_PORT" >"$OUT/ssrf-endpoint.log" 2>&1 &
ENDPOINT_PID=$!

# One worker, one thread by default: on SQLite every request takes the
# database's write lock when it starts (ATOMIC_REQUESTS, transaction_mode
# IMMEDIATE), so more only wait for each other, polling the lock. The gthread
# worker, because a sync worker waits for a connection's request however long
# the client takes (in production the HTTPS proxy buffers requests), and
# wapiti leaves connections open without a request when it stops a crawl.
# Idle connections are kept for 120 s, longer than wapiti keeps them: when the
# server closes one first, the request wapiti sends on it fails (ReadError).
# A request that takes over 60 s is killed and reported (WORKER TIMEOUT).
echo "Starting gunicorn (DEBUG=0) on $BASE"
"$APP_VENV/bin/gunicorn" config.wsgi --chdir "$ROOT" --bind "127.0.0.1:$PORT" \
  --workers "$WORKERS" --worker-class gthread --threads "$THREADS" --keep-alive 120 \
  --timeout 60 --graceful-timeout 5 \
  --access-logfile "$WORK/access.log" --access-logformat '%(s)s	%(m)s	%(U)s	%(D)s	%(a)s' \
  --error-logfile - >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null && break
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "scan: gunicorn did not start:" >&2; cat "$OUT/server.log" >&2; exit 1; }
  sleep 0.3
done
curl -fsS -o /dev/null "$BASE/healthz" || { echo "scan: $BASE/healthz does not answer" >&2; exit 1; }
echo "Ready after $((SECONDS - started)) s"

# The session works: the profile page answers 200, not a redirect to the
# sign-in page or to the two-step page.
session_ok() {
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $(cat "$WORK/cookie-$1")" "$BASE/accounts/profile/")" = 200 ]
}

# Never followed nor attacked: what ends the session or changes the user's
# sign-in (sign-out, language, password, two-step sign-in), deletions in the
# admin (the scanning user or the school the other roles work in), and the
# static files (no parameters; WhiteNoise serves them before the middleware
# that adds X-Frame-Options, which only matters for HTML pages, and the first
# such report per host would hide the pages').
EXCLUDES=(
  "$BASE/accounts/logout/*"
  "$BASE/i18n/setlang/*"
  "$BASE/accounts/password_change/*"
  "$BASE/accounts/2fa/*"
  "$BASE/admin/logout/*"
  "$BASE/admin/password_change/*"
  "$BASE/admin/*/password/*"
  "$BASE/admin/*/delete/*"
  "$BASE/static/*"
)
exclude_args=()
prune_args=()
for url in "${EXCLUDES[@]}"; do exclude_args+=(-x "$url"); prune_args+=(--exclude "$url"); done

scan_role() {
  local role=$1 t0=$SECONDS log="$OUT/$1.log" session="$WORK/wapiti/$1"
  : >"$log"
  if ! session_ok "$role"; then
    echo "scan: the session made for $role does not work (no 200 from /accounts/profile/)" >&2
    return 1
  fi
  local common=(
    -u "$BASE/" --scope folder -C "$(cat "$WORK/cookie-$role")"
    "${exclude_args[@]}" --skip csrfmiddlewaretoken
    --store-session "$session" --store-config "$WORK/wapiti/config"
    --endpoint "http://127.0.0.1:$ENDPOINT_PORT/"
    --timeout 30 --no-bugreport -v 1 -dr 1
  )
  local starts=() sample_starts=() sampled=()
  while read -r url; do starts+=(-s "$url"); sample_starts+=(--start "$url"); done <"$WORK/starts-$role"
  "$APP_PY" "$ROOT/scripts/scan_report.py" sample --base "$BASE" --cookie-file "$WORK/cookie-$role" \
    --keep "$SAMPLE" --user-agent "sinergi-scan/$role/sample" "${sample_starts[@]}" "${prune_args[@]}" \
    >"$WORK/sample-$role" 2>>"$log" || return 1
  while read -r url; do sampled+=(-x "$url"); done <"$WORK/sample-$role"
  local t_crawl=$SECONDS
  echo "== $role: crawl (≤ ${CRAWL_TIME} s; $((${#sampled[@]} / 2)) objects left out, $SAMPLE of each kind kept)"
  "$WAPITI" "${common[@]}" -A "sinergi-scan/$role/crawl" -m "$CRAWL_MODULES" --flush-session \
    "${starts[@]}" "${sampled[@]}" --tasks 4 \
    --max-scan-time "$CRAWL_TIME" -f json -o "$WORK/$role-crawl.json" >>"$log" 2>&1 \
    || { echo "scan: wapiti's crawl failed for $role; see $log" >&2; tail -20 "$log" >&2; return 1; }
  local stats
  stats="$("$APP_PY" "$ROOT/scripts/scan_report.py" prune --session "$session" --keep "$KEEP" "${prune_args[@]}")" \
    || return 1
  echo "$role $stats" >>"$OUT/crawl-stats"
  local t_attack=$SECONDS
  echo "== $role: attacks on $(cut -d' ' -f3 <<<"$stats") resources (≤ ${ATTACK_TIME} s per module)"
  "$WAPITI" "${common[@]}" -A "sinergi-scan/$role/attack" -m "$ATTACK_MODULES" --skip-crawl \
    --max-attack-time "$ATTACK_TIME" -f json -o "$OUT/$role.json" >>"$log" 2>&1 \
    || { echo "scan: wapiti's attacks failed for $role; see $log" >&2; tail -20 "$log" >&2; return 1; }
  local t_html=$SECONDS
  # The same report as HTML, from wapiti's session (no module runs again).
  "$WAPITI" "${common[@]}" -A "sinergi-scan/$role/report" -m "" --skip-crawl \
    -f html -o "$OUT/$role-html" >>"$log" 2>&1 \
    || echo "scan: no HTML report for $role (the JSON one is there); see $log" >&2
  # Seconds: all, before the crawl (session check, sampling), crawl, attacks, HTML report.
  echo "$role $((SECONDS - t0)) $((t_crawl - t0)) $((t_attack - t_crawl)) $((t_html - t_attack)) $((SECONDS - t_html))" \
    >>"$OUT/durations"
  if ! session_ok "$role"; then
    echo "scan: $role's session no longer works after the scan: something wapiti followed signed it out" >&2
    return 1
  fi
  echo "== $role: done in $((SECONDS - t0)) s"
}

status=0
for role in $ROLES; do
  while :; do  # at most $JOBS roles at a time
    active=0
    for pid in "${role_pids[@]}"; do kill -0 "$pid" 2>/dev/null && active=$((active + 1)); done
    [ "$active" -lt "$JOBS" ] && break
    sleep 1
  done
  set -m  # each role in its own process group, so that cleanup can stop it whole
  scan_role "$role" &
  set +m
  role_pids+=($!)
done
for pid in "${role_pids[@]}"; do wait "$pid" || status=1; done
role_pids=()

# Blind (boolean-based) SQL injection findings replayed one by one, with
# nobody else writing: while the roles run side by side pages change under
# wapiti's text comparison, and a finding that does not reproduce alone is
# printed by judge but not counted (scripts/scan_confirm.py says why).
for role in $ROLES; do
  [ -d "$WORK/wapiti/$role" ] || continue
  "$SCAN_VENV/bin/python" "$ROOT/scripts/scan_confirm.py" --session "$WORK/wapiti/$role" \
    --cookie-file "$WORK/cookie-$role" --base "$BASE" --role "$role" --out "$OUT/$role-confirm.json" >>"$OUT/$role.log" 2>&1 \
    || { echo "scan: replaying the SQL injection findings of $role failed" >&2; status=1; }
done

# Stop the server so that its logs are complete, then judge.
stop "$SERVER_PID"
SERVER_PID=""
stop "$ENDPOINT_PID"
ENDPOINT_PID=""
cp "$WORK/access.log" "$OUT/access.log"

"$APP_PY" "$ROOT/scripts/scan_report.py" judge --dir "$OUT" --roles "$ROLES" --sessions "$WORK/wapiti" \
  --total-seconds "$((SECONDS - started))" | tee "$OUT/summary.txt"
[ "${PIPESTATUS[0]}" = 0 ] || status=1
exit "$status"
