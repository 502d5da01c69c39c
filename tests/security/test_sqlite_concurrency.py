"""A burst of 20 parallel writes on the SQLite default gives no errors.

pytest's SQLite test database lives in memory behind one connection, so the
burst runs in a subprocess on a real database file with the project's SQLite
settings (WAL, BEGIN IMMEDIATE, a busy timeout): tests/security/sqlite_burst.py.
PostgreSQL runs skip it: it is about the embedded default.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

SCRIPT = Path(__file__).with_name("sqlite_burst.py")
BURST = 20


@pytest.mark.skipif(connection.vendor != "sqlite", reason="about the SQLite default")
def test_twenty_teachers_filing_at_once_all_succeed(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path / "burst.sqlite3"), str(BURST)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=SCRIPT.parents[2],
    )
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["errors"] == []
    assert summary["statuses"] == [302] * BURST
    assert summary["referrals"] == BURST
    assert summary["journal_mode"] == "wal"
    assert "database is locked" not in result.stderr
