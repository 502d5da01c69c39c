"""The report's queries. Each function is one query (one group of indicators
or one chart) and counts in the database; none grows with the data.

Scope starts from the models (Referral/Case.objects.visible_to(actor)), then the
report filters narrow it:
- referrals: filed (created_at) in the period; grade and class through the
  student's current class; subject; a concern among the referral's concerns.
- cases: grade and class through the student's current class; subject and
  concern through the referrals the case came from. Each indicator then says
  which dates it looks at (opened, closed, meeting time, entry date).
"""

import datetime
import math

from django.db.models import CharField, Count, Exists, F, Func, IntegerField, OuterRef, Q, StringAgg, Subquery, Value
from django.db.models.functions import Abs, Cast, Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from accounts.models import Membership, Role, User
from casework.models import Case, CaseStatus, EvaluationEntry, Goal, Meeting, MeetingKind, Outcome
from referrals.models import EventKind, Referral, ReferralEvent, Status
from roster.models import School
from roster.schooldays import TRIAGE_DEADLINE_SCHOOL_DAYS

CategoryLink = Referral.categories.through

# A counselor answered the teacher: asked for more information, accepted the
# referral (into a new or the student's open case) or declined it.
FEEDBACK_EVENT_KINDS = (EventKind.INFO_REQUESTED, EventKind.ACCEPTED, EventKind.JOINED_CASE, EventKind.DECLINED)
FEEDBACK_STATUSES = (Status.NEEDS_INFO, Status.ACCEPTED, Status.DECLINED)
GOOD_OUTCOMES = (Outcome.RESOLVED, Outcome.IMPROVED)


# -- scope ---------------------------------------------------------------


def _student_filters(qs, filters, prefix):
    if filters.grade is not None:
        qs = qs.filter(**{f"{prefix}student__classroom__grade": filters.grade})
    if filters.classroom is not None:
        qs = qs.filter(**{f"{prefix}student__classroom": filters.classroom})
    return qs


def referrals_in_scope(*, actor, filters):
    qs = Referral.objects.visible_to(actor).filter(created_at__gte=filters.starts_at, created_at__lt=filters.ends_at)
    qs = _student_filters(qs, filters, "")
    if filters.subject is not None:
        qs = qs.filter(subject=filters.subject)
    if filters.category is not None:
        qs = qs.filter(Exists(CategoryLink.objects.filter(referral=OuterRef("pk"), concerncategory=filters.category)))
    return qs


def cases_in_scope(*, actor, filters):
    """Cases matching the filters, whatever their dates."""
    qs = _student_filters(Case.objects.visible_to(actor), filters, "")
    if filters.subject is not None:
        qs = qs.filter(Exists(Referral.objects.filter(case=OuterRef("pk"), subject=filters.subject)))
    if filters.category is not None:
        qs = qs.filter(
            Exists(CategoryLink.objects.filter(referral__case=OuterRef("pk"), concerncategory=filters.category))
        )
    return qs


# -- indicator groups (one query each) -------------------------------------


def referral_indicators(*, actor, filters):
    """Referrals received, with feedback, and how many teachers referred."""
    answered = Exists(ReferralEvent.objects.filter(referral=OuterRef("pk"), kind__in=FEEDBACK_EVENT_KINDS))
    qs = referrals_in_scope(actor=actor, filters=filters).annotate(answered=answered)
    # The status first: PostgreSQL then asks for events only of the referrals it does not settle.
    has_feedback = Q(status__in=FEEDBACK_STATUSES) | Q(answered=True)
    return qs.aggregate(
        received=Count("id"),
        with_feedback=Count("id", filter=has_feedback),
        # Withdrawn by the teacher before anyone answered: no feedback was due.
        withdrawn_unanswered=Count("id", filter=Q(status=Status.WITHDRAWN) & ~has_feedback),
        referring_teachers=Count("referred_by", distinct=True),
    )


