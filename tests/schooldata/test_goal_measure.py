"""Goals measured from the school's records: imported values become entries
"from school records" on the goal's chart; the case page shows the grades and
attendance beside the plan."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.policy import Actor
from casework import selectors
from casework import services as casework
from casework.models import EvaluationEntry, SchoolMeasure
from tests.schooldata.conftest import csv_bytes
from tests.schooldata.test_import import commit
from tests.security.grid import _case


@pytest.fixture
def case(ledger_world):
    w = ledger_world
    case = _case(w.teacher, w.school, w.student_a, w.counselor)
    w.case = case
    return w


def ledger(value, **extra):
    return csv_bytes(
        [["nisn", "nama", "kelas", "Matematika", "Bahasa Indonesia"], ["0012345601", "Andi", "VII-A", value, "80"]]
    )


def bound_goal(w, measure=SchoolMeasure.SCORES, subject="maths"):
    return casework.goal_add(
        case=w.case,
        actor=w.counselor,
        statement="Maths back to the KKM",
        indicator="Matematika scores",
        baseline=Decimal("55"),
        target=Decimal("75"),
        measure=measure,
        measure_subject=getattr(w, subject) if measure == SchoolMeasure.SCORES else None,
    )


def test_imported_scores_appear_in_the_log_from_school_records_and_on_the_chart(case):
    w = case
    goal = bound_goal(w)
    assert not EvaluationEntry.objects.filter(goal=goal).exists()
    commit(w, ledger("62,5"), assessment="PTS")
    entry = EvaluationEntry.objects.get(goal=goal)
    assert (entry.measured_value, entry.source, entry.author) == (Decimal("62.5"), "Matematika · PTS", w.counselor)
    assert entry.date == timezone.localdate()
    page = selectors.case_page(case=w.case, actor=Actor(w.counselor))
    shown = next(g for g in page.goals if g.pk == goal.pk)
    assert shown.latest == Decimal("62.5") and shown.chart is not None

    # A corrected re-import updates the entry; nothing is duplicated.
    commit(w, ledger("64"), assessment="PTS")
    assert list(EvaluationEntry.objects.filter(goal=goal).values_list("measured_value", flat=True)) == [Decimal("64.0")]
    # A new assessment is a new entry; typed entries stay possible.
    commit(w, ledger("70"), assessment="PAS")
    casework.entry_add(
        case=w.case,
        actor=Actor(w.counselor),
        kind="progress_check",
        date=timezone.localdate(),
        goal=goal,
        measured_value=Decimal("71"),
    )
    assert EvaluationEntry.objects.filter(goal=goal).count() == 3
    assert EvaluationEntry.objects.filter(goal=goal).exclude(source="").count() == 2


def test_values_from_before_the_case_opened_are_not_entries(case):
    w = case
    goal = bound_goal(w)
    commit(w, ledger("50"), assessment="UH 1", date="2026-01-05")
    assert not EvaluationEntry.objects.filter(goal=goal).exists()


def test_binding_a_goal_brings_in_what_is_already_there(case):
    w = case
    commit(w, ledger("58"), assessment="PTS")
    goal = bound_goal(w)
    assert EvaluationEntry.objects.get(goal=goal).measured_value == Decimal("58.0")


def test_attendance_rate_per_month(case):
    w = case
    goal = bound_goal(w, measure=SchoolMeasure.ATTENDANCE)
    month = timezone.localdate().replace(day=1)
    data = csv_bytes([["nisn", "nama", "H", "S", "I", "A"], ["0012345601", "Andi", "15", "1", "0", "4"]])
    commit(w, data, month=month.isoformat())
    entry = EvaluationEntry.objects.get(goal=goal)
    assert entry.measured_value == Decimal("75.0")
    assert entry.source_key == f"attendance:{month:%Y-%m}" and "A 4" in entry.source


def test_other_students_and_closed_cases_get_nothing(case):
    w = case
    goal = bound_goal(w)
    data = csv_bytes([["nisn", "nama", "kelas", "Matematika"], ["0012345602", "Budi", "VII-A", "40"]])
    commit(w, data)
    assert not EvaluationEntry.objects.filter(goal=goal).exists()


def test_the_goal_form_needs_a_subject_of_the_school(case, login):
    from tests import factories as f

    w = case
    client = login(w.counselor)
    url = reverse("casework:goal_add", args=[w.case.pk])
    data = {"statement": "Maths", "indicator": "Scores", "measure": "scores"}
    response = client.post(url, data)
    assert "Choose the subject whose scores measure this goal." in response.content.decode()
    elsewhere = f.SubjectFactory(school=w.other_school, name="Matematika")
    response = client.post(url, {**data, "measure_subject": elsewhere.pk})
    assert response.status_code in (200, 400) and not w.case.goals.exists()
    response = client.post(url, {**data, "measure_subject": w.maths.pk})
    assert response.status_code == 302
    assert w.case.goals.get().measure_subject == w.maths


def test_the_case_page_shows_grades_and_attendance_beside_the_plan(case, login):
    w = case
    bound_goal(w)
    commit(w, ledger("62,5"), assessment="PTS")
    page = re.sub(r"\s+", " ", login(w.teacher).get(reverse("casework:detail", args=[w.case.pk])).content.decode())
    assert "Grades and attendance" in page and "Term averages per subject" in page
    assert "From school records" in page and "Matematika · PTS" in page
    assert "62.5" in page


def test_the_vp_report_shows_the_change_in_the_measured_outcome_by_concern(case, login):
    w = case
    goal = bound_goal(w)  # baseline 55
    commit(w, ledger("62,5"), assessment="PTS")
    commit(w, ledger("71"), assessment="PAS")
    casework.case_close(case=w.case, actor=w.counselor, outcome="improved", final_note="Better in maths.")
    assert EvaluationEntry.objects.filter(goal=goal).exclude(source="").count() == 2
    response = login(w.vp).get(reverse("reports:index"))
    rows = response.context["report"].outcome_changes
    assert len(rows) == 1
    assert rows[0]["cases"] == 1 and rows[0]["scores"] == Decimal("16.0") and rows[0]["attendance"] is None
    assert "Change in the measured outcome" in response.content.decode()
    suppressed = login(w.vp).get(reverse("reports:index"), {"suppress": "on"}).context["report"].outcome_changes
    assert suppressed[0]["hidden"]


def test_the_guardian_export_holds_the_school_records(case):
    from django.template.loader import render_to_string

    from privacy import export
    from privacy import selectors as privacy

    w = case
    commit(w, ledger("62,5"), assessment="PTS")
    data = export.export_data(privacy.student_record(student=w.student_a), by=w.counselor)
    scores = data["school_records"]["scores"]
    assert {(s["subject"], s["assessment"], s["score"]) for s in scores} == {
        ("Matematika", "PTS", Decimal("62.5")),
        ("Bahasa Indonesia", "PTS", Decimal("80.0")),
    }
    html = render_to_string("privacy/export/report.html", {"data": data, "style": ""})
    assert "Grades and attendance" in html and "62.5" in html
