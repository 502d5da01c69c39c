"""Keyboard only: filing a referral, the triage decisions and an evaluation entry.

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


def _open_from_triage(new_page, live_server, world):
    """A counselor opens a teacher's referral of Andi from /triage/ with the keyboard."""
    from tests.referrals.factories import ReferralFactory

    referral = ReferralFactory(school=world.school, student=world.student_a, referred_by=world.teacher)
    page = new_page()
    sign_in(page, live_server.url, "counselor")
    page.goto(f"{live_server.url}/triage/")
    keys = Keyboard(page)

    keys.tab_to(page.get_by_role("link", name="Andi Pratama"))
    keys.follow()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Referral for Andi Pratama")
    return referral, page, keys


def _status_badge(page):
    """The referral's status badge under its heading (the urgency badge follows it)."""
    return page.locator("h1 + p .badge").first


def test_a_triage_decision_with_the_keyboard(new_page, live_server, world):
    referral, page, keys = _open_from_triage(new_page, live_server, world)
    keys.tab_to(page.get_by_label("What would you like the teacher to add?"))
    keys.type("Which topics are hardest?")
    keys.tab_to(page.get_by_role("button", name="Send question"))
    keys.follow()

    expect(page.locator(".messages")).to_contain_text("Your question was sent to the teacher.")
    expect(_status_badge(page)).to_have_text("Needs information")
    referral.refresh_from_db()
    assert referral.status == "needs_info"
    keys.assert_focus_always_visible()


def test_accepting_into_a_new_case_with_the_keyboard(new_page, live_server, world):
    referral, page, keys = _open_from_triage(new_page, live_server, world)
    lead = page.get_by_label("Lead counselor")
    expect(lead).to_have_value(str(world.counselor.pk))  # the counselor accepting, unless chosen otherwise
    keys.tab_to(lead)
    keys.type("Agus")  # a closed list box selects the option whose text starts with what is typed
    expect(lead).to_have_value(str(world.counselor2.pk))
    keys.tab_to(page.get_by_role("button", name="Accept and open a case"))
    keys.follow()

    # The counselor lands on the new case (issue #12).
    expect(page.locator(".messages")).to_contain_text("The referral was accepted. The teacher has been told.")
    expect(page).to_have_url(re.compile(r"/cases/\d+/$"))

    referral.refresh_from_db()
    assert referral.status == "accepted"
    assert referral.case.lead_counselor == world.counselor2
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Case {referral.case.number}: Andi Pratama")
    lead_on_case = page.locator("#overview dt", has_text="Lead counselor").locator("xpath=following-sibling::dd[1]")
    expect(lead_on_case).to_have_text("Agus Salim")
    keys.assert_focus_always_visible()

    # The referral's page still tells what became of it.
    page.goto(live_server.url + referral.get_absolute_url())
    expect(_status_badge(page)).to_have_text("Accepted")
    outcome = page.locator("h1 ~ .alert", has=page.get_by_role("link", name=re.compile(r"^Case \d{4}-\d{4}$")))
    expect(outcome).to_contain_text("lead counselor: Agus Salim")


def test_declining_with_a_reason_with_the_keyboard(new_page, live_server, world):
    reason = "Handled in class: pair Andi with a classmate for fractions and refer again in a month."
    referral, page, keys = _open_from_triage(new_page, live_server, world)
    keys.tab_to(page.get_by_label("Reason, shown to the teacher"))
    keys.type(reason)
    keys.tab_to(page.get_by_role("button", name="Decline with this reason"))
    keys.follow()

    expect(page.locator(".messages")).to_contain_text("The referral was declined. The teacher sees your reason.")
    expect(_status_badge(page)).to_have_text("Declined")
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason) == ("declined", reason)
    keys.assert_focus_always_visible()

    # The teacher reads the reason, on the card in "My referrals" and on the referral.
    teacher = new_page()
    sign_in(teacher, live_server.url, "teacher")
    teacher.goto(f"{live_server.url}/referrals/")
    card = teacher.locator("li.card", has_text="Andi Pratama")
    expect(card.locator(".badge").first).to_have_text("Declined")
    expect(card).to_contain_text(reason)
    keys = Keyboard(teacher)
    keys.tab_to(card.get_by_role("link", name=re.compile("Andi Pratama")))
    keys.follow()
    expect(_status_badge(teacher)).to_have_text("Declined")
    outcome = teacher.locator("h1 ~ .alert", has_text="The reason:")
    expect(outcome).to_contain_text("Declined by Dewi Kartika. The reason:")
    expect(outcome).to_contain_text(reason)
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
    # A link that fetches the form in place (static/js/on-demand-forms.js).
    opener = page.locator("#log").get_by_role("link", name="Add an entry")
    keys.tab_to(opener)
    keys.press("Enter")
    form = page.locator("#log [data-form-slot] form")
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
