"""A subject teacher enters one assessment's scores for a class from a phone."""

from decimal import Decimal

import pytest
from django.urls import reverse

from casework.models import EvaluationEntry, SchoolMeasure
from roster.models import TeachingAssignment
from schooldata.models import Assessment, Score

URL = reverse("schooldata:scores")


@pytest.fixture
def maths_a(ledger_world):
    w = ledger_world
    w.maths_a = TeachingAssignment.objects.get(teacher=w.teacher, classroom=w.class_a, subject=w.maths)
    return w


def post(client, w, **data):
    return client.post(URL, {"assignment": w.maths_a.pk, "name": "UH 2", "date": "2026-09-14", **data})


def test_teacher_enters_scores_for_their_class(login, maths_a):
    w = maths_a
    client = login(w.teacher)
    page = client.get(URL, {"assignment": w.maths_a.pk}).content.decode()
    assert "Andi Pratama" in page and "Budi Santoso" in page and "Sekar" not in page
    response = post(client, w, **{f"score_{w.student_a.pk}": "72,5", f"score_{w.budi.pk}": "88"})
    assert response.status_code == 302
    assessment = Assessment.objects.get()
    assert (assessment.name, assessment.classroom, assessment.subject, str(assessment.date)) == (
        "UH 2",
        w.class_a,
        w.maths,
        "2026-09-14",
    )
    assert dict(Score.objects.values_list("student__full_name", "value")) == {
        "Andi Pratama": Decimal("72.5"),
        "Budi Santoso": Decimal("88.0"),
    }
    # Again, with a correction and an empty field: one changed, the other kept.
    post(client, w, **{f"score_{w.student_a.pk}": "75"})
    assert dict(Score.objects.values_list("student__full_name", "value")) == {
        "Andi Pratama": Decimal("75.0"),
        "Budi Santoso": Decimal("88.0"),
    }


def test_pasted_scores_follow_the_order_of_the_list(login, maths_a):
    w = maths_a
    client = login(w.teacher)
    # The list is in name order: Andi Pratama, Budi Santoso, Citra Lestari.
    response = post(client, w, paste="70\n\n81,5\n")
    assert response.status_code == 302
    assert dict(Score.objects.values_list("student__full_name", "value")) == {
        "Andi Pratama": Decimal("70.0"),
        "Citra Lestari": Decimal("81.5"),
    }
    response = post(client, w, paste="70\n80")
    assert "2 lines for 3 students" in response.content.decode()


def test_bad_scores_are_errors_next_to_the_student_and_nothing_is_saved(login, maths_a):
    w = maths_a
    response = post(login(w.teacher), w, **{f"score_{w.student_a.pk}": "70", f"score_{w.budi.pk}": "170"})
    assert response.status_code == 200
    assert "is not a score" in response.content.decode()
    assert not Score.objects.exists()


def test_only_the_teacher_s_own_classes(login, maths_a):
    w = maths_a
    other = TeachingAssignment.objects.get(teacher=w.other_teacher)
    client = login(w.teacher)
    response = client.post(URL, {"assignment": other.pk, "name": "UH 2", f"score_{w.student_b.pk}": "50"})
    assert "Choose one of the classes you teach" in response.content.decode()
    assert not Score.objects.exists()
    for role in ("counselor", "admin"):
        assert login(w.roles[role]).get(URL).status_code == 403


def test_scores_feed_goals_measured_from_school_records(login, maths_a):
    from casework import services as casework
    from tests.security.grid import _case

    w = maths_a
    case = _case(w.homeroom, w.school, w.student_a, w.counselor)
    goal = casework.goal_add(
        case=case,
        actor=w.counselor,
        statement="Maths",
        indicator="Scores",
        measure=SchoolMeasure.SCORES,
        measure_subject=w.maths,
    )
    post(login(w.teacher), w, date="", **{f"score_{w.student_a.pk}": "66"})
    entry = EvaluationEntry.objects.get(goal=goal)
    assert (entry.measured_value, entry.source) == (Decimal("66.0"), "Matematika · UH 2")
