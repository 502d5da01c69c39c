"""How fast is the free-slot finder? (issue #13: 8 attendees over two school
weeks on the demo school, under 200 ms, with a fixed number of queries)

    .venv/bin/python scripts/bench_freeslots.py [--runs N]

Builds a throwaway SQLite database in a temporary folder (never db.sqlite3),
seeds the demo school (timetable, cases, meetings, forums), then asks the
finder for the fixed sign-ins and three more teachers (eight attendees),
N times, and prints the median and worst time and the number of queries.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="sinergi-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    try:
        run(args.runs)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(runs):
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from casework.scheduling import propose_slots
    from roster.models import School

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    school = School.objects.get(npsn="20100001")
    names = ["teacher", "homeroom", "counselor", "counselor2", "vp", "guru01", "guru02", "guru03"]
    people = list(User.objects.filter(username__in=names))
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            slots = propose_slots(school=school, attendees=people, duration_minutes=45)
        times.append((time.perf_counter() - started) * 1000)
    print(f"{len(people)} attendees, {runs} runs: median {statistics.median(times):.1f} ms, worst {max(times):.1f} ms")
    print(f"queries per search: {len(queries)}")
    for slot in slots:
        print(f"  {slot.starts_at:%a %d %b %H:%M}  busy: {len(slot.busy)}")


if __name__ == "__main__":
    main()
