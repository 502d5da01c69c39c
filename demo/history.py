"""Years of history for the demo school: `seed_demo --history YEARS`.

What a school that has used Sinergi for a few years holds, for the page
benchmark (scripts/bench.py, `make bench`) and for checking query plans: per
year about 6,700 referrals in every state, 3,000 cases (mostly closed) with
their team, goals, actions, meetings, evaluation entries (follow-ups done and
some forgotten), confidential notes, timeline events, notifications and audit
rows. Today's work is there too: about 60 cases still open and about 40
referrals waiting for triage, and one open case of `counselor` with a long
history (200 entries, 500 timeline events).

Bulk inserts only (no services, no signals): three years take well under two
minutes on PostgreSQL. Deterministic: the same rows (dates relative to today)
from a fixed random seed. Idempotent: a school that already has more than
1,000 referrals is left alone.
"""

import contextlib
import datetime
import random
from decimal import Decimal

from django.utils import timezone

from accounts.models import Membership, Role, User
from audit.models import AuditAction, AuditEvent, ObjectType
from casework.models import (
    Action,
    ActionStatus,
    Case,
    CaseEvent,
    CaseEventKind,
    CaseMember,
    CaseStatus,
    ConfidentialNote,
    EntryKind,
    EvaluationEntry,
    EvaluationRating,
    Goal,
    Meeting,
    MeetingKind,
    Outcome,
    TeamRole,
)
from notifications.models import Notification, NotificationKind
from referrals.models import ConcernCategory, EventKind, Referral, ReferralEvent, Since, Status, Urgency
from roster.models import Student, Subject

REFERRALS_PER_YEAR = 6700
CASES_PER_YEAR = 3000
ENTRIES_PER_CASE = 5
OPEN_CASES = 60
WAITING_REFERRALS = 40
LONG_CASE_ENTRIES = 200
LONG_CASE_EVENTS = 500
BATCH = 2000
MARKER = 1000  # more referrals than this: the history is there

OBSERVATIONS = [
    "Nilai ulangan harian turun dan sering tidak menyelesaikan latihan.",
    "Sering tidak masuk pada hari Senin tanpa keterangan.",
    "Menyendiri saat kerja kelompok dan tidak mau bicara.",
    "Kesulitan membaca soal cerita; jawaban tidak sesuai pertanyaan.",
    "Sering mengganggu teman dan keluar kelas tanpa izin.",
    "Tidak mengumpulkan tugas selama beberapa minggu.",
]
NOTES = [
    "Siswa mulai mengerjakan latihan sampai selesai.",
    "Belum ada perubahan; orang tua sudah dihubungi.",
    "Kehadiran membaik minggu ini.",
    "Sesi konseling membahas kebiasaan belajar di rumah.",
]


@contextlib.contextmanager
def _own_timestamps(*fields):
    """Let bulk_create keep the dates we give (auto_now_add would set now)."""
    saved = [(f, f.auto_now_add, f.auto_now) for f in fields]
    for f in fields:
        f.auto_now_add = f.auto_now = False
    try:
        yield
    finally:
        for f, add, now in saved:
            f.auto_now_add, f.auto_now = add, now


def _field(model, name):
    return model._meta.get_field(name)


