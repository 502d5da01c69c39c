"""A case with a long history (issue #16): the case page folds its log and its
timeline to the newest rows with plain links to all of them, draws no form
until one is opened (the link fetches the form alone), and its cost does not
grow with the history. The caseload draws no follow-up form either."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.models import CaseEvent, CaseEventKind, EntryKind, EvaluationEntry
from casework.selectors import ENTRIES_SHOWN, TIMELINE_SHOWN
from tests.casework.factories import planned_case

pytestmark = pytest.mark.django_db


def grow(case, author, entries, events):
    today = timezone.localdate()
    EvaluationEntry.objects.bulk_create(
        EvaluationEntry(case=case, author=author, kind=EntryKind.OBSERVATION, date=today, note=f"entry number {i}")
        for i in range(entries)
    )
    start = timezone.now() - datetime.timedelta(days=100)
    CaseEvent.objects.bulk_create(
        CaseEvent(case=case, actor=author, kind=CaseEventKind.ENTRY_ADDED, message=f"event number {i}")
        for i in range(events)
    )
    # Events in order, the last one the newest.
    for i, pk in enumerate(CaseEvent.objects.filter(case=case, message__startswith="event number").order_by("pk")):
        CaseEvent.objects.filter(pk=pk.pk).update(created_at=start + datetime.timedelta(hours=i))


def test_the_case_page_folds_a_long_log_and_timeline(world, login):
    case = planned_case(world)
    grow(case, world.counselor, 200, 500)
    client = login(world.counselor)
    response = client.get(case.get_absolute_url())
    page = response.context["page"]
    assert len(page.entries) == ENTRIES_SHOWN and page.entries_folded and page.entry_count >= 200
    assert len(page.timeline) == TIMELINE_SHOWN and page.timeline_folded
    text = response.text
    assert "?log=all#log" in text and "?timeline=all#timeline" in text
    assert "event number 499" in text and "event number 400" not in text
    assert text.count("entry number") == ENTRIES_SHOWN

    # The plain links show everything.
    everything = client.get(case.get_absolute_url(), {"log": "all", "timeline": "all"})
    assert len(everything.context["page"].entries) == page.entry_count
    assert not everything.context["page"].timeline_folded
    assert "event number 0" in everything.text


def test_a_short_case_is_not_folded(world, login):
    case = planned_case(world)
    response = login(world.counselor).get(case.get_absolute_url())
    page = response.context["page"]
    assert not page.entries_folded and not page.timeline_folded
    assert "?log=all" not in response.text and "?timeline=all" not in response.text


def test_the_case_page_draws_forms_only_when_opened(world, login):
    case = planned_case(world)
    client = login(world.counselor)
    text = client.get(case.get_absolute_url()).text
    entry_url = reverse("casework:entry_add", args=[case.pk])
    # A plain link (works without JavaScript) that on-demand-forms.js turns into the form fetched in place.
    assert f'href="{entry_url}" data-on-demand-form' in text
    assert 'name="note"' not in text
    full = client.get(entry_url)
    assert full.status_code == 200 and "<html" in full.text and 'name="note"' in full.text
    fragment = client.get(entry_url, {"fragment": "1"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert fragment["X-Sinergi-Fragment"] == "form" and not full.has_header("X-Sinergi-Fragment")
    assert 'name="note"' in fragment.text and 'id="id_entry_add_note"' in fragment.text


def test_a_fragment_is_refused_like_its_page(world, login):
    case = planned_case(world)
    url = reverse("casework:note_add", args=[case.pk])
    # A teacher on the team may not write confidential notes: no form, with or without ?fragment=1.
    assert login(world.teacher).get(url, {"fragment": "1"}).status_code == 403


def test_the_caseload_draws_no_follow_up_form(world, login):
    case = planned_case(world)
    client = login(world.counselor)
    text = client.get(reverse("casework:caseload")).text
    url = reverse("casework:follow_up_add", args=[case.pk])
    assert f'href="{url}?next=' in text and "data-on-demand-form" in text
    assert 'name="date"' not in text.split('id="cases-heading"')[1]
    fragment = client.get(url, {"fragment": "1", "next": "/cases/"}).text
    assert 'name="date"' in fragment and 'name="next" value="/cases/"' in fragment
