"""The demo school's coordination forum (issue #13): a past sitting with
attendance, minutes and decisions (one already carried out) and its recap,
and an upcoming one with the agenda built from the demo cases and an item a
teacher added. Runs after demo.casework; does nothing when the forum has sittings."""

import datetime

from django.utils import timezone

from accounts.models import User
from accounts.policy import Actor
from casework import services as casework
from casework.models import Case, CaseMember, CaseStatus
from forums import services
from forums.models import Forum, Sitting
from roster.schooldays import SchoolCalendar


def _username(school, base):
    index = int(school.npsn[-4:])
    return base if index == 1 else f"s{index}-{base}"


def _at(day, hour):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def seed(school, *, today=None):
    today = today or timezone.localdate()
    found = Forum.objects.filter(school=school).first()
    if found is not None and found.sittings.exists():
        return
    users = {
        base: User.objects.filter(username=_username(school, base)).first()
        for base in ("counselor", "teacher", "homeroom", "vp")
    }
    counselor, teacher, homeroom = users["counselor"], users["teacher"], users["homeroom"]
    if counselor is None:
        return
    forum = services.forum_for(school)
    forum.place = "Ruang guru"
    forum.save(update_fields=["place"])
    forum.participants.add(*[u for u in (teacher, users["vp"]) if u is not None])
    participants = list(forum.participants.order_by("full_name"))
    calendar = SchoolCalendar(school)

    # Last week's sitting, after lessons.
    past_day = today - datetime.timedelta(days=7)
    while not calendar.is_school_day(past_day):
        past_day -= datetime.timedelta(days=1)
    past = Sitting.objects.create(
        school=school,
        forum=forum,
        starts_at=_at(past_day, 13),
        duration_minutes=forum.duration_minutes,
        place=forum.place,
        created_by=counselor,
    )
    past.attendees.set(participants)
    services.agenda_build(sitting=past, actor=counselor)
    if homeroom is not None:
        services.item_add(
            sitting=past, actor=homeroom, title="Jadwal remedial bersama sebelum penilaian akhir semester"
        )
    about_cases = [item for item in past.items.select_related("case").order_by("id") if item.case_id][:3]
    minutes = [
        "Guru mapel dan guru BK sepakat: tugas dipecah menjadi bagian kecil, dicek tiap pertemuan.",
        "Wali kelas akan menghubungi orang tua minggu ini; BK memantau kehadiran hari Senin.",
        "Perkembangan baik selama tiga minggu; kasus dipantau sampai akhir semester sebelum ditutup.",
    ]
    for item, text in zip(about_cases, minutes, strict=False):
        services.minutes_save(item=item, actor=counselor, minutes=text)
    decisions = []
    for n, item in enumerate(about_cases[:2]):
        if item.case.status == CaseStatus.CLOSED:
            continue
        team = {m.user_id: m.user for m in CaseMember.objects.filter(case=item.case).select_related("user")}
        responsible = teacher if teacher is not None and teacher.pk in team else item.case.lead_counselor
        decisions.append(
            services.decision_record(
                item=item,
                actor=counselor,
                description=[
                    "Latihan soal pecahan 10 menit setelah pelajaran",
                    "Menghubungi orang tua tentang kehadiran",
                ][n],
                responsible=responsible,
                due_on=today + datetime.timedelta(days=3 + 7 * n),
            )
        )
    if decisions:
        casework.action_done(action=decisions[0].action, actor=decisions[0].action.responsible)
    past.present.set(participants[:-1])  # one could not come
    services.recap_send(sitting=past, actor=counselor)

    # The next sitting, a few school days ahead, its agenda built now.
    next_day = calendar.add(today, 3)
    upcoming = services.sitting_schedule(forum=forum, actor=counselor, starts_at=_at(next_day, 13))
    if teacher is not None:
        case = Case.objects.visible_to(Actor(teacher)).not_closed().order_by("opened_at").first()
        services.item_add(
            sitting=upcoming,
            actor=teacher,
            title="Siswa belum paham pecahan: usul kelas remedial bersama",
            case=case,
        )
