"""Issue #15 in a browser: the school admin imports a grade ledger, the
homeroom teacher opens the early-warning list on a phone and refers a student
from it, with what was observed and the figures already in the form."""

import re

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, assert_no_horizontal_scroll, axe_violations, expect, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _ledger(tmp_path, world):
    from tests.roster.conftest import xlsx_bytes

    world.student_a.nisn = "0012345601"
    world.student_a.save(update_fields=["nisn"])
    data = xlsx_bytes(
        [
            ["LEGER NILAI"],
            ["Kelas : VII-A"],
            ["No", "NISN", "Nama", "MTK", None, "B. Indonesia", None],
            [None, None, None, "PTS", "PAS", "PTS", "PAS"],
            [1, "0012345601", "Andi Pratama", "62,5", "60", "70", "68,5"],
        ],
        merges=["A3:A4", "B3:B4", "C3:C4", "D3:E3", "F3:G3"],
    )
    path = tmp_path / "leger-vii-a.xlsx"
    path.write_bytes(data)
    return path


def test_admin_imports_a_ledger_and_the_homeroom_teacher_refers_from_the_list(new_page, live_server, world, tmp_path):
    url = live_server.url
    admin = new_page(DESKTOP)
    sign_in(admin, url, "admin")
    admin.goto(f"{url}/school-data/import/")
    admin.locator("#id_file").set_input_files(str(_ledger(tmp_path, world)))
    admin.get_by_role("button", name="Check the file").click()
    expect(admin.get_by_role("heading", name="Preview: nothing is saved yet")).to_be_visible()
    expect(admin.get_by_role("table")).to_contain_text("Andi Pratama")
    admin.get_by_role("button", name="Import", exact=True).click()
    expect(admin.locator(".messages")).to_contain_text("Grade ledger imported: 1 new")

    teacher = new_page(PHONE, has_touch=True, is_mobile=True)
    sign_in(teacher, url, "homeroom")
    teacher.goto(f"{url}/school-data/early-warning/")
    card = teacher.locator("article", has_text="Andi Pratama")
    expect(card).to_contain_text("Below the KKM (75) in 2 subjects")
    expect(card).to_contain_text("Matematika 61.3")
    assert_no_horizontal_scroll(teacher)
    assert axe_violations(teacher) == []
    screenshot(teacher, "early-warning-phone")

    card.get_by_role("button", name="Refer").click()
    expect(teacher.get_by_role("heading", level=1)).to_have_text("Refer a student")
    observation = teacher.get_by_label("What did you observe?")
    expect(observation).to_have_value(re.compile(r"early-warning list.*Matematika 61\.3", re.S))
    expect(teacher.get_by_label(re.compile("Latest score"))).to_have_value("61.3")
    screenshot(teacher, "early-warning-refer-phone")
