"""Each indicator worked out by hand from the data in conftest.py."""

import datetime

import pytest
from django.utils import timezone

from accounts.policy import Actor
from referrals.models import Referral
from reports import selectors
from reports.forms import ReportFilters, default_period
from reports.indicators import build_report
from roster.models import Holiday
from roster.schooldays import SchoolCalendar
from tests.reports import factories as rf
from tests.reports.conftest import NOW, TODAY
from tests.reports.factories import at


def term_filters(world, **kwargs):
    return ReportFilters(
        school=world.school, date_from=datetime.date(2026, 7, 1), date_to=datetime.date(2026, 12, 31), **kwargs
    )


def report_for(world, cats, **kwargs):
    categories = [cats.low, cats.attendance, cats.emotional]
    return build_report(
        actor=Actor(world.vp), filters=term_filters(world, **kwargs), categories=categories, today=TODAY, now=NOW
    )


def values(report):
    return {ind.key: ind.value for ind in report.indicators}


def test_every_indicator_on_the_hand_built_data(data):
    w = data.world
    got = values(report_for(w, data.cats))

    # R1 R2 R3 R4 R5 R6 R7 R10 were filed in the term; R8 in June, R9 elsewhere.
    assert got["referrals_received"] == 8
    # Triaged: R10 0, R1 1, R2 1 (Saturday → Monday), R3 4 school days.
    # Median of [0, 1, 1, 4] = 1; P90: rank 0.9 × 3 = 2.7 → 1 + 0.7 × (4 − 1) = 3.1.
    assert got["triage_median"] == pytest.approx(1.0)
    assert got["triage_p90"] == pytest.approx(3.1)
    # Within 3 days: R10, R1, R2 = 3 of 4 triaged + R4 (waiting 4 days: late)
    # = 5. R5 waits 1 day: not counted yet.
    assert got["triage_within_target"] == 60.0
    # Feedback: R1 R2 R3 R7 R10 = 5 of 8 received − R6 (withdrawn, unanswered) = 7.
    assert got["feedback_share"] == round(100 * 5 / 7, 1)
    # Open: C1 and C3 (reopened). Closed in the term: C2 (improved), C5 (no change).
    assert got["open_cases"] == 2
    assert got["cases_closed"] == 2
    assert got["closed_good"] == 50.0
    # Overdue: C1's 17 Nov follow-up and C3's 1 Nov one (C2 is closed; one is done).
    assert got["overdue_follow_ups"] == 2
    # Workload: counselor leads C1 and C3, counselor2 none open → 2 / 2 counselors.
    assert got["workload"] == 1.0
    # Goals measured in the term: G1 (50→55, target 75: closer), G2 (8→9,
    # target 2: further), G5 (10→4, target 2: closer; the January value is
    # after the term). G3 was measured only in June, G4 has no baseline.
    assert got["goals_moved"] == round(100 * 2 / 3, 1)
    # Case conferences: 10 Nov (C1) and 14 Nov (C2); 25 Nov is still to come,
    # 12 Nov is a coordination forum, June is before the term.
    assert got["case_conferences"] == 2
    # teacher (R1 R5 R6), homeroom (R2 R10), other_teacher (R3 R4 R7).
    assert got["referring_teachers"] == 3
    # Entry authors in the term holding the teacher role and not counselors:
    # teacher, other_teacher and vp (who also teaches). homeroom wrote in June.
    assert got["evaluating_teachers"] == 3


def test_shares_keep_their_numerator_and_denominator(data):
    report = report_for(data.world, data.cats)
    by_key = {ind.key: ind for ind in report.indicators}
    assert (by_key["triage_within_target"].numerator, by_key["triage_within_target"].denominator) == (3, 5)
    assert (by_key["feedback_share"].numerator, by_key["feedback_share"].denominator) == (5, 7)
    assert (by_key["goals_moved"].numerator, by_key["goals_moved"].denominator) == (2, 3)
    assert by_key["triage_median"].base == 4


