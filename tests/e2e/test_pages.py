"""Every main page, for every role, at phone and desktop sizes.

The demo school (`seed_demo`) gives realistic pages: long lists, charts with
measurements, cases in every state. Each role signs in once; each page is
opened at 375×667 and again at desktop width on the same tab. Checked:

- axe-core: no violation of serious or critical impact (both sizes);
- phone: no horizontal scrolling on any page, and on the pages the issue names
  (the referral form, /referrals/, /tasks/, the case record) no touch target
  under 44×44 px;
- a screenshot of each page at each size, saved as a CI artefact.

Every problem is collected and reported at once, so one run shows the full list.
"""

from pathlib import Path

import pytest
from django.core.management import call_command

from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    assert_no_horizontal_scroll,
    axe_violations,
    badges_without_text,
    charts_without_tables,
    duplicate_ids,
    expect,
    screenshot,
    sign_in,
    small_touch_targets,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = ["teacher", "homeroom", "counselor", "vp", "admin"]
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
BAD_ROSTER = b"nisn,nis,nama,jk,tanggal_lahir,kelas\n12345,1,,X,31/02/2013,VII-Z\n0081234599,2,Budi,L,01/01/2013,\n"

# Pages each role must be able to open (200). Others in the list below are
# checked when the role can open them and skipped when it gets 403/404.
EXPECTED = {
    "teacher": {
        "home",
        "referral-form",
        "referral-form-student",
        "referrals",
        "referral",
        "case",
        "case-print",
        "case-classroom",
        "tasks",
        "library",
        "groups",
    },
    "homeroom": {
        "home",
        "referral-form",
        "referrals",
        "referral",
        "case",
        "tasks",
        "library",
        "early-warning",
        "scores",
    },
    "counselor": {
        "home",
        "referral",
        "triage",
        "cases",
        "case",
        "case-print",
        "case-classroom",
        "tasks",
        "audit",
        "library",
        "case-library",
        "groups",
        "group",
        "early-warning",
        "forums",
        "forum",
        "forum-schedule",
    },
    "vp": {
        "home",
        "case",
        "case-print",
        "tasks",
        "reports",
        "audit",
        "library",
        "groups",
        "group",
        "forums",
        "forum",
        "forum-schedule",
        "forum-settings",
    },
    "admin": {"home", "roster", "roster-import", "audit", "school-data-import"},
}
COMMON = {"notifications", "notification-settings", "roster", "profile"}

# What each page's <h1> says (its msgid, read in the page's language), so that a
# page that renders but shows the wrong thing (an error page, another page) fails.
HEADINGS = {
    "referral-form": "Refer a student",
    "referral-form-student": "Refer a student",
    "referrals": "My referrals",
    "triage": "Triage",
    "cases": "My caseload",
    "tasks": "My tasks",
    "reports": "School-wide report",
    "notifications": "Notifications",
    "notification-settings": "Notification settings",
    "roster-import": "Import roster",
    "roster-import-preview": "Import roster",
    "roster-import-problems": "Import roster",
    "audit": "Audit trail",
    "profile": "My profile",
    "library": "Intervention library",
    "case-library": "Plan from the library",
    "groups": "Group interventions",
    "early-warning": "Early warning",
    "scores": "Enter scores",
    "school-data-import": "Import grades and attendance",
    "forums": "Coordination forum",
    "forum": "Coordination forum",
    "forum-schedule": "Schedule the next forum",
    "forum-settings": "Forum settings",
}

# The pages the issue names for phones: no horizontal scrolling, 44 px targets.
PHONE_STRICT = {"referral-form", "referral-form-student", "referrals", "tasks", "case", "case-classroom"}


