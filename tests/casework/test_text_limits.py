"""Every free text has a maximum, in the form and in the database, with a counter;
long texts fold on the case page (#12)."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.policy import Actor
from casework import services
from casework.models import Case, ConfidentialNote, EvaluationEntry, Meeting
from common.limits import MINUTES_LIMIT, SHORT_TEXT_LIMIT, TEXT_LIMIT
from common.rules import RuleError
from referrals.models import Referral
from tests.casework.factories import planned_case

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("model", "field", "limit"),
    [
        (Case, "summary", TEXT_LIMIT),
        (Case, "counselor_assessment", TEXT_LIMIT),
        (Case, "classroom_guidance", SHORT_TEXT_LIMIT),
        (Meeting, "agenda", SHORT_TEXT_LIMIT),
        (Meeting, "minutes", MINUTES_LIMIT),
        (EvaluationEntry, "note", TEXT_LIMIT),
        (Referral, "observation", TEXT_LIMIT),
        (Referral, "already_tried", TEXT_LIMIT),
        (Referral, "latest_feedback", TEXT_LIMIT),
    ],
)
def test_the_database_refuses_a_text_over_its_limit(world, model, field, limit):
    case = planned_case(world)
    row = {Case: case, Meeting: case.meeting, EvaluationEntry: case.entry}.get(model) or case.referrals.first()
    assert model._meta.get_field(field).max_length == limit
    model.objects.filter(pk=row.pk).update(**{field: "x" * limit})
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=row.pk).update(**{field: "x" * (limit + 1)})


def test_a_confidential_note_over_its_limit_is_refused_by_the_service(world):
    case = planned_case(world)
    with pytest.raises(RuleError) as refused:
        services.note_add(case=case, actor=Actor(world.counselor), body="x" * (TEXT_LIMIT + 1))
    assert refused.value.field == "body"
    assert not ConfidentialNote.objects.exists()


def test_the_form_answers_next_to_the_field_and_shows_the_counter(world, client):
    case = planned_case(world)
    client.force_login(world.counselor)
    url = reverse("casework:summary", args=[case.pk])
    response = client.post(url, {"summary": "x" * (TEXT_LIMIT + 1), "version": case.version})
    assert response.status_code == 200
    assert "at most 4000 characters" in response.context["form"].errors["summary"][0]
    # The case page draws the form when opened: the fetched form has the limit and its counter.
    page = client.get(reverse("casework:detail", args=[case.pk])).text
    assert "js/char-counter.js" in page and "js/on-demand-forms.js" in page
    fragment = client.get(url, {"fragment": "1"}).text
    assert f'maxlength="{TEXT_LIMIT}"' in fragment
    assert 'data-counter-for="id_summary_summary"' in fragment and "Up to 4,000 characters." in fragment


def test_long_texts_fold_on_the_case_page(world, client):
    case = planned_case(world)
    Case.objects.filter(pk=case.pk).update(summary="Long summary. " * 200)
    EvaluationEntry.objects.filter(pk=case.entry.pk).update(note="short note")
    client.force_login(world.counselor)
    page = client.get(reverse("casework:detail", args=[case.pk])).text
    assert page.count('<details class="long-text">') == 1
    assert "Show all" in page and "<p>short note</p>" in page
