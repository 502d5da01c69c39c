"""The scan's verdict on the server log (scripts/scan_report.py, `make scan`):
a refusal is what an attack should get, an error is a failure."""

import importlib.util
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
