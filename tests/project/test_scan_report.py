"""The scan's verdict on the server log (scripts/scan_report.py, `make scan`):
a refusal is what an attack should get, an error is a failure."""

import argparse
import importlib.util
import json
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "scan_report.py"
spec = importlib.util.spec_from_file_location("scan_report", SCRIPT)
scan_report = importlib.util.module_from_spec(spec)
spec.loader.exec_module(scan_report)

TRACEBACK = 'Traceback (most recent call last):\n  File "x.py", line 1, in f\nSomeError: boom\n'


def _judge(tmp_path, text):
    log = tmp_path / "server.log"
    log.write_text(text)
    return scan_report._server_log(log)


def test_refused_requests_are_not_errors(tmp_path):
    errors, refused = _judge(
        tmp_path,
        "WARNING django.request: Forbidden (Permission denied): /cases/1/meetings/1/ics/\n"
        + TRACEBACK
        + "ERROR django.security.DisallowedModelAdminToField: The field x cannot be referenced.\n"
        + TRACEBACK
        + "WARNING django.request: Conflict: /cases/3/goals/5/edit/\n",
    )
    assert errors == []
    assert refused == {"django.security.DisallowedModelAdminToField": 1}


def test_server_errors_and_stray_tracebacks_fail(tmp_path):
    errors, _refused = _judge(
        tmp_path,
        TRACEBACK
        + "ERROR django.request: Internal Server Error: /cases/1/\n"
        + TRACEBACK
        + "[2026-11-28 09:00:00 +0000] [12] [CRITICAL] WORKER TIMEOUT (pid:13)\n",
    )
    assert errors == [
        "a traceback outside an error record: Traceback (most recent call last):",
        "django.request: Internal Server Error: /cases/1/",
        "[2026-11-28 09:00:00 +0000] [12] [CRITICAL] WORKER TIMEOUT (pid:13)",
    ]


BLIND_SQL = {
    "method": "GET",
    "path": "/admin/notifications/notification/",
    "parameter": "kind__exact",
    "info": "SQL Injection via injection in the parameter kind__exact",
}


def _verdict(tmp_path, capsys, confirm=None, vulnerability=BLIND_SQL):
    (tmp_path / "admin.json").write_text(
        json.dumps({"vulnerabilities": {"SQL Injection": [vulnerability]}, "anomalies": {}})
    )
    if confirm is not None:
        (tmp_path / "admin-confirm.json").write_text(json.dumps(confirm))
    status = scan_report.judge(argparse.Namespace(dir=tmp_path, roles="admin", sessions=None, total_seconds=None))
    return status, capsys.readouterr().out


def test_a_blind_sql_finding_that_never_reproduces_alone_is_printed_not_counted(tmp_path, capsys):
    status, out = _verdict(tmp_path, capsys, [{**BLIND_SQL, "rounds": 3, "reproduced": 0}])
    assert status == 0
    assert "0 vulnerabilities (+1 not reproduced)" in out
    assert "not reproduced in 3 replays alone" in out and "kind__exact" in out


def test_a_blind_sql_finding_fails_when_replayed_once_or_not_at_all(tmp_path, capsys):
    assert _verdict(tmp_path, capsys, [{**BLIND_SQL, "rounds": 3, "reproduced": 1}])[0] == 1
    (tmp_path / "admin-confirm.json").unlink()
    assert _verdict(tmp_path, capsys)[0] == 1  # never replayed
    failed = [{**BLIND_SQL, "rounds": 0, "reproduced": 0, "error": "the injected value carries no known payload"}]
    assert _verdict(tmp_path, capsys, failed)[0] == 1


def test_a_replay_never_excuses_another_finding(tmp_path, capsys):
    error_based = {**BLIND_SQL, "info": "SQL Injection (DMBS: MySQL) via injection in the parameter kind__exact"}
    status, out = _verdict(tmp_path, capsys, [{**BLIND_SQL, "rounds": 3, "reproduced": 0}], error_based)
    assert status == 1
    assert "FAILED: 1 problems" in out
