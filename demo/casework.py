"""Demo casework for the demo school: cases in every status with plans,
meetings, evaluation logs over several weeks, follow-ups (some due, some
overdue) and confidential notes.

The referrals demo (run first) opens cases for its accepted referrals; this
module gives them a story, and opens more itself (with their own accepted
referral) so that every status exists whatever ran before. The fixed sign-ins
get their share: `teacher` and `homeroom` have actions and follow-ups in
/tasks/, `counselor` has a caseload with urgent and overdue rows.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from accounts.policy import Actor
from casework import services
from casework.models import (
    Case,
    CaseEvent,
    CaseMember,
    CaseStatus,
    EntryKind,
    EvaluationRating,
    Goal,
    MeetingKind,
    Outcome,
    TeamRole,
)
from referrals.models import ConcernCategory, Referral, ReferralEvent, Since, Status, Urgency
from roster.models import Classroom, Student, Subject

D = Decimal
BETTER, SAME = EvaluationRating.BETTER, EvaluationRating.NO_CHANGE

# Cases this module opens itself, each with its story: (class, student index,
# referrer, subject, urgency, days ago, observation, teacher's view, story).
# Their referrals' concern categories are in EXTRA_CASE_CATEGORIES, by story.
EXTRA_CASES = [
    ("VII-A", 20, "teacher", "Matematika", Urgency.URGENT, 12,
     "Menolak mengerjakan soal dan merobek lembar jawaban saat ulangan.",
     "Cemas berlebihan menghadapi ulangan.", "active"),
    ("VIII-A", 10, "teacher", "Matematika", Urgency.ROUTINE, 28,
     "Tidak mengumpulkan tugas selama tiga minggu.",
     "Kurang percaya diri dengan kemampuannya.", "monitoring"),
    ("VII-C", 16, "teacher", "Matematika", Urgency.PRIORITY, 35,
     "Nilai turun dan sering tidak masuk pada hari Senin.",
     "Mungkin ada masalah dengan teman sekelas.", "closed"),
    ("IX-A", 12, "vp", "PPKn", Urgency.ROUTINE, 40,
     "Sering tertidur dan tidak membawa buku pelajaran.",
     "", "reopened"),
    ("VIII-C", 18, "teacher", "Matematika", Urgency.ROUTINE, 20,
     "Tidak bisa mengikuti materi persamaan linear.",
     "Belum menguasai operasi bilangan bulat.", "open"),
]  # fmt: skip

EXTRA_CASE_CATEGORIES = {
    "active": ["emotional", "behaviour"],
    "monitoring": ["low_motivation"],
    "closed": ["attendance", "social"],
    "reopened": ["attention", "low_motivation"],
    "open": ["low_achievement", "literacy_numeracy"],
}

# The stories of the cases the referrals demo opened, oldest first.
SCENARIOS = ["active", "monitoring", "open", "active", "closed"]


def _users(school):
    users = {}
    for user in User.objects.filter(memberships__school=school).distinct():
        name = user.username
        if name.startswith("s") and "-" in name:
            name = name.split("-", 1)[1]
        users[name] = user
    return users


def _new_case(school, users, row, now):
    class_name, index, referrer, subject, urgency, days, observation, view, story = row
    classroom = Classroom.objects.for_school(school).filter(name=class_name).first()
    if classroom is None or referrer not in users:
        return None
    students = list(Student.objects.filter(classroom=classroom).order_by("id")[index : index + 5])
    student = next((s for s in students if services.open_case_for(s) is None and not s.cases.exists()), None)
    if student is None:
        return None
    counselor = classroom.counselor or users["counselor"]
    filed = now - datetime.timedelta(days=days)
    referral = Referral.objects.create(
        school=school,
        student=student,
        referred_by=users[referrer],
        subject=Subject.objects.for_school(school).filter(name=subject).first(),
        observation=observation,
        observed_since=Since.WEEKS,
        teacher_view=view,
        urgency=urgency,
        status=Status.ACCEPTED,
        triaged_by=counselor,
        triaged_at=filed + datetime.timedelta(hours=20),
        latest_feedback="Saya akan menemui siswa minggu ini dan mengabari Bapak/Ibu.",
    )
    referral.categories.set(ConcernCategory.objects.for_school(school).filter(code__in=EXTRA_CASE_CATEGORIES[story]))
    case = services.case_open(student=student, lead_counselor=counselor, actor=counselor)
    services.case_attach_referral(case=case, referral=referral, actor=counselor)
    referral.save()
    Referral.objects.filter(pk=referral.pk).update(created_at=filed, submitted_at=filed)
    ReferralEvent.objects.bulk_create(
        [
            ReferralEvent(referral=referral, actor=referral.referred_by, kind="submitted"),
            ReferralEvent(referral=referral, actor=counselor, kind="accepted", message=case.number),
        ]
    )
    ReferralEvent.objects.filter(referral=referral, kind="submitted").update(created_at=filed)
    ReferralEvent.objects.filter(referral=referral, kind="accepted").update(
        created_at=filed + datetime.timedelta(hours=20)
    )
    Case.objects.filter(pk=case.pk).update(opened_at=filed + datetime.timedelta(hours=20))
    case.refresh_from_db()
    return case


def _team(case, users):
    """(counselor, subject teacher, homeroom teacher) of a case, adding people when missing."""
    counselor = case.lead_counselor
    members = {m.role: m.user for m in CaseMember.objects.filter(case=case).select_related("user")}
    subject_teacher = members.get(TeamRole.REFERRING_TEACHER) or members.get(TeamRole.SUBJECT_TEACHER)
    if subject_teacher is None:
        subject_teacher = users["teacher"]
        services.case_add_member(case=case, user=subject_teacher, role=TeamRole.SUBJECT_TEACHER, actor=counselor)
    homeroom = members.get(TeamRole.HOMEROOM_TEACHER) or subject_teacher
    if homeroom.pk == subject_teacher.pk and users["teacher"].pk != subject_teacher.pk:
        # Give the plan a second teacher so that roles differ.
        other = users["teacher"]
        services.case_add_member(case=case, user=other, role=TeamRole.SUBJECT_TEACHER, actor=counselor)
        homeroom = other
    return counselor, subject_teacher, homeroom


def _story(case, scenario, users, actors, today, now):
    counselor, teacher, homeroom = _team(case, users)
    c, t, h = actors(counselor), actors(teacher), actors(homeroom)
    opened = timezone.localdate(case.opened_at)
    weeks = [today - datetime.timedelta(days=7 * k) for k in (3, 2, 1, 0)]
    weeks = [d for d in weeks if d > opened] or [today]

    services.case_update_texts(
        case=case,
        actor=counselor,
        version=case.version,
        summary="Siswa ditangani bersama wali kelas dan guru mata pelajaran. Fokus: nilai dan kehadiran.",
        counselor_assessment=(
            "Kesulitan utama ada pada kepercayaan diri, bukan kemampuan; pola tidur juga berpengaruh."
            if scenario != "open"
            else ""
        ),
        perspectives_to_discuss=scenario in ("active", "reopened"),
        classroom_guidance=(
            "Beri instruksi satu per satu dan cek pemahaman secara pribadi. Puji usaha, bukan hanya hasil. "
            "Dudukkan di depan, dekat teman yang tenang. Hindari menegur di depan kelas."
        ),
    )
    if scenario == "open":
        _open_story(case, counselor, teacher, homeroom, c, today)
        return

    maths = services.goal_add(
        case=case,
        actor=counselor,
        statement="Nilai ulangan harian Matematika mencapai KKM",
        indicator="Nilai ulangan harian",
        baseline=D("48"),
        target=D("75"),
        unit="poin",
        target_date=today + datetime.timedelta(days=45),
    )
    attendance = services.goal_add(
        case=case,
        actor=counselor,
        statement="Kehadiran kembali teratur",
        indicator="Hari tidak masuk dalam sebulan",
        baseline=D("6"),
        target=D("1"),
        unit="hari",
        target_date=today + datetime.timedelta(days=30),
    )
    practice = services.action_add(
        case=case,
        actor=counselor,
        description="Latihan soal pecahan 15 menit setelah pelajaran",
        responsible=teacher,
        goal=maths,
        frequency="dua kali seminggu",
        starts_on=weeks[0],
        ends_on=today + datetime.timedelta(days=3),
    )
    calls = services.action_add(
        case=case,
        actor=counselor,
        description="Memantau kehadiran harian dan menghubungi orang tua bila tidak masuk",
        responsible=homeroom,
        goal=attendance,
        frequency="setiap hari",
        starts_on=weeks[0],
        ends_on=today + datetime.timedelta(days=14),
    )
    sessions = services.action_add(
        case=case,
        actor=counselor,
        description="Konseling individual tentang kebiasaan belajar dan tidur",
        responsible=counselor,
        goal=attendance,
        frequency="seminggu sekali",
        starts_on=weeks[0],
        ends_on=today - datetime.timedelta(days=1),
    )
    attendees = [counselor, teacher, homeroom]
    past = services.meeting_schedule(
        case=case,
        actor=counselor,
        kind=MeetingKind.CASE_CONFERENCE,
        starts_at=_at(today - datetime.timedelta(days=7), 13),
        duration_minutes=45,
        place="Ruang BK",
        attendees=attendees,
        agenda="1. Perkembangan nilai\n2. Kehadiran\n3. Perbedaan pandangan guru dan konselor",
    )
    services.meeting_update(
        meeting=past,
        actor=counselor,
        sequence=past.sequence,
        minutes="Nilai mulai naik. Wali kelas akan menghubungi orang tua. Disepakati kartu kehadiran mingguan.",
    )
    services.action_add(
        case=case,
        actor=counselor,
        description="Kartu kehadiran mingguan ditandatangani orang tua",
        responsible=homeroom,
        goal=attendance,
        frequency="setiap Jumat",
        ends_on=today + datetime.timedelta(days=21),
        meeting=past,
    )
    if scenario in ("active", "reopened"):
        services.meeting_schedule(
            case=case,
            actor=counselor,
            kind=MeetingKind.COORDINATION,
            starts_at=_at(today + datetime.timedelta(days=3), 10),
            duration_minutes=30,
            place="Ruang guru",
            attendees=attendees + ([users["vp"]] if scenario == "active" else []),
            agenda="Tinjau kartu kehadiran dan nilai ulangan terakhir.",
        )

    scores = [D("52"), D("58"), D("63"), D("68")]
    absences = [D("5"), D("4"), D("3"), D("2")]
    offset = len(scores) - len(weeks)
    for i, day in enumerate(weeks):
        k = i + offset
        last = i == len(weeks) - 1
        services.entry_add(
            case=case,
            actor=t,
            kind=EntryKind.PROGRESS_CHECK,
            date=day,
            goal=maths,
            action=practice,
            measured_value=scores[k],
            rating=BETTER if k else SAME,
            note="Ulangan harian. Mulai berani bertanya.",
            next_follow_up=(today + datetime.timedelta(days=2)) if last else day + datetime.timedelta(days=7),
        )
        services.entry_add(
            case=case,
            actor=h,
            kind=EntryKind.PARENT_CONTACT if k == 1 else EntryKind.OBSERVATION,
            date=day,
            goal=attendance,
            action=calls,
            measured_value=absences[k],
            rating=BETTER if k else SAME,
            note="Rekap kehadiran minggu ini." if k != 1 else "Orang tua ditelepon; mendukung kartu kehadiran.",
            next_follow_up=today if last else day + datetime.timedelta(days=7),
        )
        services.entry_add(
            case=case,
            actor=c,
            kind=EntryKind.SESSION,
            date=day,
            action=sessions,
            rating=BETTER,
            note="Sesi konseling: membahas jadwal tidur dan cara belajar.",
            next_follow_up=(today - datetime.timedelta(days=2)) if last else day + datetime.timedelta(days=7),
        )
    services.note_add(
        case=case, actor=counselor, body="Siswa bercerita tentang tekanan di rumah; belum dibagikan ke tim (rahasia)."
    )

    if scenario == "monitoring":
        services.action_done(action=practice, actor=t, note="Latihan rutin selesai; lanjut mandiri.")
        services.case_set_status(case=case, actor=counselor, status=CaseStatus.MONITORING)
    elif scenario in ("closed", "reopened"):
        for action in (practice, calls, sessions):
            services.action_done(action=action, actor=actors(action.responsible))
        services.case_close(
            case=case,
            actor=c,
            outcome=Outcome.IMPROVED if scenario == "closed" else Outcome.NO_CHANGE,
            final_note="Nilai dan kehadiran membaik dan stabil selama tiga minggu. Pemantauan oleh wali kelas.",
            rating=BETTER,
        )
        if scenario == "reopened":
            services.case_reopen(
                case=case,
                actor=counselor,
                reason="Absen lagi empat hari minggu ini; wali kelas meminta dibuka kembali.",
            )
            services.action_add(
                case=case,
                actor=counselor,
                description="Kunjungan rumah bersama wali kelas",
                responsible=homeroom,
                goal=attendance,
                ends_on=today + datetime.timedelta(days=5),
            )


def _open_story(case, counselor, teacher, homeroom, c, today):
    """A case just opened: a first goal but no action yet (so it stays open),
    the first case conference ahead and the counselor's first observation."""
    goal = services.goal_add(
        case=case,
        actor=counselor,
        statement="Menguasai operasi bilangan bulat sebelum materi persamaan linear",
        indicator="Nilai kuis operasi bilangan bulat",
        baseline=D("45"),
        target=D("70"),
        unit="poin",
        target_date=today + datetime.timedelta(days=40),
    )
    services.meeting_schedule(
        case=case,
        actor=counselor,
        kind=MeetingKind.CASE_CONFERENCE,
        starts_at=_at(today + datetime.timedelta(days=4), 13),
        duration_minutes=45,
        place="Ruang BK",
        attendees=[counselor, teacher, homeroom],
        agenda="1. Hasil observasi di kelas\n2. Menyusun langkah bantuan dan siapa melakukan apa",
    )
    services.entry_add(
        case=case,
        actor=c,
        kind=EntryKind.OBSERVATION,
        date=today - datetime.timedelta(days=1),
        goal=goal,
        note="Observasi pelajaran Matematika: paham contoh di papan, tetapi berhenti saat soal memakai bilangan negatif.",
        next_follow_up=today + datetime.timedelta(days=4),
    )
    services.note_add(case=case, actor=counselor, body="Menunggu jadwal pertemuan pertama dengan orang tua.")