def triage_pairs(*, actor, filters):
    """[(filed on, triaged on or None, how many)]: the period's referrals that
    were triaged (accepted or declined) or are waiting in the queue, counted
    by the database per pair of dates in the school's time zone. One query,
    and its size follows the calendar (a few hundred date pairs a term), not
    the number of referrals; triage_times() turns each pair into school days,
    which follow the school's own calendar.

    The clock runs from the latest submission, as in the triage queue: when a
    counselor asks for more information, it starts again when the teacher
    resubmits (referrals.services.referral_resubmit)."""
    qs = referrals_in_scope(actor=actor, filters=filters).filter(
        Q(triaged_at__isnull=False) | Q(status=Status.SUBMITTED)
    )
    by_dates = qs.annotate(filed_on=TruncDate("submitted_at"), triaged_on=TruncDate("triaged_at"))
    return list(by_dates.order_by().values_list("filed_on", "triaged_on").annotate(n=Count("id")))


def case_indicators(*, actor, filters):
    """Open cases, cases opened and closed in the period, and outcomes."""
    start, end = filters.starts_at, filters.ends_at
    closed_in_period = Q(status=CaseStatus.CLOSED, closed_at__gte=start, closed_at__lt=end)
    outcomes = {f"outcome_{value}": Count("id", filter=closed_in_period & Q(outcome=value)) for value in Outcome.values}
    return cases_in_scope(actor=actor, filters=filters).aggregate(
        # A reopened case counts by its status now: open, not closed.
        open=Count("id", filter=~Q(status=CaseStatus.CLOSED) & Q(opened_at__lt=end)),
        opened=Count("id", filter=Q(opened_at__gte=start, opened_at__lt=end)),
        closed=Count("id", filter=closed_in_period),
        closed_good=Count("id", filter=closed_in_period & Q(outcome__in=GOOD_OUTCOMES)),
        **outcomes,
    )


def cases_open_in_period(*, actor, filters):
    """Cases matching the filters that were open at some time in the period.
    An entry dated in the period, or a goal measured in it, belongs to one of
    them (entries are written on open cases and dated from the case's opening),
    so the queries below read those cases' rows, not the school's whole history."""
    qs = cases_in_scope(actor=actor, filters=filters).filter(opened_at__lt=filters.ends_at)
    return qs.filter(~Q(status=CaseStatus.CLOSED) | Q(closed_at__gte=filters.starts_at))


def _scalar(qs, expression):
    """A scalar subquery: one aggregate over ``qs``, for a one-row query."""
    return Subquery(qs.order_by().annotate(value=expression).values("value")[:1])


def entry_indicators(*, actor, filters, today):
    """Overdue follow-ups (as of today, on the cases not closed) and how many
    teachers wrote evaluation entries dated in the period. One query of two
    subqueries, each reading only the rows it counts (index entry_open_follow_up,
    entry_case_date)."""
    school = filters.school
    open_now = cases_in_scope(actor=actor, filters=filters).exclude(status=CaseStatus.CLOSED).values("id")
    overdue = EvaluationEntry.objects.filter(
        case__in=open_now, next_follow_up__lt=today, follow_up_done_at__isnull=True
    )
    teachers = Membership.objects.filter(school=school, role=Role.TEACHER).values("user")
    counselors = Membership.objects.filter(school=school, role=Role.COUNSELOR).values("user")
    by_teachers = EvaluationEntry.objects.filter(
        case__in=cases_open_in_period(actor=actor, filters=filters).values("id"),
        date__gte=filters.date_from,
        date__lte=filters.date_to,
        author__in=teachers,
    ).exclude(author__in=counselors)
    count = Func(F("id"), function="COUNT", output_field=IntegerField())
    distinct_authors = Func(
        F("author"), function="COUNT", template="%(function)s(DISTINCT %(expressions)s)", output_field=IntegerField()
    )
    row = (
        School.objects.filter(pk=school.pk)
        .annotate(overdue=_scalar(overdue, count), entry_teachers=_scalar(by_teachers, distinct_authors))
        .values("overdue", "entry_teachers")
        .first()
    )
    return row or {"overdue": 0, "entry_teachers": 0}


