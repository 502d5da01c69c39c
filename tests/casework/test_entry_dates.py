"""An evaluation entry's date lies between the case's opening and today (#12)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.policy import Actor
from casework import services
from casework.models import Case, EntryKind, EvaluationEntry
from common.rules import RuleError
from tests.casework.factories import planned_case

pytestmark = pytest.mark.django_db


def _opened_days_ago(case, days):
    Case.objects.filter(pk=case.pk).update(opened_at=timezone.now() - datetime.timedelta(days=days))
    case.refresh_from_db()
    return case


def test_the_service_refuses_a_date_before_the_case_was_opened(world):
    case = _opened_days_ago(planned_case(world), 10)
    with pytest.raises(RuleError, match="before the case was opened") as refused:
        services.entry_add(
            case=case,
            actor=Actor(world.counselor),
            kind=EntryKind.SESSION,
            date=datetime.date(2020, 1, 1),
            note="Long ago",
        )
    assert refused.value.field == "date"
    # The opening day itself and today are fine.
    for day in (timezone.localdate(case.opened_at), timezone.localdate()):
        services.entry_add(case=case, actor=Actor(world.counselor), kind=EntryKind.SESSION, date=day)


def test_the_service_refuses_a_date_in_the_future(world):
    case = planned_case(world)
    with pytest.raises(RuleError, match="future") as refused:
        services.entry_add(
            case=case,
            actor=Actor(world.counselor),
            kind=EntryKind.SESSION,
            date=timezone.localdate() + datetime.timedelta(days=1),
        )
    assert refused.value.field == "date"


def test_the_form_says_so_next_to_the_date(world, client):
    case = _opened_days_ago(planned_case(world), 10)
    before = EvaluationEntry.objects.count()
    client.force_login(world.counselor)
    response = client.post(
        reverse("casework:entry_add", args=[case.pk]),
        {"kind": EntryKind.SESSION, "date": "2020-01-01", "note": "Long ago"},
    )
    assert response.status_code == 200
    assert "before the case was opened" in " ".join(response.context["form"].errors["date"])
    assert EvaluationEntry.objects.count() == before