def seed(school, years):
    if years < 1 or Referral.objects.filter(school=school).count() > MARKER:
        return 0
    rng = random.Random(2024 + school.pk)
    now = timezone.now().replace(microsecond=0)
    today = timezone.localdate(now)
    start = now - datetime.timedelta(days=365 * years)
    span = (now - start).total_seconds()

    def at(fraction):
        return start + datetime.timedelta(seconds=int(span * fraction))

    people = {m.user.username: m.user for m in Membership.objects.filter(school=school).select_related("user")}
    by_role = {}
    for user_id, role in Membership.objects.filter(school=school).values_list("user_id", "role"):
        by_role.setdefault(role, []).append(user_id)
    users = {u.pk: u for u in User.objects.filter(pk__in=[u.pk for u in people.values()])}

    def pick(role):
        return users[rng.choice(sorted(by_role[role]))]

    def named(name):
        return next(u for n, u in people.items() if n == name or n.endswith(f"-{name}"))

    counselor, teacher, vp = named("counselor"), named("teacher"), named("vp")
    counselors = [users[pk] for pk in sorted(by_role[Role.COUNSELOR])]
    students = list(Student.objects.filter(school=school, is_active=True).order_by("pk"))
    subjects = list(Subject.objects.filter(school=school).order_by("pk"))
    categories = list(ConcernCategory.objects.filter(school=school).order_by("pk"))
    busy = set(
        Case.objects.filter(school=school).exclude(status=CaseStatus.CLOSED).values_list("student_id", flat=True)
    )
    free = [s for s in students if s.pk not in busy]
    next_sequence = {}
    for year, sequence in Case.objects.filter(school=school).values_list("year", "sequence"):
        next_sequence[year] = max(next_sequence.get(year, 0), sequence)

    # Cases: historic ones closed, the newest OPEN_CASES still open (one per free student).
    n_cases = CASES_PER_YEAR * years
    case_rows = []
    for i in range(n_cases):
        opened = at(i / n_cases * 0.97)
        is_open = i >= n_cases - OPEN_CASES and free
        student = free.pop() if is_open else rng.choice(students)
        lead = counselor if is_open and i % 2 == 0 else rng.choice(counselors)
        closed = None if is_open else min(opened + datetime.timedelta(days=rng.randint(20, 120)), now)
        next_sequence[opened.year] = next_sequence.get(opened.year, 0) + 1
        case_rows.append(
            Case(
                school=school,
                year=opened.year,
                sequence=next_sequence[opened.year],
                student=student,
                lead_counselor=lead,
                status=rng.choice([CaseStatus.OPEN, CaseStatus.ACTIVE, CaseStatus.MONITORING])
                if is_open
                else CaseStatus.CLOSED,
                outcome="" if is_open else rng.choice(Outcome.values),
                summary="Ditangani bersama wali kelas dan guru mata pelajaran.",
                opened_at=opened,
                closed_at=closed,
                updated_at=closed or opened,
            )
        )
    # The long case: open, counselor's, a free student.
    long_student = free.pop()
    next_sequence[now.year] = next_sequence.get(now.year, 0) + 1
    long_opened = now - datetime.timedelta(days=300)
    case_rows.append(
        Case(
            school=school,
            year=now.year,
            sequence=next_sequence[now.year],
            student=long_student,
            lead_counselor=counselor,
            status=CaseStatus.ACTIVE,
            summary="Kasus panjang: pendampingan sepanjang tahun.",
            opened_at=long_opened,
            updated_at=now,
        )
    )
    with _own_timestamps(_field(Case, "opened_at"), _field(Case, "updated_at")):
        cases = Case.objects.bulk_create(case_rows, batch_size=BATCH)
    long_case = cases[-1]

    # Referrals: one accepted per case, the rest declined or withdrawn, the newest waiting.
    n_referrals = REFERRALS_PER_YEAR * years
    referral_rows = []
    for case in cases:
        filed = case.opened_at - datetime.timedelta(hours=rng.randint(4, 90))
        referral_rows.append(_referral(school, rng, case.student, pick(Role.TEACHER), subjects, filed, case=case))
    extra = n_referrals - len(referral_rows)
    for i in range(extra):
        filed = at(i / extra)
        waiting = i >= extra - WAITING_REFERRALS
        status = (
            rng.choice([Status.SUBMITTED, Status.SUBMITTED, Status.NEEDS_INFO])
            if waiting
            else rng.choice([Status.DECLINED, Status.DECLINED, Status.WITHDRAWN])
        )
        referrer = teacher if waiting and i % 4 == 0 else pick(Role.TEACHER)
        referral_rows.append(_referral(school, rng, rng.choice(students), referrer, subjects, filed, status=status))
    for r in referral_rows:
        if r.status != Status.SUBMITTED:
            r.triaged_by = rng.choice(counselors)
            r.triaged_at = r.created_at + datetime.timedelta(hours=rng.randint(2, 96))
    with _own_timestamps(*(_field(Referral, f) for f in ("created_at", "submitted_at", "updated_at"))):
        referrals = Referral.objects.bulk_create(referral_rows, batch_size=BATCH)
    through = Referral.categories.through
    through.objects.bulk_create(
        [through(referral_id=r.pk, concerncategory_id=rng.choice(categories).pk) for r in referrals],
        batch_size=BATCH,
    )
    events = []
    for r in referrals:
        events.append(ReferralEvent(referral=r, actor=r.referred_by, kind=EventKind.SUBMITTED, created_at=r.created_at))
        if r.triaged_at:
            kind = {
                Status.ACCEPTED: EventKind.ACCEPTED,
                Status.DECLINED: EventKind.DECLINED,
                Status.WITHDRAWN: EventKind.WITHDRAWN,
                Status.NEEDS_INFO: EventKind.INFO_REQUESTED,
            }[r.status]
            events.append(ReferralEvent(referral=r, actor=r.triaged_by, kind=kind, created_at=r.triaged_at))
    with _own_timestamps(_field(ReferralEvent, "created_at")):
        ReferralEvent.objects.bulk_create(events, batch_size=BATCH)

    # Each case: team, one goal, two actions, one meeting, entries, events, a note every third case.
    referrer_of = {r.case_id: r.referred_by for r in referrals if r.case_id}
    members, goals = [], []
    for case in cases:
        members.append(
            CaseMember(case=case, user=case.lead_counselor, role=TeamRole.LEAD_COUNSELOR, added_at=case.opened_at)
        )
        if referrer_of[case.pk].pk != case.lead_counselor_id:
            members.append(
                CaseMember(
                    case=case, user=referrer_of[case.pk], role=TeamRole.REFERRING_TEACHER, added_at=case.opened_at
                )
            )
        goals.append(
            Goal(
                case=case,
                statement="Nilai ulangan harian mencapai KKM",
                indicator="Nilai ulangan harian",
                baseline=Decimal(rng.randint(40, 60)),
                target=Decimal(75),
                unit="poin",
                target_date=timezone.localdate(case.opened_at) + datetime.timedelta(days=60),
                created_at=case.opened_at,
            )
        )
    long_teacher = referrer_of[long_case.pk]
    if teacher.pk not in (long_teacher.pk, long_case.lead_counselor_id):
        members.append(CaseMember(case=long_case, user=teacher, role=TeamRole.SUBJECT_TEACHER, added_at=long_opened))
    with _own_timestamps(_field(CaseMember, "added_at"), _field(Goal, "created_at")):
        CaseMember.objects.bulk_create(members, batch_size=BATCH)
        goals = Goal.objects.bulk_create(goals, batch_size=BATCH)

    actions, meetings = [], []
    for case, goal in zip(cases, goals, strict=True):
        day0 = timezone.localdate(case.opened_at)
        for who, what in (
            (referrer_of[case.pk], "Latihan soal 15 menit setelah pelajaran"),
            (case.lead_counselor, "Konseling individual"),
        ):
            done = case.status == CaseStatus.CLOSED
            actions.append(
                Action(
                    case=case,
                    goal=goal,
                    description=what,
                    responsible=who,
                    frequency="seminggu sekali",
                    starts_on=day0,
                    ends_on=day0 + datetime.timedelta(days=rng.randint(14, 60)),
                    status=ActionStatus.DONE if done else ActionStatus.IN_PROGRESS,
                    completed_at=case.closed_at if done else None,
                    created_at=case.opened_at,
                )
            )
        meetings.append(
            Meeting(
                case=case,
                kind=MeetingKind.CASE_CONFERENCE,
                starts_at=case.opened_at + datetime.timedelta(days=7),
                place="Ruang BK",
                agenda="1. Perkembangan\n2. Langkah berikutnya",
                minutes="Disepakati latihan tambahan." if case.status == CaseStatus.CLOSED else "",
                created_by=case.lead_counselor,
                created_at=case.opened_at,
            )
        )
    with _own_timestamps(_field(Action, "created_at"), _field(Meeting, "created_at")):
        actions = Action.objects.bulk_create(actions, batch_size=BATCH)
        meetings = Meeting.objects.bulk_create(meetings, batch_size=BATCH)
    attendees = Meeting.attendees.through
    attendees.objects.bulk_create(
        [attendees(meeting_id=m.pk, user_id=m.created_by_id) for m in meetings]
        + [
            attendees(meeting_id=m.pk, user_id=referrer_of[m.case_id].pk)
            for m in meetings
            if referrer_of[m.case_id].pk != m.created_by_id
        ],
        batch_size=BATCH,
    )

    entries, case_events, notes = [], [], []
    for index, (case, goal) in enumerate(zip(cases, goals, strict=True)):
        count = LONG_CASE_ENTRIES if case.pk == long_case.pk else ENTRIES_PER_CASE
        day0 = timezone.localdate(case.opened_at)
        last = timezone.localdate(case.closed_at) if case.closed_at else today
        step = max(1, (last - day0).days // (count + 1))
        for k in range(count):
            date = min(day0 + datetime.timedelta(days=step * (k + 1)), today)
            follow_up = date + datetime.timedelta(days=7)
            # Follow-ups: done, except a few forgotten ones in closed cases and the open cases' last one.
            done = (k < count - 1 or case.status == CaseStatus.CLOSED) and rng.random() > 0.03
            author = case.lead_counselor if k % 2 == 0 else referrer_of[case.pk]
            entries.append(
                EvaluationEntry(
                    case=case,
                    author=author,
                    kind=EntryKind.PROGRESS_CHECK
                    if k % 2
                    else EntryKind.SESSION
                    if author == case.lead_counselor
                    else EntryKind.OBSERVATION,
                    date=date,
                    goal=goal,
                    measured_value=Decimal(rng.randint(40, 90)),
                    rating=rng.choice(EvaluationRating.values),
                    note=rng.choice(NOTES),
                    next_follow_up=follow_up,
                    follow_up_done_at=datetime.datetime.combine(follow_up, datetime.time(10), now.tzinfo)
                    if done
                    else None,
                    is_final=case.status == CaseStatus.CLOSED and k == count - 1,
                    created_at=datetime.datetime.combine(date, datetime.time(9), now.tzinfo),
                )
            )
        n_events = LONG_CASE_EVENTS if case.pk == long_case.pk else 3
        for k in range(n_events):
            kind = (
                CaseEventKind.OPENED
                if k == 0
                else CaseEventKind.CLOSED
                if k == n_events - 1 and case.closed_at
                else CaseEventKind.ENTRY_ADDED
            )
            when = case.opened_at + (((case.closed_at or now) - case.opened_at) * k / n_events)
            case_events.append(CaseEvent(case=case, actor=case.lead_counselor, kind=kind, created_at=when))
        if index % 3 == 0:
            notes.append(
                ConfidentialNote(
                    case=case,
                    author=case.lead_counselor,
                    body="Catatan rahasia (riwayat).",
                    created_at=case.opened_at + datetime.timedelta(days=3),
                )
            )
    with _own_timestamps(
        _field(EvaluationEntry, "created_at"), _field(CaseEvent, "created_at"), _field(ConfidentialNote, "created_at")
    ):
        EvaluationEntry.objects.bulk_create(entries, batch_size=BATCH)
        CaseEvent.objects.bulk_create(case_events, batch_size=BATCH)
        ConfidentialNote.objects.bulk_create(notes, batch_size=BATCH)

    # Notifications (read, but for the last weeks) and audit rows: a few per referral and case.
    notifications, audit = [], []
    recent = now - datetime.timedelta(days=14)
    for r in referrals:
        notifications.append(
            Notification(
                school=school,
                recipient=r.triaged_by or counselor,
                kind=NotificationKind.REFERRAL_SUBMITTED,
                label=f"Referral #{r.pk}",
                url=f"/referrals/{r.pk}/",
                created_at=r.created_at,
                read_at=None if r.created_at > recent else r.created_at + datetime.timedelta(hours=5),
            )
        )
        audit.append(_audit(school, r.triaged_by or counselor, ObjectType.REFERRAL, r.pk, r.created_at, referral=r))
    for case in cases:
        audit.append(_audit(school, case.lead_counselor, ObjectType.CASE, case.pk, case.opened_at, case=case))
        audit.append(
            _audit(school, vp, ObjectType.CASE, case.pk, case.opened_at + datetime.timedelta(days=2), case=case)
        )
    with _own_timestamps(_field(Notification, "created_at")):
        Notification.objects.bulk_create(notifications, batch_size=BATCH)
    AuditEvent.objects.bulk_create(audit, batch_size=BATCH)
    return len(referrals)


def _referral(school, rng, student, referrer, subjects, filed, *, status=Status.ACCEPTED, case=None):
    return Referral(
        school=school,
        student=student,
        referred_by=referrer,
        subject=rng.choice(subjects),
        observation=rng.choice(OBSERVATIONS),
        observed_since=rng.choice(Since.values),
        urgency=rng.choices([Urgency.ROUTINE, Urgency.PRIORITY, Urgency.URGENT], weights=[8, 3, 1])[0],
        status=status,
        case=case,
        decline_reason="Bukan kewenangan BK; sudah ditangani wali kelas." if status == Status.DECLINED else "",
        created_at=filed,
        submitted_at=filed,
        updated_at=filed,
    )


def _audit(school, user, object_type, pk, when, *, referral=None, case=None):
    return AuditEvent(
        school=school,
        actor=user,
        actor_username=user.username,
        action=AuditAction.VIEW,
        object_type=object_type,
        object_id=str(pk),
        referral_id=referral.pk if referral else None,
        case_id=case.pk if case else (referral.case_id if referral else None),
        student_id=(case or referral).student_id,
        ip="10.20.0.15",
        created_at=when,
    )
