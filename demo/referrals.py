"""Demo referrals for the demo school: about 25 over the last weeks, in every
state, with their timelines, colleagues' input and (for accepted ones) real
cases opened through casework.services.

The fixed sign-ins get their share: `teacher` and `homeroom` have referrals
in every state and a pending request for their view; `counselor` has urgent
and overdue referrals waiting in the classes they cover.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from casework.models import Case
from casework.services import case_attach_referral, case_open, open_case_for
from notifications.models import Notification, NotificationKind
from referrals.models import (
    ConcernCategory,
    EventKind,
    InputRequest,
    Rating,
    Referral,
    ReferralEvent,
    Since,
    Status,
    Urgency,
)
from referrals.services import ensure_default_categories
from roster.models import Classroom, Student, Subject

S, N, A, D, W = Status.SUBMITTED, Status.NEEDS_INFO, Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN
R, P, U = Urgency.ROUTINE, Urgency.PRIORITY, Urgency.URGENT

# (referrer, class, student index in class, subject, concerns, status, urgency,
#  days ago, since, observation, what was tried, teacher's view, score, absences)
SCRIPT = [
    ("teacher", "VII-A", 0, "Matematika", ["low_achievement", "attention"], S, R, 1, Since.WEEKS,
     "Nilai ulangan harian turun dari 75 ke 48. Sering melamun dan tidak menyelesaikan latihan.",
     "Duduk di depan, latihan tambahan saat istirahat.", "Mungkin belum paham pecahan sejak kelas VI.", "48", 1),
    ("teacher", "VII-B", 3, "Matematika", ["emotional"], S, U, 0, Since.DAYS,
     "Menangis di kelas dua kali minggu ini dan bilang tidak mau pulang ke rumah.",
     "", "Ada masalah di rumah, saya khawatir.", None, 0),
    ("teacher", "VIII-A", 5, "Matematika", ["attendance", "low_achievement"], S, P, 7, Since.MONTH,
     "Tidak masuk 6 kali bulan ini tanpa keterangan; tugas tidak dikumpulkan.",
     "Sudah menegur dan mencatat di buku kelas.", "Kelelahan karena membantu orang tua berjualan.", "52", 6),
    ("teacher", "VII-C", 2, "Matematika", ["literacy_numeracy"], N, R, 5, Since.TERM,
     "Kesulitan membaca soal cerita; jawaban sering tidak sesuai pertanyaan.",
     "Membacakan soal dengan suara keras.", "Kemampuan membaca masih kurang.", "55", 0),
    ("teacher", "VIII-B", 1, "Matematika", ["behaviour"], A, P, 22, Since.WEEKS,
     "Sering mengganggu teman saat pelajaran dan keluar kelas tanpa izin.",
     "Teguran lisan, dipindah tempat duduk.", "Bosan karena merasa tertinggal.", "60", 2),
    ("teacher", "VII-A", 4, "Matematika", ["low_motivation"], D, R, 14, Since.DAYS,
     "Beberapa hari terakhir tidak mengerjakan PR.",
     "", "", "70", 0),
    ("teacher", "VIII-C", 6, "Matematika", ["social"], W, R, 10, Since.WEEKS,
     "Menyendiri saat kerja kelompok.",
     "", "", None, None),
    ("teacher", "VII-A", 7, "Matematika", ["low_achievement"], A, R, 30, Since.TERM,
     "Nilai matematika selalu di bawah KKM sejak awal semester.",
     "Remedial dua kali.", "Dasar berhitung lemah.", "45", 1),
    ("homeroom", "VII-A", 8, "Bahasa Indonesia", ["family", "emotional"], S, U, 2, Since.DAYS,
     "Datang dengan memar di lengan dan enggan bercerita. Sangat pendiam sejak Senin.",
     "Mengajak bicara setelah kelas.", "Mungkin ada kekerasan di rumah.", None, 2),
    ("homeroom", "VII-A", 9, "Bahasa Indonesia", ["literacy_numeracy"], N, R, 6, Since.MONTH,
     "Tulisan sulit dibaca dan banyak huruf tertukar.",
     "", "", "58", 0),
    ("homeroom", "VII-B", 10, "Bahasa Indonesia", ["attention"], A, R, 26, Since.MONTH,
     "Tidak bisa duduk tenang lebih dari lima menit, sering lupa membawa buku.",
     "Jadwal harian di meja.", "", "62", 0),
    ("homeroom", "VII-C", 11, "Bahasa Indonesia", ["low_achievement"], D, R, 16, Since.WEEKS,
     "Nilai menulis karangan rendah.",
     "", "", "65", 0),
    ("homeroom", "VII-A", 7, "Bahasa Indonesia", ["attendance"], A, P, 11, Since.WEEKS,
     "Sering terlambat dan bolos jam pertama.",
     "Menghubungi orang tua lewat WhatsApp.", "", None, 5),
    ("homeroom", "VII-B", 12, "Bahasa Indonesia", ["social"], W, R, 8, Since.DAYS,
     "Bertengkar dengan teman sebangku.",
     "Sudah didamaikan di kelas.", "", None, None),
    ("vp", "IX-A", 1, "PPKn", ["behaviour"], S, R, 3, Since.WEEKS,
     "Berbicara kasar kepada guru saat ditegur.",
     "", "", None, 0),
    ("guru01", "VIII-A", 13, "IPA", ["emotional", "social"], S, U, 1, Since.DAYS,
     "Mengatakan kepada teman bahwa ia ingin menyakiti diri sendiri.",
     "Melapor ke wali kelas.", "", None, 0),
    ("guru02", "VII-C", 14, "IPS", ["low_motivation"], S, R, 9, Since.MONTH,
     "Tidur di kelas hampir setiap pelajaran.",
     "", "Kurang tidur karena main ponsel.", "58", 1),
    ("guru03", "VIII-B", 15, "Bahasa Inggris", ["low_achievement"], S, P, 4, Since.TERM,
     "Belum bisa membaca kalimat sederhana dalam bahasa Inggris.",
     "Kosakata tambahan.", "", "40", 0),
    ("guru04", "IX-B", 2, "IPA", ["attendance"], S, R, 2, Since.WEEKS,
     "Tidak masuk 4 hari berturut-turut.",
     "", "", None, 4),
    ("guru05", "IX-C", 3, "Seni Budaya", ["emotional"], N, P, 5, Since.WEEKS,
     "Terlihat sangat cemas menjelang ujian praktik.",
     "", "", None, 0),
    ("guru06", "VIII-C", 4, "PJOK", ["behaviour", "social"], A, P, 19, Since.MONTH,
     "Sering terlibat perkelahian saat olahraga.",
     "Skorsing dari pertandingan kelas.", "", None, 1),
    ("guru07", "IX-A", 5, "Informatika", ["low_achievement"], D, R, 13, Since.WEEKS,
     "Tugas praktik tidak selesai.",
     "", "", "68", 0),
    ("guru08", "VIII-A", 6, "PPKn", ["family"], S, R, 5, Since.MONTH,
     "Sering bercerita orang tuanya bertengkar.",
     "", "", None, 0),
    ("guru09", "IX-B", 7, "Matematika", ["low_achievement", "low_motivation"], A, R, 24, Since.TERM,
     "Nilai turun drastis sejak pindah tempat tinggal.",
     "Les sore dua kali seminggu.", "", "50", 3),
    ("guru10", "VII-B", 8, "Pendidikan Agama", ["attention"], W, R, 12, Since.DAYS,
     "Sulit fokus saat hafalan.",
     "", "", None, None),
]  # fmt: skip

ASK = "Sejak kapan nilainya turun? Apakah orang tua sudah dihubungi?"
ANSWER = "Sejak ulangan pertama bulan lalu. Orang tua belum saya hubungi."
DECLINE = (
    "Masih dalam batas wajar; coba latihan terbimbing di kelas dua minggu dulu, lalu rujuk lagi bila belum membaik."
)
ACCEPT = "Saya akan menemui siswa minggu ini dan mengabari Bapak/Ibu."


def _users(school):
    """Demo users of the school by their base username (`s2-teacher` -> `teacher`)."""
    users = {}
    for user in User.objects.filter(memberships__school=school).distinct():
        name = user.username
        if name.startswith("s") and "-" in name:
            name = name.split("-", 1)[1]
        users[name] = user
    return users


def seed(school):
    if Referral.objects.filter(school=school).exists():
        return
    users = _users(school)
    if not {"teacher", "homeroom", "counselor", "counselor2", "vp"} <= users.keys():
        return  # not a demo school
    ensure_default_categories(school)
    categories = {c.code: c for c in ConcernCategory.objects.for_school(school)}
    classrooms = {c.name: c for c in Classroom.objects.for_school(school).select_related("counselor")}
    subjects = {s.name: s for s in Subject.objects.for_school(school)}
    students = {}
    for student in Student.objects.for_school(school).order_by("id"):
        students.setdefault(student.classroom_id, []).append(student)

    now = timezone.now()
    rows = []
    for row in SCRIPT:
        referrer, class_name, index, subject, codes, status, urgency, days, since, text, tried, view, score, absent = (
            row
        )
        classroom = classrooms.get(class_name)
        if classroom is None or referrer not in users:
            continue
        filed = now - datetime.timedelta(days=days, hours=index % 5)
        referral = Referral(
            school=school,
            student=students[classroom.pk][index],
            referred_by=users[referrer],
            subject=subjects.get(subject),
            observation=text,
            observed_since=since,
            already_tried=tried,
            teacher_view=view,
            latest_score=Decimal(score) if score else None,
            absences_30_days=absent,
            urgency=urgency,
            status=status,
            decline_reason=DECLINE if status == D else "",
        )
        referral._demo = (codes, filed, classroom.counselor or users["counselor"])
        rows.append(referral)
    Referral.objects.bulk_create(rows)
    if rows and rows[0].pk is None:  # backends that do not return ids
        by_key = {(r.student_id, r.referred_by_id, r.observation): r for r in Referral.objects.filter(school=school)}
        for r in rows:
            r.pk = r.id = by_key[(r.student_id, r.referred_by_id, r.observation)].pk

    through = Referral.categories.through
    through.objects.bulk_create(
        [through(referral_id=r.pk, concerncategory_id=categories[code].pk) for r in rows for code in r._demo[0]]
    )

    events = []
    notifications = []
    hour = datetime.timedelta(hours=1)
    # Oldest first, so a later referral of the same student joins the case.
    for r in sorted(rows, key=lambda r: r._demo[1]):
        _codes, filed, counselor = r._demo
        r.created_at = r.submitted_at = filed
        events.append(ReferralEvent(referral=r, actor=r.referred_by, kind=EventKind.SUBMITTED, created_at=filed))
        decided = filed + datetime.timedelta(days=1, hours=2)
        if r.status == N:
            r.latest_feedback = ASK
            events.append(
                ReferralEvent(
                    referral=r, actor=counselor, kind=EventKind.INFO_REQUESTED, message=ASK, created_at=decided
                )
            )
            notifications.append((r.referred_by, NotificationKind.REFERRAL_NEEDS_INFO, r, decided))
        elif r.status == D:
            r.decline_reason = r.latest_feedback = DECLINE
            r.triaged_at, r.triaged_by = decided, counselor
            events.append(
                ReferralEvent(referral=r, actor=counselor, kind=EventKind.DECLINED, message=DECLINE, created_at=decided)
            )
            notifications.append((r.referred_by, NotificationKind.REFERRAL_DECLINED, r, decided))
        elif r.status == W:
            events.append(
                ReferralEvent(referral=r, actor=r.referred_by, kind=EventKind.WITHDRAWN, created_at=filed + 3 * hour)
            )
        elif r.status == A:
            # An accepted referral first went through a question and an answer.
            asked, answered = filed + 5 * hour, filed + 20 * hour
            events += [
                ReferralEvent(
                    referral=r, actor=counselor, kind=EventKind.INFO_REQUESTED, message=ASK, created_at=asked
                ),
                ReferralEvent(
                    referral=r, actor=r.referred_by, kind=EventKind.RESUBMITTED, message=ANSWER, created_at=answered
                ),
            ]
            r.submitted_at = answered
            case = open_case_for(r.student)
            joined = case is not None
            if not joined:
                case = case_open(student=r.student, lead_counselor=counselor, actor=counselor)
                Case.objects.filter(pk=case.pk).update(opened_at=decided)
            case_attach_referral(case=case, referral=r, actor=counselor)
            r.case = case
            r.latest_feedback = ACCEPT
            r.triaged_at, r.triaged_by = decided, counselor
            events.append(
                ReferralEvent(
                    referral=r,
                    actor=counselor,
                    kind=EventKind.JOINED_CASE if joined else EventKind.ACCEPTED,
                    message=f"{case.number}\n\n{ACCEPT}",
                    created_at=decided,
                )
            )
            kind = NotificationKind.REFERRAL_JOINED_CASE if joined else NotificationKind.REFERRAL_ACCEPTED
            notifications.append((r.referred_by, kind, r, decided))
        elif r.urgency == U:
            notifications.append((counselor, NotificationKind.REFERRAL_URGENT, r, filed))
        else:
            notifications.append((counselor, NotificationKind.REFERRAL_SUBMITTED, r, filed))

    Referral.objects.bulk_update(
        rows,
        [
            "created_at",
            "submitted_at",
            "latest_feedback",
            "decline_reason",
            "triaged_at",
            "triaged_by",
            "case",
        ],
    )
    _input_requests(rows, users, events, now)
    # bulk_create stamps auto_now_add fields with now: put the story's times back.
    times = [event.created_at for event in events]
    created = ReferralEvent.objects.bulk_create(events)
    for event, when in zip(created, times, strict=True):
        event.created_at = when
    ReferralEvent.objects.bulk_update(created, ["created_at"])
    _notifications(school, notifications, now)


def _input_requests(rows, users, events, now):
    """Colleagues' view on two waiting referrals: one answered, one still
    open for the `teacher` sign-in."""
    first = next((r for r in rows if r.referred_by == users["teacher"] and r.status == S), None)
    urgent = next((r for r in rows if r.referred_by == users["homeroom"] and r.urgency == U), None)
    asks = []
    if first is not None:
        asks.append((first, users["homeroom"], Rating.STRUGGLING, "Di pelajaran saya juga sering tidak fokus."))
    if urgent is not None:
        asks.append((urgent, users["teacher"], "", ""))
    requests = []
    for referral, colleague, rating, note in asks:
        counselor = referral._demo[2]
        asked = referral.created_at + datetime.timedelta(hours=3)
        answered = asked + datetime.timedelta(hours=4) if rating else None
        if answered and answered > now:
            answered = now
        requests.append(
            InputRequest(
                referral=referral,
                requested_from=colleague,
                requested_by=counselor,
                rating=rating,
                note=note,
                answered_at=answered,
            )
        )
        events.append(
            ReferralEvent(
                referral=referral,
                actor=counselor,
                kind=EventKind.INPUT_REQUESTED,
                message=colleague.get_full_name(),
                created_at=asked,
            )
        )
        if answered:
            events.append(
                ReferralEvent(
                    referral=referral, actor=colleague, kind=EventKind.INPUT_GIVEN, message=note, created_at=answered
                )
            )
    created = InputRequest.objects.bulk_create(requests)
    for item, original in zip(created, requests, strict=True):
        item.created_at = original.referral.created_at + datetime.timedelta(hours=3)
    InputRequest.objects.bulk_update(created, ["created_at"])


def _notifications(school, items, now):
    """In-app notifications about the demo referrals; those older than two days are read."""
    rows = []
    for recipient, kind, referral, when in items:
        rows.append(
            Notification(
                school=school,
                recipient=recipient,
                kind=kind,
                label=referral.notification_label,
                url=referral.get_absolute_url(),
                read_at=when if now - when > datetime.timedelta(days=2) else None,
            )
        )
    created = Notification.objects.bulk_create(rows)
    for notification, (_r, _k, _ref, when) in zip(created, items, strict=True):
        notification.created_at = when
    Notification.objects.bulk_update(created, ["created_at"])
