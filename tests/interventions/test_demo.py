"""seed_demo gives the library, and a case whose last four points fall below
the aim line: the counselor's caseload says it needs a decision."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from casework.models import ActionSession
from interventions.catalogue import STARTING_LIBRARY
from interventions.models import Group, GroupSession, Strategy, StrategyUse


@pytest.mark.django_db
def test_seed_demo_library_and_a_case_that_needs_a_decision(settings, client):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")  # twice: nothing doubles
    assert Strategy.objects.count() == len(STARTING_LIBRARY)
    use = StrategyUse.objects.select_related("action__case").get()
    assert ActionSession.objects.filter(action=use.action, held=False).count() == 1
    group = Group.objects.get()
    assert group.members.count() == 3
    assert GroupSession.objects.filter(group=group).count() == 3
    client.force_login(User.objects.get(username="counselor"))
    caseload = client.get(reverse("casework:caseload"), {"page": 1})
    assert caseload.status_code == 200
    case = use.action.case
    page = client.get(reverse("casework:detail", args=[case.pk])).text
    assert 'data-suggestion="change"' in page
    needing = [c.pk for c in caseload.context["page_obj"] if c.needs_decision]
    assert case.lead_counselor.username == "counselor"
    assert case.pk in needing
