import pytest

from tests import factories as f
from tests.roster.conftest import csv_bytes, xlsx_bytes  # noqa: F401  (shared file builders)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def ledger_world(world):
    """world plus a few more students in VII-A, with fixed NISNs."""
    w = world
    w.student_a.nisn = "0012345601"
    w.student_a.save(update_fields=["nisn"])
    w.budi = f.enroll(f.StudentFactory(school=w.school, nisn="0012345602", full_name="Budi Santoso"), w.class_a, w.term)
    w.citra = f.enroll(
        f.StudentFactory(school=w.school, nisn="0012345603", full_name="Citra Lestari"), w.class_a, w.term
    )
    w.student_b.nisn = "0012345699"
    w.student_b.save(update_fields=["nisn"])
    return w