def meeting_indicators(*, actor, filters, now):
    """Case conferences held: in the period and already begun."""
    until = min(filters.ends_at, now)
    return Meeting.objects.filter(
        case__in=cases_in_scope(actor=actor, filters=filters).values("id"),
        kind=MeetingKind.CASE_CONFERENCE,
        starts_at__gte=filters.starts_at,
        starts_at__lt=until,
    ).aggregate(held=Count("id"), cases=Count("case", distinct=True))


def goal_indicators(*, actor, filters):
    """Goals measured in the period whose latest measured value (up to the
    end of the period) is closer to the target than the baseline was. Works
    for targets above and below the baseline."""
    measured = EvaluationEntry.objects.filter(
        goal=OuterRef("pk"), measured_value__isnull=False, date__lte=filters.date_to
    )
    latest = Subquery(measured.order_by("-date", "-id").values("measured_value")[:1])
    qs = (
        Goal.objects.filter(
            case__in=cases_open_in_period(actor=actor, filters=filters).values("id"),
            baseline__isnull=False,
            target__isnull=False,
        )
        .filter(Exists(measured.filter(date__gte=filters.date_from)))
        .annotate(latest=latest)
        .annotate(gap_now=Abs(F("latest") - F("target")), gap_before=Abs(F("baseline") - F("target")))
    )
    return qs.aggregate(measured=Count("id"), moved=Count("id", filter=Q(gap_now__lt=F("gap_before"))))


def counselor_workload(*, actor, filters):
    """Open cases (matching the filters) per lead counselor: every counselor
    of the school, also those with none, and anyone else still leading one."""
    open_cases = cases_in_scope(actor=actor, filters=filters).exclude(status=CaseStatus.CLOSED)
    open_cases = open_cases.filter(opened_at__lt=filters.ends_at)
    count = open_cases.filter(lead_counselor=OuterRef("pk")).order_by().values("lead_counselor")
    count = count.annotate(n=Count("id")).values("n")
    counselors = Membership.objects.filter(school=filters.school, role=Role.COUNSELOR).values("user")
    qs = User.objects.filter(Q(id__in=counselors) | Q(id__in=open_cases.values("lead_counselor")))
    qs = qs.annotate(open_cases=Coalesce(Subquery(count), Value(0)))
    return list(qs.order_by("-open_cases", "full_name", "id").values("id", "full_name", "username", "open_cases"))


# -- charts (one query each) -------------------------------------------------


def _concerns_of_each_referral():
    """The ids of a referral's concerns as one string ("3,7"; NULL for none),
    read per referral through the link table's (referral, concern) index:
    the charts start from the school's referrals in the period and never
    scan the link table of every school."""
    links = (
        CategoryLink.objects.filter(referral_id=OuterRef("pk"))
        .order_by()
        .values("referral_id")
        .annotate(ids=StringAgg(Cast("concerncategory_id", CharField()), delimiter=Value(",")))
        .values("ids")
    )
    return Subquery(links, output_field=CharField())


def _per_category(qs, keys, categories):
    """Referrals per group and concern (and with none named). The database
    counts the referrals of each group and combination of concerns (GROUP BY
    the group and the concern ids, a few rows per group); the rows are then
    added up per concern here, so a referral naming several concerns counts
    once under each."""
    rows = qs.annotate(concerns=_concerns_of_each_referral()).values(*keys, "concerns").annotate(n=Count("id"))
    wanted = {str(c.pk): f"cat_{c.pk}" for c in categories}
    groups = {}
    for row in rows:
        key = tuple(row[k] for k in keys)
        group = groups.get(key)
        if group is None:
            group = groups[key] = {k: row[k] for k in keys}
            group.update(dict.fromkeys(wanted.values(), 0), cat_none=0, total=0)
        group["total"] += row["n"]
        if not row["concerns"]:
            group["cat_none"] += row["n"]
            continue
        for category_id in row["concerns"].split(","):
            if category_id in wanted:
                group[wanted[category_id]] += row["n"]
    return groups


def _sort_key(value):
    return (value is None, value)


def referrals_by_month(*, actor, filters, categories):
    qs = referrals_in_scope(actor=actor, filters=filters).order_by().annotate(month=TruncMonth("created_at"))
    groups = _per_category(qs, ("month",), categories)
    return [groups[key] for key in sorted(groups, key=lambda key: _sort_key(key[0]))]


