"""Two counselors acting on the same referral at the same moment: exactly one
action takes effect. Needs PostgreSQL (row locks across two connections)."""

import threading

import pytest
from django.db import connection, connections, transaction

from casework import services as casework_services
from casework.models import Case
from common.rules import RuleError
from referrals import services
from referrals.models import Referral, ReferralEvent, Since, Status
from tests.referrals.factories import category

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    # The SQLite run skips; CI's PostgreSQL run (where a missing server fails) covers it.
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: CI's PostgreSQL run covers it")


def _race(*actions):
    """Run the actions in threads, each in its own connection and transaction,
    released at the same moment. Returns what each returned or raised."""
    barrier = threading.Barrier(len(actions))
    results = [None] * len(actions)

    def run(i, action):
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                results[i] = action()
        except Exception as error:  # the result is the error
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_accept_and_decline_at_once_exactly_one_wins(world):
    referral = services.referral_submit(
        school=world.school,
        actor=world.teacher,
        student=world.student_a,
        categories=[category(world.school)],
        observation="Stops working.",
        observed_since=Since.WEEKS,
    )
    results = _race(
        lambda: casework_services.referral_accept(referral=Referral.objects.get(pk=referral.pk), actor=world.counselor),
        lambda: services.referral_decline(
            referral=Referral.objects.get(pk=referral.pk), actor=world.counselor2, reason="Handled in class."
        ),
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1, results
    assert isinstance(errors[0], RuleError)
    referral.refresh_from_db()
    if referral.status == Status.ACCEPTED:
        assert Case.objects.count() == 1
        assert "already been accepted" in str(errors[0])
    else:
        assert referral.status == Status.DECLINED
        assert not Case.objects.exists()
        assert "already been declined" in str(errors[0])
    assert ReferralEvent.objects.filter(referral=referral).count() == 2


def test_two_accepts_of_one_student_make_one_case(world):
    referrals = [
        services.referral_submit(
            school=world.school,
            actor=teacher,
            student=world.student_a,
            categories=[category(world.school)],
            observation="Stops working.",
            observed_since=Since.WEEKS,
        )
        for teacher in (world.teacher, world.homeroom)
    ]
    results = _race(
        lambda: casework_services.referral_accept(
            referral=Referral.objects.get(pk=referrals[0].pk), actor=world.counselor
        ),
        lambda: casework_services.referral_accept(
            referral=Referral.objects.get(pk=referrals[1].pk), actor=world.counselor2
        ),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Case.objects.count() == 1
    assert set(Referral.objects.values_list("status", flat=True)) == {Status.ACCEPTED}
    assert Referral.objects.filter(case=Case.objects.get()).count() == 2


def test_two_simultaneous_posts_of_one_referral_form_make_one_referral(world):
    """Issue #12.1: the same form (one token) posted twice at the same instant:
    one referral, one triage row, one email; both requests land on it."""
    import re

    from django.core import mail
    from django.test import Client
    from django.urls import reverse

    from tests.referrals.test_new import URL, form_data

    world.counselor.email = "dewi@example.org"
    world.counselor.save(update_fields=["email"])
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(world.teacher)
    page = clients[0].get(URL, {"student": world.student_a.pk}).content.decode()
    token = re.search(r'name="form_token" value="([0-9a-f]{32})"', page).group(1)
    data = {**form_data(world), "form_token": token}
    mail.outbox.clear()
    barrier = threading.Barrier(2)
    responses = [None, None]

    def post(i):
        try:
            barrier.wait(timeout=10)
            responses[i] = clients[i].post(URL, data)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    referral = Referral.objects.get()
    assert [r.status_code for r in responses] == [302, 302]
    assert {r.url for r in responses} == {referral.get_absolute_url()}
    assert ReferralEvent.objects.filter(referral=referral, kind="submitted").count() == 1
    queue = clients[0]
    queue.force_login(world.counselor)
    assert queue.get(reverse("referrals:triage")).content.decode().count(referral.get_absolute_url()) >= 1
    assert Referral.objects.filter(status=Status.SUBMITTED).count() == 1
    assert len(mail.outbox) == 1
