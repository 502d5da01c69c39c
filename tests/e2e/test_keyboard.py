"""Keyboard only: filing a referral, a triage decision and an evaluation entry.

Nothing here clicks. Focus moves with Tab (and the arrow keys inside a radio
group or a list box), boxes are ticked with Space, buttons and links are used
with Enter. Every element that receives focus on the way must show it: an
outline or a focus ring (box-shadow).
"""

import re

import pytest

from tests.e2e.conftest import expect, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUS_STYLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  const ring = s.boxShadow && s.boxShadow !== 'none';
  return {visible: outline || ring, what: el.tagName + (el.id ? '#' + el.id : '') + ' ' + (el.innerText || el.name || '').trim().slice(0, 40)};
}"""


class Keyboard:
    """Moves focus with the keyboard and remembers any element whose focus was invisible."""

    def __init__(self, page):
        self.page = page
        self.invisible = []

    def _check_focus(self):
        state = self.page.evaluate(FOCUS_STYLE)
        if state and not state["visible"]:
            self.page.wait_for_timeout(250)  # a focus ring may still be fading in (CSS transition)
            state = self.page.evaluate(FOCUS_STYLE)
        if state and not state["visible"]:
            self.invisible.append(state["what"])

    def tab_to(self, locator, limit=120):
        """Press Tab until ``locator`` has focus."""
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            self._check_focus()
            if locator.evaluate("el => el === document.activeElement"):
                return
        raise AssertionError(f"{locator} never received focus after {limit} presses of Tab")

    def press(self, key):
        self.page.keyboard.press(key)
        self._check_focus()

    def follow(self, key="Enter"):
        """Press a key on a link or submit button and wait for the next page."""
        with self.page.expect_navigation():
            self.page.keyboard.press(key)

    def type(self, text):
        self.page.keyboard.type(text)

    def assert_focus_always_visible(self):
        assert not self.invisible, f"focus not visible on: {sorted(set(self.invisible))}"


def test_a_referral_filed_with_the_keyboard(new_page, live_server, world):
    page = new_page()
    sign_in(page, live_server.url, "teacher")
    page.goto(f"{live_server.url}/referrals/")
    keys = Keyboard(page)

    keys.tab_to(page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Refer a student"))
    keys.follow()
    search = page.get_by_label("Find the student")
    expect(search).to_be_focused()  # the search box has autofocus
    keys.type("Andi")
    result = page.get_by_role("link", name=re.compile("Andi Pratama"))
    expect(result).to_be_visible()
    keys.tab_to(result)
    keys.follow()

    expect(page.get_by_role("heading", name="Student", exact=True)).to_be_visible()
    keys.tab_to(page.get_by_label("Low achievement"))
    keys.press("Space")
    expect(page.get_by_label("Low achievement")).to_be_checked()
    keys.tab_to(page.get_by_label("What did you observe?"))
    keys.type("Loses focus after ten minutes.")
    keys.tab_to(page.get_by_label("A few days"))  # Tab enters the radio group; arrows choose
    keys.press("ArrowDown")
    expect(page.get_by_label("A few weeks")).to_be_checked()
    keys.tab_to(page.get_by_role("button", name="Send referral"))
    screenshot(page, "keyboard-referral-submit-focused")
    keys.follow()

    expect(page.locator(".messages")).to_contain_text("Your referral was filed")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Referral for Andi Pratama")
    keys.assert_focus_always_visible()


def test_a_triage_decision_with_the_keyboard(new_page, live_server, world):
    from tests.referrals.factories import ReferralFactory

    referral = ReferralFactory(school=world.school, student=world.student_a, referred_by=world.teacher)
    page = new_page()
    sign_in(page, live_server.url, "counselor")
    page.goto(f"{live_server.url}/triage/")
    keys = Keyboard(page)

    keys.tab_to(page.get_by_role("link", name="Andi Pratama"))
    keys.follow()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Referral for Andi Pratama")
    keys.tab_to(page.get_by_label("What would you like the teacher to add?"))
    keys.type("Which topics are hardest?")
    keys.tab_to(page.get_by_role("button", name="Send question"))
    keys.follow()

    expect(page.locator(".messages")).to_contain_text("Your question was sent to the teacher.")
    referral.refresh_from_db()
    assert referral.status == "needs_info"
    keys.assert_focus_always_visible()


def test_an_evaluation_entry_with_the_keyboard(new_page, live_server, world):
    from tests.casework.factories import planned_case

    case = planned_case(world, student=world.student_b)
    page = new_page()
    sign_in(page, live_server.url, "teacher")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    keys = Keyboard(page)

    keys.tab_to(page.get_by_role("link", name="Evaluation log"))  # the case's own table of contents
    keys.press("Enter")
    summary = page.locator("#log summary", has_text="Add an entry")
    keys.tab_to(summary)
    keys.press("Enter")
    form = page.locator("#log form")
    expect(form).to_be_visible()
    goal = form.get_by_label("Goal")
    keys.tab_to(goal)
    keys.press("ArrowDown")
    expect(goal).not_to_have_value("")
    keys.tab_to(form.get_by_label("Measured value"))
    keys.type("61")
    keys.tab_to(form.get_by_label("Note"))
    keys.type("Fractions quiz after practice.")
    keys.tab_to(form.get_by_role("button", name="Add entry"))
    keys.follow()

    expect(page.locator(".messages")).to_contain_text("Your entry was added to the evaluation log.")
    expect(page.locator("#log")).to_contain_text("Measured: 61 points")
    keys.assert_focus_always_visible()
