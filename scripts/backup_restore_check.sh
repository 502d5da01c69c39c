#!/usr/bin/env bash
# Backup and restore drill on PostgreSQL, as documented in the README:
# build a database with the demo school, `pg_dump -Fc` it, `pg_restore` it into
# a new database, run migrations there, and compare every table's row count.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
PGHOST="${PGHOST:-127.0.0.1}"; PGUSER="${PGUSER:-postgres}"; export PGHOST PGUSER
SRC="sinergi_backup_src_$$"; DST="sinergi_backup_dst_$$"
WORK="$(mktemp -d)"
cleanup() { dropdb --if-exists "$SRC" || true; dropdb --if-exists "$DST" || true; rm -rf "$WORK"; }
trap cleanup EXIT

createdb "$SRC"
export DEBUG=1 SINERGI_TESTING=1
DATABASE_URL="postgres://$PGUSER@$PGHOST:5432/$SRC" "$PY" manage.py migrate --noinput -v0
DATABASE_URL="postgres://$PGUSER@$PGHOST:5432/$SRC" "$PY" manage.py seed_demo >/dev/null

pg_dump -Fc -f "$WORK/sinergi.dump" "$SRC"
createdb "$DST"
pg_restore --no-owner --exit-on-error -d "$DST" "$WORK/sinergi.dump"
DATABASE_URL="postgres://$PGUSER@$PGHOST:5432/$DST" "$PY" manage.py migrate --noinput -v0

DATABASE_URL="postgres://$PGUSER@$PGHOST:5432/$SRC" "$PY" scripts/row_counts.py > "$WORK/src.txt"
DATABASE_URL="postgres://$PGUSER@$PGHOST:5432/$DST" "$PY" scripts/row_counts.py > "$WORK/dst.txt"
if ! diff -u "$WORK/src.txt" "$WORK/dst.txt"; then
  echo "Backup/restore: row counts differ" >&2
  exit 1
fi
total=$(awk '{s += $2} END {print s}' "$WORK/src.txt")
tables=$(wc -l < "$WORK/src.txt")
echo "Backup/restore: $tables tables, $total rows, identical after pg_restore and migrate"
