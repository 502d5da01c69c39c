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