def _at(day, hour):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _spread_events(case, now):
    """Put the timeline lines between the case's opening and now, in order
    (rows written in one go would all carry the same time)."""
    events = list(CaseEvent.objects.filter(case=case).order_by("id"))
    if not events:
        return
    start = case.opened_at + datetime.timedelta(hours=1)
    step = (now - start) / (len(events) + 1)
    for i, event in enumerate(events, start=1):
        event.created_at = start + step * i
    CaseEvent.objects.bulk_update(events, ["created_at"])
    # The plan was written in the first days, before the log's entries.
    Goal.objects.filter(case=case).update(created_at=start + datetime.timedelta(days=1))


def seed(school):
    if Goal.objects.filter(case__school=school).exists():
        return
    users = _users(school)
    if not {"teacher", "homeroom", "counselor", "counselor2", "vp"} <= users.keys():
        return  # not a demo school
    now = timezone.now()
    today = timezone.localdate(now)
    cached = {}

    def actors(user):
        if user.pk not in cached:
            cached[user.pk] = Actor(user)
        return cached[user.pk]

    # The referrals demo's cases first (they exist before this seed opens any).
    cases = list(
        Case.objects.for_school(school)
        .filter(status=CaseStatus.OPEN)
        .select_related("lead_counselor", "student__classroom")
        .order_by("opened_at", "id")
    )
    stories = list(zip(cases, SCENARIOS, strict=False))
    for row in EXTRA_CASES:
        case = _new_case(school, users, row, now)
        if case is not None:
            stories.append((case, row[-1]))
    for case, scenario in stories:
        _story(case, scenario, users, actors, today, now)
    for case in Case.objects.for_school(school):
        _spread_events(case, now)