def _objects_for(username):
    """A referral, a case and a student the user may see, chosen to show as much as possible."""
    from django.db.models import Count, Q

    from accounts.models import User
    from accounts.policy import Actor
    from casework.models import Case
    from referrals import selectors
    from referrals.models import Referral, Status

    user = User.objects.get(username=username)
    actor = Actor(user)
    ids = {}
    if actor.school is None:
        return ids
    referrals = Referral.objects.visible_to(actor)
    if actor.is_teacher:
        referrals = referrals.filter(referred_by=user) or referrals
    referral = (
        referrals.filter(status=Status.SUBMITTED).order_by("pk").first()
        if actor.is_counselor
        else referrals.order_by("-pk").first()
    )
    if referral:
        ids["referral"] = referral.pk
    # A case with a plan, meetings and measured progress (a chart), but not the
    # longest log: the same parts of the page, checked faster.
    case = (
        Case.objects.visible_to(actor)
        .annotate(
            n_goals=Count("goals", distinct=True),
            n_entries=Count("entries", distinct=True),
            n_measured=Count("entries", filter=Q(entries__measured_value__isnull=False), distinct=True),
            n_meetings=Count("meetings", distinct=True),
        )
        .filter(n_measured__gt=0, n_meetings__gt=0)
        .order_by("n_entries", "pk")
        .first()
    ) or Case.objects.visible_to(actor).order_by("pk").first()
    if case:
        ids["case"] = case.pk
    from interventions.models import Group

    group = Group.objects.visible_to(actor).order_by("pk").first()
    if group:
        ids["group"] = group.pk
    from forums.models import Sitting

    sitting = Sitting.objects.visible_to(actor).order_by("-starts_at").first()
    if sitting:
        ids["forum"] = sitting.pk
    if actor.is_teacher:
        student = selectors.students_for_form(actor.school).order_by("pk").first()
        ids["student"] = student.pk
    return ids


def _pages(ids):
    pages = [
        ("referral-form", "/referrals/new/"),
        ("referrals", "/referrals/"),
        ("triage", "/triage/"),
        ("cases", "/cases/"),
        ("tasks", "/tasks/"),
        ("reports", "/reports/"),
        ("notifications", "/notifications/"),
        ("notification-settings", "/notifications/settings/"),
        ("roster", "/roster/"),
        ("roster-import", "/roster/import/"),
        ("school-data-import", "/school-data/import/"),
        ("early-warning", "/school-data/early-warning/"),
        ("scores", "/school-data/scores/"),
        ("audit", "/audit/"),
        ("profile", "/accounts/profile/"),
        ("library", "/interventions/"),
        ("groups", "/groups/"),
        ("forums", "/forums/"),
        ("forum-schedule", "/forums/schedule/"),
        ("forum-settings", "/forums/settings/"),
    ]
    if "student" in ids:
        pages.insert(1, ("referral-form-student", f"/referrals/new/?student={ids['student']}"))
    if "referral" in ids:
        pages.append(("referral", f"/referrals/{ids['referral']}/"))
    if "case" in ids:
        pages.append(("case", f"/cases/{ids['case']}/"))
        pages.append(("case-print", f"/cases/{ids['case']}/print/"))
        pages.append(("case-classroom", f"/cases/{ids['case']}/classroom/"))
        pages.append(("case-library", f"/cases/{ids['case']}/interventions/"))
    if "group" in ids:
        pages.append(("group", f"/groups/{ids['group']}/"))
    if "forum" in ids:
        pages.append(("forum", f"/forums/{ids['forum']}/"))
    # Last: home sends each role to its main page, usually one checked above.
    pages.append(("home", "/"))
    return pages


