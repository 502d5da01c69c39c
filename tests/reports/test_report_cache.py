"""The report page's indicators are cached per school and filters, and the
writes they read make them stale at once (reports.report_cache,
common.report_version): what the vice principal sees after a referral is filed,
an entry is written or a case is closed is the new figure, not the cached one."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.models import EntryKind, Outcome
from casework.services import case_close, entry_add
from common import report_version
from referrals.services import referral_submit
from tests import factories as f
from tests.reports import factories as rf
from tests.reports.factories import at
from tests.reports.test_index_view import EXPECTED_QUERIES

URL = reverse("reports:index")

# The uncached page's statements less the eleven that compute the report:
# referral counts, triage pairs, case counts, evaluation entries, meetings,
# goals, counselor workload, three charts and the measured outcome change.
# Reading the cache is not a statement.
EXPECTED_QUERIES_CACHED = EXPECTED_QUERIES - 11


def _values(response):
    return {ind.key: ind.value for ind in response.context["report"].indicators}


def _cached_view(client, django_assert_num_queries):
    """The report as the vice principal sees it, asserted to come from the cache."""
    with django_assert_num_queries(EXPECTED_QUERIES_CACHED):
        response = client.get(URL)
    assert response.status_code == 200
    return response


def test_a_second_view_is_served_from_the_cache_and_shows_the_same(data, login, django_assert_num_queries):
    client = login(data.world.vp)
    first = client.get(URL)
    second = _cached_view(client, django_assert_num_queries)
    assert _values(second) == _values(first)
    # The page itself is drawn per request: the form's own filters, a fresh CSRF token.
    assert second.context["report"].filters is second.context["filters"]
    text = second.content.decode()
    assert "Referrals received" in text and "<caption>Referrals per month by concern</caption>" in text


def test_a_new_referral_shows_at_once(data, login, django_assert_num_queries):
    w = data.world
    client = login(w.vp)
    before = _values(client.get(URL))["referrals_received"]
    assert _values(_cached_view(client, django_assert_num_queries))["referrals_received"] == before

    referral_submit(
        school=w.school,
        actor=w.teacher,
        student=w.student_a,
        categories=[data.cats.low],
        observation="Sering terlambat masuk kelas.",
        observed_since="weeks",
        subject=w.maths,
    )

    response = client.get(URL)
    assert _values(response)["referrals_received"] == before + 1
    # And that figure is cached in turn.
    assert _values(_cached_view(client, django_assert_num_queries))["referrals_received"] == before + 1


def test_a_new_evaluation_entry_shows_at_once(data, login, django_assert_num_queries):
    w = data.world
    client = login(w.vp)
    before = _values(client.get(URL))["overdue_follow_ups"]
    _cached_view(client, django_assert_num_queries)

    today = timezone.localdate()
    # A counselor other than the case's lead writes an entry whose follow-up is already due.
    entry_add(
        case=data.c1,
        actor=w.counselor2,
        kind=EntryKind.PROGRESS_CHECK,
        date=today,
        note="Perlu dicek lagi.",
        next_follow_up=today - datetime.timedelta(days=1),
    )

    assert _values(client.get(URL))["overdue_follow_ups"] == before + 1


def test_closing_a_case_shows_at_once(data, login, django_assert_num_queries):
    """case_close writes with update(), which sends no signal: the service bumps the version."""
    w = data.world
    client = login(w.vp)
    before = _values(client.get(URL))
    _cached_view(client, django_assert_num_queries)

    case_close(case=data.c1, actor=w.counselor, outcome=Outcome.RESOLVED, final_note="Selesai.")

    after = _values(client.get(URL))
    assert after["cases_closed"] == before["cases_closed"] + 1
    assert after["open_cases"] == before["open_cases"] - 1


def test_another_schools_writes_leave_the_cache_alone(data, login, django_assert_num_queries):
    w = data.world
    client = login(w.vp)
    client.get(URL)
    rf.referral(w.other_student, w.outsider, filed=at(2026, 11, 2))
    _cached_view(client, django_assert_num_queries)


def test_each_language_has_its_own_copy(data, login):
    w = data.world
    client = login(w.vp)
    assert "Referrals received" in client.get(URL).content.decode()
    w.vp.language = "id"
    w.vp.save()
    assert "Referrals received" not in client.get(URL).content.decode()


def test_filters_have_their_own_copy(data, login):
    client = login(data.world.vp)
    everything = _values(client.get(URL))["referrals_received"]
    grade_8 = _values(client.get(URL, {"grade": "8"}))["referrals_received"]
    assert grade_8 < everything
    assert _values(client.get(URL))["referrals_received"] == everything


def test_the_cache_can_be_turned_off(data, login, settings, django_assert_num_queries):
    settings.REPORT_CACHE_SECONDS = 0
    client = login(data.world.vp)
    client.get(URL)
    with django_assert_num_queries(EXPECTED_QUERIES):
        client.get(URL)


def test_a_cache_that_is_down_costs_only_the_cache(data, login, monkeypatch):
    """Redis away: the report is computed, and writes still succeed."""

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    from django.core.cache import cache

    for name in ("get", "set", "add", "incr"):
        monkeypatch.setattr(cache, name, broken)
    w = data.world
    response = login(w.vp).get(URL)
    assert response.status_code == 200
    report_version.bump(w.school.pk)  # no error
    assert report_version.current(w.school.pk) is None


@pytest.mark.parametrize("missing", [True, False])
def test_the_version_never_returns_to_an_old_number(world, missing):
    from django.core.cache import cache

    first = report_version.current(world.school.pk)
    report_version.bump(world.school.pk)
    if missing:  # evicted, or Redis restarted
        cache.clear()
    assert report_version.current(world.school.pk) != first


def test_the_filter_form_is_cached_with_the_report_and_shows_a_new_class(data, login):
    w = data.world
    client = login(w.vp)
    first = client.get(URL).content.decode()
    assert first.count('name="classroom"') == 1
    assert client.get(URL).content.decode().count("VII-A") == first.count("VII-A")
    f.ClassroomFactory(school=w.school, name="IX-Z", grade=9)
    text = client.get(URL).content.decode()
    assert ">IX-Z</option>" in text


def test_the_filter_form_keeps_the_chosen_values(data, login):
    client = login(data.world.vp)
    client.get(URL, {"grade": "8"})
    client.get(URL, {"grade": "7"})
    text = client.get(URL, {"grade": "8", "page": "1"}).content.decode()
    assert '<option value="8" selected>' in text
