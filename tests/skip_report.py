"""A pytest plugin for CI: writes the node id of every skipped test (and
skipped module) to the file named by SINERGI_SKIP_REPORT, one a line, so that
.ci/run can compare them with the step's allow-list (.ci/skips/). Used with
`-p tests.skip_report`; without the variable it does nothing."""

import os

_skipped = set()


def pytest_runtest_logreport(report):
    if report.skipped:
        _skipped.add(report.nodeid)


def pytest_collectreport(report):
    if report.skipped:
        _skipped.add(report.nodeid)


def pytest_sessionfinish(session):
    path = os.environ.get("SINERGI_SKIP_REPORT")
    if path:
        with open(path, "w") as out:
            out.writelines(f"{nodeid}\n" for nodeid in sorted(_skipped))
