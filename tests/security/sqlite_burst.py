"""Twenty teachers file a referral in the same instant, on a SQLite file.

Run by tests/security/test_sqlite_concurrency.py in a subprocess (the test
database of pytest is in memory and shared by one connection; this needs the
real default: a database file, one connection per thread):

    python tests/security/sqlite_burst.py /tmp/x.sqlite3 20

It migrates the file, seeds one school, signs twenty teachers in, then starts
twenty threads that wait at a barrier and post the referral form at once
(the whole request: ATOMIC_REQUESTS, the timeline, the notifications and
their email deliveries after commit). Prints a JSON summary.
"""

import json
import os
import sys
import threading
import traceback
from pathlib import Path


def main(path, count):
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ["SINERGI_TESTING"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host, emails kept in memory
    call_command("migrate", verbosity=0)

    from accounts.models import Role
    from referrals.models import ConcernCategory, Referral
    from referrals.services import ensure_default_categories
    from tests import factories as f

    school = f.SchoolFactory(name="SMP Burst")
    term = f.TermFactory(school=school)
    counselor = f.staff(school, "burst_bk", Role.COUNSELOR)
    classroom = f.ClassroomFactory(school=school, name="VII-A", counselor=counselor)
    ensure_default_categories(school)
    category = ConcernCategory.objects.filter(school=school).first()
    teachers, students = [], []
    for i in range(count):
        teachers.append(f.staff(school, f"burst_teacher{i}", Role.TEACHER))
        students.append(f.enroll(f.StudentFactory(school=school), classroom, term))
    clients = []
    for teacher in teachers:
        client = Client()
        client.force_login(teacher)
        clients.append(client)
    journal = connection.cursor().execute("PRAGMA journal_mode").fetchone()[0]
    connections.close_all()

    barrier = threading.Barrier(count)
    results = [None] * count

    def file_referral(i):
        try:
            barrier.wait(timeout=60)
            response = clients[i].post(
                "/referrals/new/",
                {
                    "student": students[i].pk,
                    "categories": [category.pk],
                    "observation": f"Burst referral {i}",
                    "observed_since": "weeks",
                    "urgency": "routine",
                    "contact_preference": "in_app",
                    "parents_informed": "not_sure",
                },
            )
            results[i] = response.status_code
        except Exception:
            results[i] = traceback.format_exc()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=file_referral, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    summary = {
        "journal_mode": journal,
        "statuses": [r for r in results if isinstance(r, int)],
        "errors": [r for r in results if not isinstance(r, int)],
        "referrals": Referral.objects.filter(observation__startswith="Burst referral").count(),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 20)
