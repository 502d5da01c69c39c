"""End-to-end journeys in a real browser, driven the way people use Sinergi.

One referral travels from a subject teacher's phone through triage into a case,
its plan, the teacher's task list and the evaluation log, to a closed case the
vice principal sees in the school-wide report. Each step is a named function;
the test runs them in order, so a failure names the step that broke.

The Indonesian journey repeats the start (filing and triage) with users whose
language is Indonesian and checks Indonesian text on every page.
"""

import io
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from tests.e2e.conftest import DESKTOP, PHONE, expect, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A routine referral takes at most this many field interactions once the form is open.
MAX_REFERRAL_INTERACTIONS = 8


class Interactions:
    """Counts what a user does to fields and buttons: each fill, tick, choice or click is one."""

    def __init__(self):
        self.log = []

    @property
    def count(self):
        return len(self.log)

    def fill(self, locator, value):
        self.log.append(f"fill {value[:20]!r}")
        locator.fill(value)

    def check(self, locator):
        self.log.append("check")
        locator.check()

    def select(self, locator, label):
        self.log.append(f"select {label!r}")
        locator.select_option(label=label)

    def click(self, locator):
        self.log.append("click")
        locator.click()


def _phone(new_page):
    return new_page(PHONE, has_touch=True, is_mobile=True)


def _open_menu(page):
    """On a phone the navigation sits behind the menu button."""
    toggler = page.get_by_role("button", name=re.compile("menu", re.I))
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") == "false":
        toggler.click()


def _go_via_menu(page, link_name):
    _open_menu(page)
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name=link_name, exact=True).click()
    page.wait_for_load_state()


def _message(page):
    return page.locator(".messages")


# Journey 1 -------------------------------------------------------------------


def teacher_files_a_routine_referral(teacher, world):
    """On a phone: open the form, find the student, tick, describe, choose, send."""
    page = teacher
    _go_via_menu(page, "Refer a student")
    expect(page.get_by_role("heading", level=1)).to_have_text("Refer a student")

    ui = Interactions()
    ui.fill(page.get_by_label("Find the student"), "Andi")
    ui.click(page.get_by_role("link", name=re.compile("Andi Pratama")))
    expect(page.get_by_text("Andi Pratama", exact=True)).to_be_visible()
    ui.check(page.get_by_label("Low achievement"))
    ui.fill(page.get_by_label("What did you observe?"), "Stops working after ten minutes; maths scores fell.")
    ui.check(page.get_by_label("A few weeks"))
    # Routine is the default: the teacher leaves the urgency as it is.
    expect(page.get_by_role("radio", name=re.compile(r"^Routine\b"))).to_be_checked()
    ui.click(page.get_by_role("button", name="Send referral"))

    expect(_message(page)).to_contain_text("Your referral was filed")
    assert ui.count <= MAX_REFERRAL_INTERACTIONS, ui.log
    expect(page.get_by_role("heading", level=1)).to_contain_text("Referral for Andi Pratama")
    expect(page.locator("h1 + p .badge")).to_have_text(["Submitted", "Routine"])  # status, then urgency
    screenshot(page, "journey-1-referral-filed-phone")

    _go_via_menu(page, "My referrals")
    card = page.locator("li.card", has_text="Andi Pratama")
    expect(card).to_be_visible()
    expect(card).to_contain_text("Submitted")
    expect(card).to_contain_text("Low achievement")
    # Only priority and urgent referrals carry an urgency badge on the card.
    expect(card.locator(".badge", has_text=re.compile("Priority|Urgent"))).to_have_count(0)

    from referrals.models import Referral, Urgency

    referral = Referral.objects.get(student=world.student_a)
    assert referral.urgency == Urgency.ROUTINE
    return SimpleNamespace(referral=referral, interactions=ui.count, log=ui.log)


# Journey 2 -------------------------------------------------------------------


def counselor_asks_for_information(counselor, referral):
    page = counselor
    _go_via_menu(page, "Triage")
    row = page.get_by_role("row", name=re.compile("Andi Pratama"))
    expect(row).to_contain_text("Sri Wahyuni")
    expect(row).to_contain_text("Submitted")
    row.get_by_role("link", name="Andi Pratama").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Referral for Andi Pratama")

    page.get_by_label("What would you like the teacher to add?").fill("Which topics, and since which test?")
    page.get_by_role("button", name="Send question").click()
    expect(_message(page)).to_contain_text("Your question was sent to the teacher.")
    expect(page.locator("h1 + p")).to_contain_text("Needs information")