@pytest.fixture
def demo_school(settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    settings.DEBUG = False


def _check_page(page, role, name, url, problems, seen=None, ids=None):
    """Open ``url`` (or check the page already open when url is None) and check it.

    A page reached before under another name (home redirects to the role's main
    page) is not checked twice."""
    # Phone first.
    page.set_viewport_size(PHONE)
    if url is not None:
        response = page.goto(url)
        status = response.status if response else 0
        if status != 200:
            return status
        if seen is not None:
            if page.url in seen:
                return 200
            seen[page.url] = name
    if page.locator("h1").count() != 1:
        problems.append(f"{role} {name}: {page.locator('h1').count()} <h1> elements")
    else:
        heading = page.locator("h1").inner_text()
        expected = _expected_heading(page, name, ids)
        if expected and expected not in heading:
            problems.append(f"{role} {name}: the heading is {heading!r}, not {expected!r}")
    for check, what in (
        (badges_without_text, "badges without text"),
        (charts_without_tables, "charts without a table"),
    ):
        found = check(page)
        if found:
            problems.append(f"{role} {name}: {what}: {found[:5]}")
    duplicates = duplicate_ids(page)
    if duplicates:
        problems.append(f"{role} {name}: ids used more than once: {duplicates[:8]}")
    screenshot(page, f"{role}-{name}-phone")
    # The folded parts (forms behind "Add a goal", filters, optional fields)
    # are checked open, as a user who opens them sees them.
    _unfold(page, True)
    for violation in axe_violations(page):
        problems.append(f"{role} {name} phone: axe {violation}")
    try:
        assert_no_horizontal_scroll(page)
    except AssertionError as error:
        problems.append(f"{role} {name} phone: {error}")
    if name in PHONE_STRICT:
        small = small_touch_targets(page)
        if small:
            problems.append(f"{role} {name} phone: touch targets under 44px: {small[:8]}")
    # The same page at desktop width.
    page.set_viewport_size(DESKTOP)
    for violation in axe_violations(page):
        problems.append(f"{role} {name} desktop: axe {violation}")
    _unfold(page, False)
    screenshot(page, f"{role}-{name}-desktop")
    return 200


def _expected_heading(page, name, ids):
    """The text the page's <h1> must hold: its title in the page's language, or
    the record it shows."""
    from django.utils import translation
    from django.utils.translation import gettext

    from casework.models import Case
    from roster.models import School

    ids = ids or {}
    if name in HEADINGS:
        with translation.override(page.locator("html").get_attribute("lang") or "id"):
            return gettext(HEADINGS[name])
    if name == "referral":
        return f"#{ids['referral']}"
    if name in ("case", "case-print"):
        return Case.objects.get(pk=ids["case"]).number
    if name == "case-classroom":
        return Case.objects.select_related("student").get(pk=ids["case"]).student.full_name
    if name == "roster":
        return School.objects.order_by("pk").first().name
    return None  # home: whichever page the role starts on, checked under its own name


def _unfold(page, unfold):
    """Open every closed <details> (remembering which), or close those again.
    Forms drawn on demand (links with data-on-demand-form, static/js/on-demand-forms.js)
    are opened once, fetched into the page, and then shown or hidden."""
    page.evaluate(
        """(unfold) => document.querySelectorAll(unfold ? 'details:not([open])' : 'details[data-unfolded]').forEach(d => {
             d.open = unfold; if (unfold) { d.dataset.unfolded = '1'; } else { delete d.dataset.unfolded; } })""",
        unfold,
    )
    for link in page.locator("a[data-on-demand-form]").all():
        if (link.get_attribute("aria-expanded") == "true") != unfold and link.is_visible():
            link.click()
            expect(link).to_have_attribute("aria-expanded", "true" if unfold else "false")
    # No link left hovered or focused by those clicks (a button mid-transition fails contrast).
    page.mouse.move(0, 0)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.wait_for_timeout(300)


def _upload_roster(page, base_url, content, filename):
    """The admin uploads a roster file; the page shows the preview or the problems."""
    page.set_viewport_size(PHONE)
    page.goto(f"{base_url}/roster/import/")
    page.locator("input[type=file]").set_input_files({"name": filename, "mimeType": "text/csv", "buffer": content})
    page.locator("form button[type=submit][value=preview]").click()
    page.wait_for_load_state()


def test_every_main_page_for_every_role(new_page, live_server, demo_school):
    problems = []
    for role in ROLES:
        ids = _objects_for(role)
        page = new_page(DESKTOP)
        sign_in(page, live_server.url, role)
        assert "/accounts/login/" not in page.url, f"{role} could not sign in"
        opened, seen = set(), {}
        for name, path in _pages(ids):
            status = _check_page(page, role, name, live_server.url + path, problems, seen, ids)
            if status == 200:
                opened.add(name)
            elif status not in (403, 404):
                problems.append(f"{role} {name}: HTTP {status}")
        if role == "admin":
            # The import's preview and its list of problems (nothing is imported).
            _upload_roster(page, live_server.url, EXAMPLES.joinpath("students.csv").read_bytes(), "students.csv")
            _check_page(page, role, "roster-import-preview", None, problems)
            if page.locator("#import-preview-heading").count() != 1 or page.locator("table tbody tr").count() == 0:
                problems.append("admin roster-import-preview: no preview of the rows")
            _upload_roster(page, live_server.url, BAD_ROSTER, "students.csv")
            _check_page(page, role, "roster-import-problems", None, problems)
            if page.locator("#import-errors-heading").count() != 1:
                problems.append("admin roster-import-problems: the problems are not listed")
        missing = (EXPECTED[role] | COMMON) - opened
        if missing:
            problems.append(f"{role} could not open: {sorted(missing)}")
        page.context.close()
    assert not problems, "\n".join(problems)
