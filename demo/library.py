"""The demo school's intervention library, and a case planned from it whose
last four quiz scores fall below the aim line, with sessions ticked held and
not held: the counselor's caseload says "needs a decision"."""

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.policy import Actor
from casework.models import ActionSession, Case, CaseStatus, EvaluationEntry, Goal, TeamRole
from interventions import services
from interventions.models import Group, Strategy, StrategyUse

# Days ago, and the quiz score: all four below the line from 50 to 75.
SCORES = [(32, Decimal(50)), (24, Decimal(52)), (16, Decimal(51)), (8, Decimal(53))]
# Days ago of the sessions of "twice a week"; the rest were not held.
HELD = [36, 33, 29, 26, 22, 19, 15, 12, 5, 1]


def seed(school):
    services.library_install(school=school)
    if StrategyUse.objects.filter(strategy__school=school).exists():
        return
    case = _lagging_case(school)
    if case is not None:
        seed_group(school, case)


def _lagging_case(school):
    case = (
        Case.objects.for_school(school)
        .filter(status=CaseStatus.ACTIVE, lead_counselor__username__endswith="counselor")
        .order_by("opened_at", "id")
        .first()
    )
    if case is None:
        return
    counselor = Actor(case.lead_counselor)
    member = case.members.filter(role__in=[TeamRole.REFERRING_TEACHER, TeamRole.SUBJECT_TEACHER]).first()
    teacher = member.user if member else case.lead_counselor
    strategy = Strategy.objects.get(school=school, key="prerequisite-reteach")
    today = timezone.localdate()
    began = today - datetime.timedelta(days=40)
    action = services.plan_from_strategy(
        case=case,
        actor=counselor,
        strategy=strategy,
        statement="Nilai kuis pecahan naik ke 75",
        indicator="Nilai kuis singkat pecahan",
        baseline=Decimal(50),
        target=Decimal(75),
        unit="poin",
        target_date=began + datetime.timedelta(days=70),
        description="Mengajar ulang pecahan sebelum pelajaran (pengulangan prasyarat)",
        responsible=teacher,
        frequency="2 kali seminggu, 20 menit, selama 10 minggu",
        sessions_per_week=2,
        starts_on=began,
        ends_on=began + datetime.timedelta(days=70),
    )
    Goal.objects.filter(pk=action.goal_id).update(created_at=timezone.now() - datetime.timedelta(days=40))
    EvaluationEntry.objects.bulk_create(
        [
            EvaluationEntry(
                case=case,
                author=teacher,
                goal_id=action.goal_id,
                action=action,
                date=today - datetime.timedelta(days=days),
                measured_value=value,
                note="Kuis singkat pecahan di kelas.",
            )
            for days, value in SCORES
        ]
    )
    ActionSession.objects.bulk_create(
        [ActionSession(action=action, date=today - datetime.timedelta(days=d), recorded_by=teacher) for d in HELD]
        + [
            ActionSession(
                action=action,
                date=today - datetime.timedelta(days=8),
                held=False,
                reason="Ulangan tengah semester",
                recorded_by=teacher,
            )
        ]
    )
    return case


def seed_group(school, case):
    """A remedial maths group run by the case's subject teacher, with the
    case's student and two more students of the same class, and three sessions."""
    if Group.objects.for_school(school).exists():
        return
    counselor = Actor(case.lead_counselor)
    member = case.members.filter(role__in=[TeamRole.REFERRING_TEACHER, TeamRole.SUBJECT_TEACHER]).first()
    leader = member.user if member else case.lead_counselor
    today = timezone.localdate()
    group = services.group_create(
        actor=counselor,
        name="Remedial matematika (pecahan)",
        leader=leader,
        strategy=Strategy.objects.filter(school=school, key="prerequisite-reteach").first(),
        frequency="Kamis, jam ke-8",
        sessions_per_week=1,
        measure="Nilai kuis pecahan",
    )
    others = list(
        Case.objects.for_school(school)
        .filter(status__in=[CaseStatus.ACTIVE, CaseStatus.MONITORING])
        .exclude(pk=case.pk)
        .order_by("opened_at", "id")[:2]
    )
    members = []
    joined = today - datetime.timedelta(days=22)
    for c in [case, *others]:
        goal = c.goals.order_by("created_at", "id").first()
        members.append(services.group_add_member(group=group, actor=counselor, case=c, goal=goal, joined_on=joined))
    for days, values in [(21, (48, 55, 60)), (14, (50, 57, None)), (7, (52, 58, 63))]:
        rows = [
            (m, value is not None, Decimal(value) if value is not None and m.goal_id else None)
            for m, value in zip(members, values, strict=False)
        ]
        services.group_record_session(
            group=group,
            actor=Actor(leader),
            date=today - datetime.timedelta(days=days),
            rows=rows,
            note="Latihan pecahan senilai dan operasi hitung.",
        )
