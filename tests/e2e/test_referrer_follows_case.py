"""#12: the referring teacher, on her phone, follows her referral's case to
its outcome on "My referrals" and on the referral page."""

import re

import pytest

from casework import services as casework_services
from casework.models import CaseStatus, Outcome
from referrals import services
from referrals.models import Since
from tests.e2e.conftest import PHONE, assert_no_horizontal_scroll, badges_without_text, expect, screenshot, sign_in
from tests.referrals.factories import category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_referrer_sees_the_outcome_of_the_case(new_page, live_server, world):
    referral = services.referral_submit(
        school=world.school,
        actor=world.teacher,
        student=world.student_a,
        categories=[category(world.school)],
        observation="Stops working after ten minutes.",
        observed_since=Since.WEEKS,
    )
    referral = casework_services.referral_accept(referral=referral, actor=world.counselor, message="We take it on.")
    case = referral.case
    case.status = CaseStatus.ACTIVE
    case.save(update_fields=["status"])
    casework_services.case_close(
        case=case, actor=world.counselor, outcome=Outcome.IMPROVED, final_note="Scores rose from 55 to 68."
    )

    page = new_page(PHONE, has_touch=True, is_mobile=True)
    sign_in(page, live_server.url, "teacher")
    page.goto(f"{live_server.url}/referrals/")
    card = page.locator(".card", has_text="Andi Pratama")
    expect(card.locator("[data-case-state]")).to_have_text("Case closed: Improved")
    expect(card).to_contain_text(re.compile(r"since \d+ \w+ \d{4}"))
    assert badges_without_text(page) == []
    assert_no_horizontal_scroll(page)
    screenshot(page, "referrer-follows-case-list-phone")

    # The referral page says the same and leads into the case.
    card.get_by_role("link", name=re.compile("Andi Pratama")).click()
    progress = page.locator("[data-case-progress]")
    expect(progress).to_contain_text("Case closed: Improved")
    progress.get_by_role("link", name=f"Case {case.number}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Case {case.number}")
    expect(page.locator("#status")).to_contain_text("Outcome: Improved")

    # Reopened: the list follows.
    case.refresh_from_db()
    casework_services.case_reopen(case=case, actor=world.counselor, reason="Slipping again after the holidays.")
    page.goto(f"{live_server.url}/referrals/")
    expect(page.locator(".card", has_text="Andi Pratama").locator("[data-case-state]")).to_have_text("Case reopened")
    screenshot(page, "referrer-follows-case-reopened-phone")
