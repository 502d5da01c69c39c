import pytest
from django.core.exceptions import PermissionDenied

from casework import services as casework_services
from casework.models import Case, CaseMember, TeamRole
from common.rules import RuleError
from notifications.models import Notification, NotificationKind
from referrals import services
from referrals.models import ConcernCategory, EventKind, InputRequest, Rating, Referral, Since, Status, Urgency
from tests.referrals.factories import ReferralFactory, category

pytestmark = pytest.mark.django_db


def file(world, *, student=None, by=None, urgency=Urgency.ROUTINE):
    return services.referral_submit(
        school=world.school,
        actor=by or world.teacher,
        student=student or world.student_a,
        categories=[category(world.school)],
        observation="Stops working after ten minutes.",
        observed_since=Since.WEEKS,
        urgency=urgency,
    )


def kinds_for(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_a_new_school_gets_the_default_categories_once(world):
    assert ConcernCategory.objects.filter(school=world.school).count() == 10
    services.ensure_default_categories(world.school)
    assert ConcernCategory.objects.filter(school=world.school).count() == 10
    assert ConcernCategory.objects.filter(school=world.other_school).count() == 10  # its own


def test_a_school_without_categories_gets_the_defaults_when_needed(world):
    """Schools created before new schools were seeded get them from the form."""
    ConcernCategory.objects.filter(school=world.school).delete()
    services.ensure_default_categories(world.school)
    assert ConcernCategory.objects.filter(school=world.school).count() == 10


def test_a_default_the_school_deleted_does_not_come_back(world):
    ConcernCategory.objects.filter(school=world.school, code="family").delete()
    services.ensure_default_categories(world.school)
    assert not ConcernCategory.objects.filter(school=world.school, code="family").exists()


def test_default_category_names_follow_the_language_until_renamed(world):
    services.ensure_default_categories(world.school)
    low = ConcernCategory.objects.get(school=world.school, code="low_achievement")
    assert low.label == "Low achievement"
    low.name = "Nilai rendah"
    assert low.label == "Nilai rendah"


def test_submit_records_the_event_and_tells_the_covering_counselor(world):
    referral = file(world)
    assert referral.status == Status.SUBMITTED
    assert list(referral.events.values_list("kind", "actor")) == [(EventKind.SUBMITTED, world.teacher.pk)]
    assert kinds_for(world.counselor) == [NotificationKind.REFERRAL_SUBMITTED]
    assert kinds_for(world.counselor2) == []
    assert kinds_for(world.vp) == []
    note = Notification.objects.get(recipient=world.counselor)
    assert note.label == f"#{referral.pk}"  # the same in every language
    assert note.url == f"/referrals/{referral.pk}/"


def test_submit_without_a_class_counselor_tells_every_counselor(world):
    world.class_a.counselor = None
    world.class_a.save()
    file(world)
    assert kinds_for(world.counselor) == [NotificationKind.REFERRAL_SUBMITTED]
    assert kinds_for(world.counselor2) == [NotificationKind.REFERRAL_SUBMITTED]
    assert kinds_for(world.outsider) == []


def test_urgent_referral_also_tells_the_vice_principal(world):
    file(world, urgency=Urgency.URGENT)
    assert kinds_for(world.counselor) == [NotificationKind.REFERRAL_URGENT]
    assert kinds_for(world.vp) == [NotificationKind.REFERRAL_URGENT]


def test_submit_refuses_a_student_of_another_school(world):
    with pytest.raises(RuleError):
        file(world, student=world.other_student)
    assert not Referral.objects.exists()


def test_ask_then_resubmit_tells_the_counselor_who_asked(world):
    referral = file(world)
    services.referral_ask_info(referral=referral, actor=world.counselor2, message="Since when exactly?")
    referral.refresh_from_db()
    assert referral.status == Status.NEEDS_INFO
    assert referral.latest_feedback == "Since when exactly?"
    assert NotificationKind.REFERRAL_NEEDS_INFO in kinds_for(world.teacher)

    before = referral.submitted_at
    services.referral_resubmit(referral=referral, actor=world.teacher, message="Since the first test in October.")
    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED
    assert referral.submitted_at > before
    assert kinds_for(world.counselor2) == [NotificationKind.REFERRAL_RESUBMITTED]
    assert list(referral.events.values_list("kind", flat=True)) == [
        EventKind.SUBMITTED,
        EventKind.INFO_REQUESTED,
        EventKind.RESUBMITTED,
    ]


def test_resubmit_only_when_information_was_asked(world):
    referral = file(world)
    with pytest.raises(RuleError, match="waiting for triage"):
        services.referral_resubmit(referral=referral, actor=world.teacher, message="More")


def test_accept_opens_a_case_with_the_lead_counselor(world):
    referral = file(world)
    referral = casework_services.referral_accept(
        referral=referral, actor=world.counselor, lead_counselor=world.counselor2
    )
    referral.refresh_from_db()
    case = referral.case
    assert referral.status == Status.ACCEPTED
    assert referral.triaged_by == world.counselor
    assert case.student == world.student_a
    assert case.lead_counselor == world.counselor2
    assert CaseMember.objects.filter(case=case, user=world.teacher, role=TeamRole.REFERRING_TEACHER).exists()
    assert referral.events.last().kind == EventKind.ACCEPTED
    assert case.number in referral.events.last().message
    assert NotificationKind.REFERRAL_ACCEPTED in kinds_for(world.teacher)


def test_accept_defaults_the_lead_to_the_accepting_counselor(world):
    referral = casework_services.referral_accept(referral=file(world), actor=world.counselor)
    assert referral.case.lead_counselor == world.counselor


def test_accept_joins_the_students_open_case(world):
    first = casework_services.referral_accept(referral=file(world), actor=world.counselor)
    second = file(world, by=world.homeroom)
    second = casework_services.referral_accept(referral=second, actor=world.counselor2, lead_counselor=world.counselor2)
    assert second.case == first.case
    assert Case.objects.count() == 1
    assert second.case.lead_counselor == world.counselor
    assert second.events.last().kind == EventKind.JOINED_CASE
    assert NotificationKind.REFERRAL_JOINED_CASE in kinds_for(world.homeroom)


def test_decline_needs_a_reason_and_tells_the_teacher(world):
    referral = file(world)
    with pytest.raises(RuleError):
        services.referral_decline(referral=referral, actor=world.counselor, reason="  ")
    services.referral_decline(referral=referral, actor=world.counselor, reason="Handled in class: try pair work.")
    referral.refresh_from_db()
    assert referral.status == Status.DECLINED
    assert referral.decline_reason == "Handled in class: try pair work."
    assert NotificationKind.REFERRAL_DECLINED in kinds_for(world.teacher)


@pytest.mark.parametrize("first", ["accept", "decline", "ask", "withdraw"])
def test_a_decided_referral_cannot_be_triaged_again(world, first):
    referral = file(world)
    {
        "accept": lambda: casework_services.referral_accept(referral=referral, actor=world.counselor),
        "decline": lambda: services.referral_decline(referral=referral, actor=world.counselor, reason="No"),
        "ask": lambda: services.referral_ask_info(referral=referral, actor=world.counselor, message="?"),
        "withdraw": lambda: services.referral_withdraw(referral=referral, actor=world.teacher),
    }[first]()
    with pytest.raises(RuleError):
        casework_services.referral_accept(referral=referral, actor=world.counselor2)
    with pytest.raises(RuleError):
        services.referral_decline(referral=referral, actor=world.counselor2, reason="No")
    referral.refresh_from_db()
    assert referral.events.count() == 2


def test_withdraw_is_for_the_referrer_while_open(world):
    referral = file(world)
    with pytest.raises(PermissionDenied):
        services.referral_withdraw(referral=referral, actor=world.homeroom)
    services.referral_withdraw(referral=referral, actor=world.teacher)
    referral.refresh_from_db()
    assert referral.status == Status.WITHDRAWN
    with pytest.raises(RuleError, match="withdrawn"):
        services.referral_withdraw(referral=referral, actor=world.teacher)


def test_request_input_asks_each_colleague_once(world):
    referral = file(world)
    made = services.referral_request_input(referral=referral, actor=world.counselor, colleagues=[world.homeroom])
    again = services.referral_request_input(
        referral=referral, actor=world.counselor, colleagues=[world.homeroom, world.teacher]
    )
    assert len(made) == 1
    assert again == []  # already asked, and the referrer is never asked
    assert InputRequest.objects.count() == 1
    note = Notification.objects.get(recipient=world.homeroom, kind=NotificationKind.INPUT_REQUESTED)
    assert note.url == f"/referrals/input/{made[0].pk}/"
    assert note.label == referral.notification_label


def test_input_answer_is_recorded_once(world):
    referral = file(world)
    [request] = services.referral_request_input(referral=referral, actor=world.counselor, colleagues=[world.homeroom])
    services.input_answer(input_request=request, actor=world.homeroom, rating=Rating.STRUGGLING, note="Quiet in class.")
    request.refresh_from_db()
    assert request.answered_at is not None
    assert referral.events.last().kind == EventKind.INPUT_GIVEN
    with pytest.raises(RuleError):
        services.input_answer(input_request=request, actor=world.homeroom, rating=Rating.DOING_WELL, note="Fine.")
    with pytest.raises(PermissionDenied):
        services.input_answer(input_request=request, actor=world.teacher, rating=Rating.DOING_WELL, note="Fine.")


def test_factory_referral_has_a_category(world):
    referral = ReferralFactory(student=world.student_a, referred_by=world.teacher)
    assert [c.code for c in referral.categories.all()] == ["low_achievement"]