def test_no_data_at_all(world):
    report = build_report(actor=Actor(world.vp), filters=term_filters(world), categories=[], today=TODAY, now=NOW)
    got = values(report)
    assert got["referrals_received"] == 0
    assert got["triage_median"] is None
    assert got["triage_p90"] is None
    assert got["triage_within_target"] is None
    assert got["feedback_share"] is None
    assert got["open_cases"] == 0
    assert got["cases_closed"] == 0
    assert got["closed_good"] is None
    assert got["overdue_follow_ups"] == 0
    # Two counselors with no open cases.
    assert got["workload"] == 0
    assert got["goals_moved"] is None
    assert got["case_conferences"] == 0
    assert got["referring_teachers"] == 0
    assert got["evaluating_teachers"] == 0
    assert all(chart.empty for chart in report.charts.values())
    assert [row["total"] for row in report.charts["months"].rows] == [0] * 6


def test_a_reopened_case_counts_as_open_not_closed(data):
    """C3 was closed on 1 Oct (resolved) and reopened on 10 Oct. Its closed_at
    is still set from the first closing; what counts is its status now."""
    w = data.world
    assert data.c3.closed_at is not None and data.c3.status == "monitoring"
    cases = selectors.case_indicators(actor=Actor(w.vp), filters=term_filters(w))
    assert cases["open"] == 2  # C1, C3
    assert cases["closed"] == 2  # C2, C5 — not C3
    assert cases["outcome_resolved"] == 0  # C3's first outcome no longer counts; C4 closed before the term
    listed = {c.pk: c for c in selectors.case_list(actor=Actor(w.vp), filters=term_filters(w))}
    assert data.c3.pk in listed


class TestTriageSchoolDays:
    FRI = datetime.date(2026, 11, 6)

    def pairs(self, *triaged_days, filed=None):
        """(filed on, triaged on, how many) rows, as triage_pairs() gives them."""
        filed = filed or at(2026, 11, 6, 14)
        return [(timezone.localdate(filed), timezone.localdate(at(2026, 11, day, 9)), 1) for day in triaged_days]

    def calendar(self, world, days_per_week=5, holidays=()):
        world.school.school_days_per_week = days_per_week
        return SchoolCalendar(world.school, holidays=holidays)

    def test_triaged_on_a_weekend_counts_as_the_next_school_day(self, world):
        # Filed Friday; triaged Saturday, Sunday or Monday: all 1 school day.
        for day in (7, 8, 9):
            result = selectors.triage_times(pairs=self.pairs(day), calendar=self.calendar(world), today=TODAY)
            assert result["median"] == 1, day

    def test_filed_on_a_weekend_counts_from_the_next_school_day(self, world):
        pairs = [(datetime.date(2026, 11, 8), datetime.date(2026, 11, 9), 1)]  # Sunday → Monday
        assert selectors.triage_times(pairs=pairs, calendar=self.calendar(world), today=TODAY)["median"] == 0

    def test_six_day_week_counts_saturday(self, world):
        calendar = self.calendar(world, days_per_week=6)
        assert selectors.triage_times(pairs=self.pairs(7), calendar=calendar, today=TODAY)["median"] == 1
        # Sunday is not a school day: counted as Monday, 2 school days after Friday.
        assert selectors.triage_times(pairs=self.pairs(8), calendar=calendar, today=TODAY)["median"] == 2

    def test_holidays_are_skipped(self, world):
        calendar = self.calendar(world, holidays={datetime.date(2026, 11, 9)})
        # Triaged on the Monday holiday: counted as Tuesday, 1 school day after Friday.
        assert selectors.triage_times(pairs=self.pairs(9), calendar=calendar, today=TODAY)["median"] == 1

    def test_holiday_rows_are_used_by_the_report(self, data):
        # A holiday on Tue 10 Nov moves R3 (Mon 9 → Fri 13) from 4 to 3 school days.
        w = data.world
        Holiday.objects.create(school=w.school, date=datetime.date(2026, 11, 10), name="Hari Pahlawan")
        got = values(report_for(w, data.cats))
        assert got["triage_p90"] == pytest.approx(1 + 0.7 * 2)
        assert got["triage_within_target"] == 80.0  # 4 of 5

    def test_waiting_referrals_become_late_after_three_school_days(self, world):
        calendar = self.calendar(world)
        waiting = [(datetime.date(2026, 11, 16), None, 1)]  # Monday
        thursday, friday = datetime.date(2026, 11, 19), datetime.date(2026, 11, 20)
        assert selectors.triage_times(pairs=waiting, calendar=calendar, today=thursday)["target_base"] == 0
        assert selectors.triage_times(pairs=waiting, calendar=calendar, today=friday)["late_waiting"] == 1