def referrals_by_group(*, actor, filters, categories):
    """Referrals per grade (or per class) and concern."""
    qs = referrals_in_scope(actor=actor, filters=filters).order_by()
    if filters.breakdown == "classroom":
        keys = ("student__classroom__grade", "student__classroom__name")
    else:
        keys = ("student__classroom__grade",)
    groups = _per_category(qs, keys, categories)
    return [groups[key] for key in sorted(groups, key=lambda key: tuple(_sort_key(v) for v in key))]


def referrals_by_subject(*, actor, filters):
    qs = referrals_in_scope(actor=actor, filters=filters).order_by().values("subject__name")
    return list(qs.annotate(n=Count("id")).order_by("-n", "subject__name"))


# -- the case list -------------------------------------------------------------


def case_list(*, actor, filters):
    """Cases that were open at some time in the period. Only the columns the
    list shows are loaded: never summaries, assessments or notes."""
    start, end = filters.starts_at, filters.ends_at
    qs = cases_in_scope(actor=actor, filters=filters).filter(opened_at__lt=end)
    qs = qs.filter(~Q(status=CaseStatus.CLOSED) | Q(closed_at__gte=start))
    return (
        qs.select_related("student__classroom", "lead_counselor")
        .only(
            "id",
            "year",
            "sequence",
            "status",
            "outcome",
            "opened_at",
            "closed_at",
            "student__full_name",
            "student__classroom__name",
            "lead_counselor__full_name",
            "lead_counselor__username",
        )
        .order_by("-opened_at", "-id")
    )


def case_concerns(case_ids, categories):
    """{case id: [concern labels]} for the given cases (ids or a values("id")
    queryset), in one query; `categories` are the school's, in order."""
    pairs = set(
        CategoryLink.objects.filter(referral__case_id__in=case_ids).values_list(
            "referral__case_id", "concerncategory_id"
        )
    )
    concerns = {}
    for category in categories:
        for case_id, category_id in pairs:
            if category_id == category.pk:
                concerns.setdefault(case_id, []).append(str(category))
    return concerns


# -- the referral list ---------------------------------------------------------


def referral_list(*, actor, filters):
    """The period's referrals, newest first, with their student's class and
    linked case. Only the columns the table shows are loaded: never what the
    teacher observed, the student's name or any note."""
    return (
        referrals_in_scope(actor=actor, filters=filters)
        .select_related("student__classroom", "case")
        .only(
            "id",
            "status",
            "urgency",
            "created_at",
            "submitted_at",
            "triaged_at",
            "student__classroom__name",
            "case__id",
            "case__year",
            "case__sequence",
            "case__status",
            "case__outcome",
        )
        .order_by("-created_at", "-id")
    )


def referral_concerns(referral_ids, categories):
    """{referral id: [concern labels]} for the given referrals (ids or a
    values("id") queryset), in one query; `categories` in the school's order."""
    pairs = set(
        CategoryLink.objects.filter(referral_id__in=referral_ids).values_list("referral_id", "concerncategory_id")
    )
    concerns = {}
    for category in categories:
        for referral_id, category_id in sorted(pairs):
            if category_id == category.pk:
                concerns.setdefault(referral_id, []).append(str(category))
    return concerns


# -- school days (Python, on the one query's date pairs) -----------------------


def percentile(counts, fraction):
    """The percentile of values given as {value: how many}, by linear
    interpolation between closest ranks as PostgreSQL's percentile_cont: the
    median of 1 and 2 is 1.5."""
    total = sum(counts.values())
    if not total:
        return None
    rank = (total - 1) * fraction
    low = math.floor(rank)
    high = min(low + 1, total - 1)
    value_at = {}
    seen = 0
    for value in sorted(counts):
        for wanted in (low, high):
            if seen <= wanted < seen + counts[value]:
                value_at[wanted] = value
        seen += counts[value]
    return value_at[low] + (value_at[high] - value_at[low]) * (rank - low)


def next_school_day(calendar, day):
    """The day itself if school is in, else the next school day."""
    return day if calendar.is_school_day(day) else calendar.add(day, 1)


