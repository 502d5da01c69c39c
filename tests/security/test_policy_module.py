"""accounts.policy stands alone: it imports no domain app, and its grants are
the same for URLs, templates and code."""

import ast
from pathlib import Path

import pytest

from accounts import policy
from accounts.policy import URL_POLICY, Actor, May, may_download_meeting

DOMAIN_APPS = ("referrals", "casework", "roster", "reports", "privacy", "notifications", "audit")


def test_the_policy_module_imports_no_domain_app_even_inside_functions():
    tree = ast.parse(Path(policy.__file__).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
    assert not imported & set(DOMAIN_APPS)


def test_every_scope_and_own_row_of_the_table_has_a_registered_lookup():
    for name, rule in URL_POLICY.items():
        if rule.scope == "own":
            assert name in policy._OWN_ROWS, name
        elif rule.scope is not None:
            assert rule.scope in policy._SCOPES, name


def test_the_meeting_calendar_rule_is_one_grant_for_url_and_template():
    assert URL_POLICY["casework:meeting_ics"].grant is may_download_meeting


@pytest.mark.django_db
def test_the_templates_may_object_answers_as_the_grants(world):
    for user in (world.teacher, world.counselor, world.vp, world.admin):
        actor = Actor(user)
        may = May(actor)
        assert may.lead_case == policy.may_lead_case(actor)
        assert may.view_reports == policy.may_view_reports(actor)
        assert may.view_audit == policy.may_view_audit(actor)
    with pytest.raises(AttributeError):
        May(Actor(world.teacher)).no_such_grant