def test_percentile_interpolates_like_percentile_cont():
    assert selectors.percentile({}, 0.5) is None
    assert selectors.percentile({3: 1}, 0.9) == 3
    assert selectors.percentile({1: 1, 2: 1}, 0.5) == 1.5
    assert selectors.percentile({5: 1, 1: 1, 3: 1}, 0.5) == 3
    assert selectors.percentile(dict.fromkeys(range(11), 1), 0.9) == pytest.approx(9.0)
    # Counts stand for repeated values: 0, 0, 0, 4 → median 0, p90 2.8.
    assert selectors.percentile({0: 3, 4: 1}, 0.5) == 0
    assert selectors.percentile({0: 3, 4: 1}, 0.9) == pytest.approx(2.8)


def test_triage_pairs_are_counted_per_date_pair_in_the_database(data):
    """The query's size follows the dates, not the referrals: two more
    referrals filed and triaged on the same days add no row."""
    w = data.world
    before = selectors.triage_pairs(actor=Actor(w.vp), filters=term_filters(w))
    filed_on, triaged_on, n = next(row for row in before if row[1] is not None)
    model = next(
        r
        for r in Referral.objects.filter(school=w.school, triaged_at__isnull=False).order_by("pk")
        if (timezone.localdate(r.submitted_at), timezone.localdate(r.triaged_at)) == (filed_on, triaged_on)
    )
    for _ in range(2):
        rf.referral(
            model.student, model.referred_by, filed=model.submitted_at, status=model.status, triaged=model.triaged_at
        )
    after = selectors.triage_pairs(actor=Actor(w.vp), filters=term_filters(w))
    assert len(after) == len(before)
    assert (filed_on, triaged_on, n + 2) in after


def test_filters_narrow_every_group(data):
    w, cats = data.world, data.cats
    grade8 = values(report_for(w, cats, grade=8))
    assert grade8["referrals_received"] == 3  # R3 R4 R7
    assert grade8["open_cases"] == 0  # C2 C4 C5 are closed
    assert grade8["cases_closed"] == 2  # C2 C5
    assert grade8["referring_teachers"] == 1

    maths = values(report_for(w, cats, subject=w.maths))
    assert maths["referrals_received"] == 5  # R1 R3 R5 R6 R7
    # Cases through their referrals: C1 (R1) and C2 (R3).
    assert maths["open_cases"] == 1
    assert maths["cases_closed"] == 1
    assert maths["case_conferences"] == 2

    emotional = values(report_for(w, cats, category=cats.emotional))
    assert emotional["referrals_received"] == 3  # R3 R6 R10
    assert emotional["open_cases"] == 0  # only C2 (via R3), closed

    class_a = values(report_for(w, cats, classroom=w.class_a))
    assert class_a["referrals_received"] == 5  # R1 R2 R5 R6 R10
    assert class_a["overdue_follow_ups"] == 2  # C1, C3 (student_c is in VII-A)


def test_date_range_is_in_the_school_time_zone(data):
    """R10 was filed at 00:30 on Sunday 1 Nov in Jakarta (still 31 Oct in UTC)."""
    w = data.world
    october = ReportFilters(school=w.school, date_from=datetime.date(2026, 10, 1), date_to=datetime.date(2026, 10, 31))
    november = ReportFilters(school=w.school, date_from=datetime.date(2026, 11, 1), date_to=datetime.date(2026, 11, 1))
    assert selectors.referral_indicators(actor=Actor(w.vp), filters=october)["received"] == 0
    assert selectors.referral_indicators(actor=Actor(w.vp), filters=november)["received"] == 1