def teacher_answers(teacher):
    page = teacher
    page.reload()
    bell = page.get_by_role("link", name=re.compile(r"Notifications, \d+ unread"))
    expect(bell).to_be_visible()
    bell.click()
    page.get_by_role("button", name=re.compile("A counselor asked for more information")).click()
    expect(page.locator(".alert-warning")).to_contain_text("Which topics, and since which test?")

    page.get_by_label("Your answer").fill("Fractions, since the test on 3 November.")
    page.get_by_role("button", name="Send answer and resubmit").click()
    expect(_message(page)).to_contain_text("back in the counselors' queue")
    expect(page.locator("h1 + p")).to_contain_text("Submitted")


def counselor_accepts_into_a_new_case(counselor):
    page = counselor
    page.reload()
    expect(page.get_by_role("region", name="Timeline")).to_contain_text("Fractions, since the test on 3 November.")
    expect(page.get_by_label("Lead counselor")).to_have_value(re.compile(r"\d+"))
    page.get_by_role("button", name="Accept and open a case").click()
    expect(_message(page)).to_contain_text("The referral was accepted. The teacher has been told.")
    # The counselor lands on the new case (issue #12).
    expect(page).to_have_url(re.compile(r"/cases/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile(r"Case \d{4}-\d{4}: Andi Pratama"))

    from casework.models import Case

    return Case.objects.get(student__full_name="Andi Pratama")


# Journey 3 -------------------------------------------------------------------


def _inline_form(page, summary):
    """Open a form of the case page by its link, which fetches the form in place
    (static/js/on-demand-forms.js); return the form."""
    box = page.locator("div.inline-form", has=page.get_by_role("link", name=summary, exact=True))
    box.get_by_role("link", name=summary, exact=True).click()
    form = box.locator("[data-form-slot] form")
    expect(form).to_be_visible()
    return form


def _choose(select, text):
    """Pick the option of a <select> whose text contains ``text``."""
    select.select_option(select.locator("option", has_text=text).first.get_attribute("value"))


def counselor_writes_the_plan_and_schedules_a_meeting(counselor):
    page = counselor
    goal = _inline_form(page, "Add a goal")
    goal.get_by_label("Goal").fill("Maths score back to the class average")
    goal.get_by_label("Indicator").fill("Weekly quiz score")
    goal.get_by_label("Baseline").fill("55")
    goal.get_by_label("Target", exact=True).fill("70")
    goal.get_by_label("Unit").fill("points")
    goal.get_by_role("button", name="Add goal").click()
    expect(_message(page)).to_contain_text("The goal was added to the plan.")

    action = _inline_form(page, "Add an action")
    action.get_by_label("What").fill("Ten minutes of fraction practice after class")
    _choose(action.get_by_label("Who is responsible"), "Sri Wahyuni")
    action.get_by_label("For goal").select_option(index=1)
    action.get_by_label("How often").fill("twice a week")
    action.get_by_role("button", name="Add action").click()
    expect(_message(page)).to_contain_text("The action was added to the plan.")
    expect(page.locator("#plan")).to_contain_text("Ten minutes of fraction practice after class")

    meeting = _inline_form(page, "Schedule a meeting")
    meeting.get_by_label("Time").fill("2026-12-03T13:30")
    meeting.get_by_label("Place").fill("Ruang BK")
    meeting.get_by_label("Sri Wahyuni").check()
    meeting.get_by_label("Agenda").fill("How the fraction practice goes")
    meeting.get_by_role("button", name="Schedule").click()
    expect(_message(page)).to_contain_text("The meeting was scheduled")
    expect(page.locator("#meetings")).to_contain_text("Ruang BK")


def teacher_does_the_action_and_measures(teacher, case):
    """From /tasks/ the teacher follows the action's link to the case, adds a
    measured entry there, then comes back to the list and marks the action done."""
    page = teacher
    _go_via_menu(page, "My tasks")
    task = page.locator("li.card", has_text="Ten minutes of fraction practice after class")
    case_link = task.get_by_role("link", name=f"Case {case.number}: Andi Pratama")
    expect(case_link).to_be_visible()
    case_link.click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/#action-\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Case {case.number}: Andi Pratama")
    expect(page.locator(":target")).to_contain_text("Ten minutes of fraction practice after class")

    entry = _inline_form(page, "Add an entry")
    entry.get_by_label("Goal").select_option(index=1)
    entry.get_by_label("Measured value").fill("64")
    entry.get_by_label("Rating").select_option(label="Better")
    entry.get_by_label("Note").fill("Quiz on fractions: 64.")
    entry.get_by_role("button", name="Add entry").click()
    expect(_message(page)).to_contain_text("Your entry was added to the evaluation log.")
    log = page.locator("#log")
    expect(log).to_contain_text("Measured: 64 points")
    expect(log).to_contain_text("Sri Wahyuni")

    _go_via_menu(page, "My tasks")
    task.locator("summary").click()
    task.get_by_label("Short note").fill("Practised twice; fewer mistakes.")
    task.get_by_role("button", name=re.compile("^Done")).click()
    expect(_message(page)).to_contain_text("Done: Ten minutes of fraction practice after class")
    expect(page.get_by_text("No open actions. Well done.")).to_be_visible()
    screenshot(page, "journey-3-tasks-done-phone")


# Journey 4 -------------------------------------------------------------------


def _cases_closed(page):
    return page.locator("#indicator-cases_closed .report-value").inner_text().strip()


def vp_reads_the_report(vp):
    page = vp
    _go_via_menu(page, "Reports")
    expect(page.get_by_role("heading", level=1)).to_have_text("School-wide report")
    return _cases_closed(page)


def counselor_closes_the_case(counselor):
    page = counselor
    close = _inline_form(page, "Close the case")
    close.get_by_label("Outcome").select_option(label="Improved")
    close.get_by_label("Final evaluation").fill("Quiz scores rose from 55 to 64; practice continues in class.")
    close.get_by_role("button", name="Close the case").click()
    expect(_message(page)).to_contain_text("The case was closed.")
    expect(page.locator("#status")).to_contain_text("Outcome: Improved")


def teacher_is_told(teacher, case):
    page = teacher
    page.reload()
    page.get_by_role("link", name=re.compile(r"Notifications, \d+ unread")).click()
    item = page.get_by_role("button", name=re.compile(f"A case was closed · {case.number}"))
    expect(item).to_be_visible()
    screenshot(page, "journey-4-teacher-notified-phone")


def vp_sees_the_closed_case_and_downloads(vp, case):
    page = vp
    page.reload()
    assert _cases_closed(page) == "1"
    cases = page.get_by_role("region", name="Cases")
    row = cases.get_by_role("row", name=re.compile(case.number))
    expect(row).to_contain_text("Andi Pratama")
    expect(row).to_contain_text("Improved")

    with page.expect_download() as info:
        page.get_by_role("link", name="Indicators (Excel)").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(Path(download.path()).read_bytes()), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:2] == ("Indicator", "Value")
    values = {row[0]: row[1] for row in rows[1:]}
    assert values["Cases closed"] in (1, "1")

    row.get_by_role("link", name=case.number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Case {case.number}: Andi Pratama")
    expect(page.locator("#status")).to_contain_text("Outcome: Improved")
    screenshot(page, "journey-4-vp-case-desktop")


def test_a_referral_from_a_phone_to_a_closed_case(new_page, live_server, world):
    url = live_server.url
    teacher = _phone(new_page)
    counselor = new_page(DESKTOP)
    vp = new_page(DESKTOP)
    sign_in(teacher, url, "teacher")
    sign_in(counselor, url, "counselor")
    sign_in(vp, url, "vp")

    # 1. A subject teacher files a routine referral on a phone and sees it in "My referrals".
    filed = teacher_files_a_routine_referral(teacher, world)
    print(f"routine referral: {filed.interactions} field interactions: {filed.log}")

    # 2. The counselor asks for information, the teacher answers, the counselor accepts into a new case.
    counselor_asks_for_information(counselor, filed.referral)
    teacher_answers(teacher)
    case = counselor_accepts_into_a_new_case(counselor)

    # 3. Plan, action for the teacher, meeting; from /tasks/ the teacher opens the case, adds a measured
    #    entry and marks the action done.
    counselor_writes_the_plan_and_schedules_a_meeting(counselor)
    teacher_does_the_action_and_measures(teacher, case)
    closed_before = vp_reads_the_report(vp)
    assert closed_before == "0"

    # 4. The counselor closes the case; the teacher is told; the VP sees it in the report and downloads it.
    counselor.reload()
    counselor_closes_the_case(counselor)
    teacher_is_told(teacher, case)
    vp_sees_the_closed_case_and_downloads(vp, case)


# Journey 5: the same start in Indonesian ---------------------------------------


def _assert_indonesian(page, *texts):
    """The page is in Indonesian: <html lang="id"> and the given text on screen."""
    expect(page.locator("html")).to_have_attribute("lang", "id")
    for text in texts:
        expect(page.get_by_text(text, exact=False).first).to_be_visible()


def test_filing_and_triage_in_indonesian(new_page, live_server, world):
    """Browsers that ask for English; users whose saved language is Indonesian.
    Everything after sign-in is in Indonesian: the saved preference wins."""
    url = live_server.url
    for user in (world.teacher, world.counselor):
        user.language = "id"
        user.save(update_fields=["language"])
    teacher = new_page(PHONE, has_touch=True, is_mobile=True, locale="en-US")
    counselor = new_page(DESKTOP, locale="en-US")

    # Before sign-in the browser's language decides: English.
    teacher.goto(f"{url}/accounts/login/")
    expect(teacher.locator("html")).to_have_attribute("lang", "en")
    expect(teacher.get_by_role("heading", level=1)).to_have_text("Sign in to Sinergi")

    # After sign-in each lands on their home page in Indonesian.
    sign_in(teacher, url, "teacher")
    expect(teacher).to_have_url(re.compile(r"/referrals/$"))
    _assert_indonesian(teacher, "Rujukan yang saya ajukan")
    expect(teacher.get_by_role("heading", level=1)).to_have_text("Rujukan saya")
    sign_in(counselor, url, "counselor")
    expect(counselor).to_have_url(re.compile(r"/cases/$"))
    _assert_indonesian(counselor, "Daftar kasus")
    expect(counselor.get_by_role("heading", level=1)).to_have_text("Kasus yang saya tangani")

    # The teacher files a routine referral on a phone.
    teacher.get_by_role("button", name="Buka menu").click()
    teacher.get_by_role("navigation", name="Navigasi utama").get_by_role("link", name="Rujuk siswa").click()
    _assert_indonesian(teacher, "Siswa yang mana?")
    expect(teacher.get_by_role("heading", level=1)).to_have_text("Rujuk siswa")
    teacher.get_by_label("Cari siswa").fill("Andi")
    teacher.get_by_role("link", name=re.compile("Andi Pratama")).click()
    _assert_indonesian(teacher, "Apa yang Anda khawatirkan?", "Urgensi")
    teacher.get_by_label("Prestasi rendah").check()
    teacher.get_by_label("Apa yang Anda amati?").fill("Berhenti bekerja setelah sepuluh menit.")
    teacher.get_by_label("Beberapa minggu").check()
    teacher.get_by_role("button", name="Kirim rujukan").click()
    _assert_indonesian(teacher, "Rujukan Anda sudah diajukan", "Riwayat")
    expect(teacher.get_by_role("heading", level=1)).to_contain_text("Rujukan untuk Andi Pratama")
    expect(teacher.locator("h1 + p .badge")).to_have_text(["Diajukan", "Biasa"])  # submitted, routine
    screenshot(teacher, "journey-5-referral-filed-id-phone")

    teacher.get_by_role("button", name="Buka menu").click()
    teacher.get_by_role("navigation", name="Navigasi utama").get_by_role("link", name="Rujukan saya").click()
    _assert_indonesian(teacher, "Rujukan yang saya ajukan")
    expect(teacher.locator("li.card", has_text="Andi Pratama")).to_contain_text("Diajukan")

    # The counselor triages it in Indonesian.
    counselor.get_by_role("navigation", name="Navigasi utama").get_by_role("link", name="Telaah rujukan").click()
    _assert_indonesian(counselor, "Rujukan masuk")
    row = counselor.get_by_role("row", name=re.compile("Andi Pratama"))
    expect(row).to_contain_text("Diajukan")
    row.get_by_role("link", name="Andi Pratama").click()
    _assert_indonesian(counselor, "Terima dan buka kasus", "Tolak dengan alasan ini")
    counselor.get_by_role("button", name="Terima dan buka kasus").click()
    _assert_indonesian(counselor, "Rujukan diterima. Guru sudah diberi tahu.")
    # Straight on to the new case (issue #12).
    expect(counselor.get_by_role("heading", level=1)).to_contain_text(re.compile(r"Kasus \d{4}-\d{4}"))
    _assert_indonesian(counselor, "Rencana intervensi")
    screenshot(counselor, "journey-5-case-id-desktop")

    # The teacher is told, in Indonesian.
    teacher.reload()
    teacher.get_by_role("link", name=re.compile(r"Notifikasi, \d+ belum dibaca")).click()
    _assert_indonesian(teacher, "Rujukan Anda diterima")
    expect(teacher.get_by_role("heading", level=1)).to_have_text("Notifikasi")