def school_days_to_triage(calendar, filed_on, triaged_on):
    """School days after the (latest) filing day up to and including the
    triage day; both moved to the next school day when school is out."""
    return calendar.days_between(next_school_day(calendar, filed_on), next_school_day(calendar, triaged_on))


def triage_times(*, pairs, calendar, today):
    """School days from filing to triage, per triaged referral.

    Both ends are dates in the school's time zone, moved to the next school
    day when they fall on a weekend or holiday: a referral triaged on Saturday
    counts as triaged on Monday, and one filed on Sunday as filed on Monday.
    The count is the school days after the filing day up to and including the
    triage day, so triage on the day of filing is 0 days.

    The share within the target counts referrals still waiting for longer
    than the target as late; those still waiting within it are not counted
    yet either way.
    """
    target = TRIAGE_DEADLINE_SCHOOL_DAYS
    days = {}  # school days to triage: how many referrals
    late_waiting = 0
    today = next_school_day(calendar, today)
    for filed_on, triaged_on, n in pairs:
        filed = next_school_day(calendar, filed_on)
        if triaged_on is not None:
            taken = school_days_to_triage(calendar, filed, triaged_on)
            days[taken] = days.get(taken, 0) + n
        elif calendar.days_between(filed, today) > target:
            late_waiting += n
    triaged = sum(days.values())
    return {
        "triaged": triaged,
        "median": percentile(days, 0.5),
        "p90": percentile(days, 0.9),
        "within_target": sum(n for taken, n in days.items() if taken <= target),
        "target_base": triaged + late_waiting,
        "late_waiting": late_waiting,
    }


def months_between(first: datetime.date, last: datetime.date):
    """The first day of every month from first to last."""
    month = first.replace(day=1)
    while month <= last:
        yield month
        month = (month + datetime.timedelta(days=32)).replace(day=1)


# -- change in the measured outcome (goals measured from school records) ------


def measured_outcome_change(*, actor, filters, categories):
    """For the cases closed in the period, the change in each goal measured
    from the school's records (issue #15): its last value up to the closing
    less its value at the referral (the goal's baseline, else its first value),
    averaged per concern of the case's referrals. Two queries."""
    closed = cases_in_scope(actor=actor, filters=filters).filter(
        status=CaseStatus.CLOSED, closed_at__gte=filters.starts_at, closed_at__lt=filters.ends_at
    )
    rows = (
        EvaluationEntry.objects.filter(case__in=closed.values("id"), measured_value__isnull=False)
        .exclude(goal__measure="")
        .exclude(goal__isnull=True)
        .order_by("date", "id")
        .values_list(
            "case_id", "goal_id", "goal__measure", "goal__baseline", "measured_value", "date", "case__closed_at"
        )
    )
    series = {}
    for case_id, goal_id, measure, baseline, value, day, closed_at in rows:
        if closed_at is not None and day > timezone.localdate(closed_at):
            continue
        entry = series.setdefault(goal_id, {"case": case_id, "measure": measure, "start": baseline, "end": None})
        if entry["start"] is None:
            entry["start"] = value
        entry["end"] = value
    changes = [g for g in series.values() if g["start"] is not None and g["end"] is not None]
    case_ids = {g["case"] for g in changes}
    pairs = (
        CategoryLink.objects.filter(referral__case_id__in=case_ids).values_list(
            "referral__case_id", "concerncategory_id"
        )
        if case_ids
        else []
    )
    concerns = {}
    for case_id, category_id in set(pairs):
        concerns.setdefault(case_id, set()).add(category_id)
    result = []
    for category in [*categories, None]:
        mine = [
            g
            for g in changes
            if (category is None and not concerns.get(g["case"]))
            or (category and category.pk in concerns.get(g["case"], ()))
        ]
        if not mine:
            continue
        row = {"label": str(category) if category else None, "cases": len({g["case"] for g in mine})}
        for measure in ("scores", "attendance"):
            diffs = [g["end"] - g["start"] for g in mine if g["measure"] == measure]
            row[measure] = round(sum(diffs) / len(diffs), 1) if diffs else None
            row[f"{measure}_goals"] = len(diffs)
        result.append(row)
    return result
