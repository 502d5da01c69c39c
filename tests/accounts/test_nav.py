"""The main menu shows each role what it may use, and nothing else.

partials/nav_items.html decides by role; partials/nav.html adds the user menu,
where the admin site link appears for staff users only. Every role reads the
same page (the school overview, open to everyone) so only the menu differs.
"""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

# label -> URL name, for every link the menu can show.
MENU = {
    "Refer a student": "referrals:new",
    "My referrals": "referrals:list",
    "Triage": "referrals:triage",
    "Caseload": "casework:caseload",
    "My tasks": "casework:tasks",
    "Reports": "reports:index",
    "My school": "roster:overview",
    "Import roster": "roster:import",
    "Audit trail": "audit:list",
    "Administration": "admin:index",
}

EXPECTED = {
    "teacher": {"Refer a student", "My referrals", "My tasks", "My school"},
    # A homeroom teacher is a teacher: homeroom duty adds no menu entries.
    "homeroom": {"Refer a student", "My referrals", "My tasks", "My school"},
    "counselor": {"Triage", "Caseload", "My tasks", "My school", "Audit trail"},
    # The demo vice principal also teaches.
    "vp": {"Refer a student", "My referrals", "My tasks", "Reports", "My school", "Audit trail"},
    "admin": {"My school", "Import roster", "Audit trail", "Administration"},
}


class _HeaderLinks(HTMLParser):
    """Collects (text, href) of every link inside the page's <header>."""

    def __init__(self):
        super().__init__()
        self.links = []
        self._in_header = 0
        self._href = None
        self._text = []

    def handle_starttag(self, tag, attrs):
        if tag == "header":
            self._in_header += 1
        elif tag == "a" and self._in_header:
            self._href = dict(attrs).get("href")
            self._text = []

    def handle_endtag(self, tag):
        if tag == "header":
            self._in_header -= 1
        elif tag == "a" and self._href is not None:
            self.links.append((" ".join("".join(self._text).split()), self._href))
            self._href = None

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)


def menu_links(response):
    parser = _HeaderLinks()
    parser.feed(response.content.decode())
    return {text: href for text, href in parser.links if text in MENU}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_sees_its_menu(login, world, role):
    response = login(world.roles[role]).get(reverse("roster:overview"))
    assert response.status_code == 200
    links = menu_links(response)
    assert set(links) == EXPECTED[role]
    for label, href in links.items():
        assert href == reverse(MENU[label]), label


@pytest.mark.parametrize(
    ("role", "absent"),
    [
        ("teacher", {"Triage", "Caseload", "Reports", "Import roster", "Audit trail", "Administration"}),
        ("homeroom", {"Triage", "Caseload", "Reports", "Import roster", "Audit trail", "Administration"}),
        ("counselor", {"Refer a student", "My referrals", "Reports", "Import roster", "Administration"}),
        ("vp", {"Triage", "Caseload", "Import roster", "Administration"}),
        ("admin", {"Refer a student", "My referrals", "Triage", "Caseload", "My tasks", "Reports"}),
    ],
)
def test_it_hides_what_the_role_may_not_use(login, world, role, absent):
    response = login(world.roles[role]).get(reverse("roster:overview"))
    html = response.content.decode()
    assert not absent & set(menu_links(response))
    # Not even as a bare URL elsewhere in the header.
    header = html[html.index("<header") : html.index("</header>")]
    for label in absent:
        assert f'href="{reverse(MENU[label])}"' not in header, label


def test_the_menu_links_work_for_their_role(login, world):
    """Every link a role is shown opens for that role."""
    for role in EXPECTED:
        client = login(world.roles[role])
        for label, href in menu_links(client.get(reverse("roster:overview"))).items():
            assert client.get(href).status_code == 200, (role, label)


def test_a_signed_out_visitor_sees_no_menu(client, db):
    response = client.get(reverse("login"))
    assert menu_links(response) == {}