def test_charts(data):
    w, cats = data.world, data.cats
    report = report_for(w, cats)
    months = report.charts["months"]
    assert [label for _key, label in months.columns] == ["Low achievement", "Attendance", "Emotional"]
    assert [row["label"] for row in months.rows] == [datetime.date(2026, m, 1) for m in range(7, 13)]
    november = months.rows[4]
    # Low: R1 R2 R5 R7; attendance: R1 R4; emotional: R3 R6 R10 (R10 in Jakarta time).
    assert november["total"] == 8
    assert november["values"] == [4, 2, 3]

    groups = report.charts["groups"]
    assert [(row["label"], row["total"], row["values"]) for row in groups.rows] == [
        ("Grade 7", 5, [3, 1, 2]),  # R1 R2 R5 R6 R10
        ("Grade 8", 3, [1, 1, 1]),  # R3 R4 R7
    ]
    by_class = report_for(w, cats, breakdown="classroom").charts["groups"]
    assert [row["label"] for row in by_class.rows] == ["VII-A", "VIII-B"]

    subjects = {row["label"]: row["total"] for row in report.charts["subjects"].rows}
    assert subjects == {"Matematika": 5, "Bahasa Indonesia": 1, "No subject given": 2}

    outcomes = {str(row["label"]): row["total"] for row in report.charts["outcomes"].rows}
    assert outcomes["Improved"] == 1 and outcomes["No change"] == 1 and outcomes["Resolved"] == 0

    workload = {row["label"]: row["total"] for row in report.charts["workload"].rows}
    assert workload == {"Dewi Kartika": 2, "Agus Salim": 0}


def test_case_list_and_concerns(data):
    w, cats = data.world, data.cats
    cases = list(selectors.case_list(actor=Actor(w.vp), filters=term_filters(w)))
    # Open at some time in the term: C1 C2 C3 C5 (C4 closed in June; other school out).
    assert {c.pk for c in cases} == {data.c1.pk, data.c2.pk, data.c3.pk, data.c5.pk}
    concerns = selectors.case_concerns([c.pk for c in cases], [cats.low, cats.attendance, cats.emotional])
    assert concerns == {data.c1.pk: ["Low achievement", "Attendance"], data.c2.pk: ["Emotional"]}


def test_other_schools_are_never_counted(data):
    w = data.world
    outsider_report = build_report(
        actor=Actor(w.outsider),
        filters=ReportFilters(
            school=w.other_school, date_from=datetime.date(2026, 7, 1), date_to=datetime.date(2026, 12, 31)
        ),
        categories=[],
        today=TODAY,
        now=NOW,
    )
    got = values(outsider_report)
    assert got["referrals_received"] == 1
    assert got["open_cases"] == 1
    assert got["case_conferences"] == 1
    assert got["overdue_follow_ups"] == 1


def test_default_period_is_the_current_term_else_the_last_90_days(world):
    term, start, end = default_period(world.school)
    assert (term, start, end) == (world.term, world.term.starts_on, world.term.ends_on)
    world.term.is_current = False
    world.term.save()
    term, start, end = default_period(world.school, today=TODAY)
    assert term is None
    assert end == TODAY and (end - start).days == 89


def test_referrals_naming_no_concern_get_their_own_column(data):
    w = data.world
    rf.referral(w.student_b, w.other_teacher, filed=at(2026, 12, 1))
    report = report_for(w, data.cats)
    months = report.charts["months"]
    assert months.columns[-1] == ("cat_none", "No concern named")
    assert months.rows[5]["values"] == [0, 0, 0, 1] and months.rows[5]["total"] == 1
    assert report.charts["groups"].rows[1]["values"] == [1, 1, 1, 1]
