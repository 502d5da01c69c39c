"""Issue #13 in a real browser: a counselor books a case conference from a
proposed slot (and a teacher a short talk from a phone), and a forum runs from
its agenda to the recap, each participant seeing their own part."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from casework.models import Meeting, MeetingKind
from forums.models import Sitting
from notifications.models import Notification, NotificationKind
from roster.models import TeachingAssignment
from tests import factories as f
from tests.casework.factories import accepted_case
from tests.e2e.conftest import DESKTOP, PHONE, axe_violations, expect, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _timetable(world):
    f.bell_schedule(world.term)
    maths = TeachingAssignment.objects.get(teacher=world.teacher, classroom=world.class_a)
    f.lessons(maths, *[(weekday, n) for weekday in range(5) for n in (1, 2)])
    # The finder looks two school weeks ahead within the term.
    world.term.ends_on = timezone.localdate() + datetime.timedelta(days=60)
    world.term.save()


def _no_serious_axe(page, name):
    found = axe_violations(page)
    assert found == [], (name, found)


def test_a_case_conference_booked_from_a_proposed_slot(new_page, live_server, world):
    _timetable(world)
    case = accepted_case(world)
    url = live_server.url
    counselor = new_page(DESKTOP)
    sign_in(counselor, url, "counselor")
    counselor.goto(f"{url}{case.get_absolute_url()}#meetings")
    counselor.get_by_role("link", name="Find a time").click()
    expect(counselor.get_by_role("heading", name="Proposed times")).to_be_visible()
    _no_serious_axe(counselor, "meeting_find")
    screenshot(counselor, "issue13-find-a-time-desktop")
    first = counselor.locator("ol.list-group > li").first
    proposed = first.locator("strong").inner_text()
    first.get_by_role("button", name="Book this time").click()
    counselor.wait_for_load_state()
    expect(counselor.locator(".messages")).to_contain_text("The meeting was scheduled and the attendees were told.")
    meeting = Meeting.objects.get(case=case)
    assert meeting.kind == MeetingKind.CASE_CONFERENCE
    assert timezone.localtime(meeting.starts_at).strftime("%H:%M") in proposed
    assert set(meeting.attendees.all()) == {m.user for m in case.members.all()}
    assert Notification.objects.filter(recipient=world.teacher, kind=NotificationKind.MEETING_SCHEDULED).exists()
    # The .ics is offered on the case's meeting.
    with counselor.expect_download() as download:
        counselor.locator(f"a[href$='/meetings/{meeting.pk}/ics/']").first.click()
    ics = Path(download.value.path()).read_text()
    assert "METHOD:REQUEST" in ics and "TZID=Asia/Jakarta" in ics

    # The teacher, on a phone, asks when she can talk to the counselor and books it.
    teacher = new_page(PHONE, has_touch=True, is_mobile=True)
    sign_in(teacher, url, "teacher")
    teacher.goto(f"{url}{case.get_absolute_url()}")
    teacher.get_by_role("link", name="When can I talk to the counselor?").click()
    expect(teacher.get_by_role("heading", name="Talk to the counselor")).to_be_visible()
    _no_serious_axe(teacher, "talk")
    screenshot(teacher, "issue13-talk-phone")
    teacher.get_by_role("button", name="Book this time").first.click()
    teacher.wait_for_load_state()
    expect(teacher.locator(".messages")).to_contain_text("The talk is booked and the counselor was told.")
    assert Meeting.objects.filter(case=case, kind=MeetingKind.TALK).count() == 1


def test_a_forum_from_agenda_to_recap(new_page, live_server, world):
    _timetable(world)
    case = accepted_case(world)  # the teacher referred it: she is on its team
    case.perspectives_to_discuss = True
    case.save()
    other = accepted_case(world, student=world.student_b, teacher=world.other_teacher, counselor=world.counselor2)
    other.perspectives_to_discuss = True
    other.save()
    url = live_server.url

    # The vice principal sets the forum: the default participants and the teacher.
    vp = new_page(DESKTOP)
    sign_in(vp, url, "vp")
    vp.goto(f"{url}/forums/")
    vp.get_by_role("link", name="Forum settings").click()
    vp.get_by_label("Sri Wahyuni").check()
    vp.get_by_role("button", name="Save").click()
    expect(vp.locator(".messages")).to_contain_text("The forum's settings were saved.")

    # The counselor books it from a proposed slot; the agenda builds itself.
    counselor = new_page(DESKTOP)
    sign_in(counselor, url, "counselor")
    counselor.goto(f"{url}/forums/")
    counselor.get_by_role("link", name="Schedule the next forum").click()
    counselor.get_by_role("button", name="Book this time").first.click()
    counselor.wait_for_load_state()
    expect(counselor.locator(".messages")).to_contain_text("The forum was scheduled")
    sitting = Sitting.objects.get()
    expect(counselor.locator("#agenda")).to_contain_text("Perspectives differ")
    _no_serious_axe(counselor, "forum_detail_counselor")

    # The teacher, on a phone: only the item about her case, and she adds one.
    teacher = new_page(PHONE, has_touch=True, is_mobile=True)
    sign_in(teacher, url, "teacher")
    teacher.goto(f"{url}{sitting.get_absolute_url()}")
    agenda = teacher.locator("#agenda")
    expect(agenda).to_contain_text(case.number)
    expect(agenda).not_to_contain_text(other.number)
    expect(agenda).to_contain_text("1 more item is about a student whose record you do not work on.")
    teacher.locator("summary", has_text="Add an item to the agenda").click()
    teacher.get_by_label("What would you like to discuss?").fill("Remedial pecahan bersama")
    teacher.get_by_role("button", name="Add to the agenda").click()
    expect(teacher.locator(".messages")).to_contain_text("Your item is on the agenda.")
    _no_serious_axe(teacher, "forum_detail_teacher")
    screenshot(teacher, "issue13-forum-teacher-phone")

    # During the forum: minutes and a decision on the case's item, attendance.
    counselor.reload()
    item = sitting.items.get(case=case)
    card = counselor.locator(f"#item-{item.pk}")
    card.get_by_label("Minutes").fill("Guru dan BK sepakat memecah tugas menjadi bagian kecil.")
    card.get_by_role("button", name="Save minutes").click()
    expect(counselor.locator(".messages")).to_contain_text("The minutes were saved.")
    card = counselor.locator(f"#item-{item.pk}")
    card.locator("summary", has_text="Record a decision").click()
    card.get_by_label("Decision: what will be done").fill("Latihan pecahan 10 menit setelah pelajaran")
    card.get_by_label("Who").select_option(label="Sri Wahyuni")
    card.get_by_label("Due").fill((timezone.localdate() + datetime.timedelta(days=7)).isoformat())
    card.get_by_role("button", name="Make it an action of the case").click()
    expect(counselor.locator(".messages")).to_contain_text("The decision is now an action of the case.")
    attendance = counselor.locator("#attendance")
    attendance.get_by_label("Dewi Kartika").check()
    attendance.get_by_label("Sri Wahyuni").check()
    attendance.get_by_role("button", name="Save attendance").click()
    expect(counselor.locator(".messages")).to_contain_text("Attendance was saved.")

    # The forum took place: close it and send the recap.
    Sitting.objects.filter(pk=sitting.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=1))
    counselor.reload()
    counselor.get_by_role("button", name="Close the forum and send the recap").click()
    expect(counselor.locator(".messages")).to_contain_text("The recap was sent to every participant.")
    assert Notification.objects.filter(recipient=world.teacher, kind=NotificationKind.FORUM_RECAP).exists()

    # The teacher reads the recap and does the action from /tasks/.
    teacher.goto(f"{url}{sitting.get_absolute_url()}")
    expect(teacher.locator("#recap")).to_contain_text("Latihan pecahan 10 menit setelah pelajaran")
    teacher.goto(f"{url}/tasks/")
    task = teacher.locator("li", has_text="Latihan pecahan 10 menit setelah pelajaran").first
    task.get_by_role("button", name="Done").click()
    teacher.wait_for_load_state()

    # The vice principal's report: one forum held, the decision carried out on time.
    vp.goto(f"{url}/forums/")
    report = vp.locator("#forum-report-heading").locator("..")
    expect(report).to_contain_text("Forums held")
    assert vp.locator("dt:has-text('Forums held') + dd").inner_text() == "1"
    assert vp.locator("dt:has-text('Carried out on time') + dd").inner_text().startswith("1")
    _no_serious_axe(vp, "forum_list_vp")
