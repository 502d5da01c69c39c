import pytest
from django.urls import reverse

from accounts.models import Role
from referrals import selectors, services
from referrals.models import EventKind, InputRequest, Rating, Referral, Since
from tests import factories as f
from tests.referrals.test_new import URL as NEW_URL
from tests.referrals.test_new import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_(world):
    from tests.referrals.factories import category

    referral = services.referral_submit(
        school=world.school,
        actor=world.teacher,
        student=world.student_a,
        categories=[category(world.school)],
        observation="SECRET OBSERVATION TEXT",
        observed_since=Since.WEEKS,
        teacher_view="SECRET VIEW",
    )
    [item] = services.referral_request_input(referral=referral, actor=world.counselor, colleagues=[world.homeroom])
    return item


def url(item):
    return reverse("referrals:input", args=[item.pk])


def test_anonymous_is_sent_to_sign_in(client, request_):
    response = client.get(url(request_))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ["teacher", "counselor", "counselor2", "vp", "admin", "other_teacher", "outsider"])
def test_only_the_colleague_asked_may_open_it(login, world, request_, who):
    client = login(getattr(world, who))
    assert client.get(url(request_)).status_code == 404
    assert client.post(url(request_), {"rating": "doing_well", "note": "Fine."}).status_code == 404
    assert InputRequest.objects.get().answered_at is None


def test_colleague_sees_the_student_and_the_question_not_the_referral(login, world, request_):
    response = login(world.homeroom).get(url(request_))
    text = response.text
    assert response.status_code == 200
    assert text.count("<h1") == 1
    assert "How is this student in your class?" in text
    assert "Andi Pratama" in text and "VII-A" in text
    assert "Dewi Kartika" in text
    assert "SECRET" not in text
    # The referral itself stays closed to them.
    assert login(world.homeroom).get(reverse("referrals:detail", args=[request_.referral_id])).status_code == 404


def test_answering(login, world, request_):
    client = login(world.homeroom)
    response = client.post(url(request_), {"rating": "struggling", "note": "Tired and quiet."}, follow=True)
    assert "Thank you. The counselor can see your answer." in response.text
    assert "You answered on" in response.text
    request_.refresh_from_db()
    assert request_.rating == Rating.STRUGGLING
    assert request_.referral.events.last().kind == EventKind.INPUT_GIVEN
    # A second post (another tab) changes nothing.
    client.post(url(request_), {"rating": "doing_well", "note": "Changed my mind."})
    request_.refresh_from_db()
    assert request_.rating == Rating.STRUGGLING


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"rating": "", "note": "Fine."}, "Choose how the student is doing."),
        ({"rating": "superb", "note": "Fine."}, "Select a valid choice"),
        ({"rating": "doing_well", "note": ""}, "Write one sentence about the student."),
        ({"rating": "doing_well", "note": "x" * 301}, "at most 300 characters"),
    ],
)
def test_bad_answers_are_field_errors(login, world, request_, data, message):
    response = login(world.homeroom).post(url(request_), data)
    assert response.status_code == 200
    assert message in response.text
    assert InputRequest.objects.get().answered_at is None


def test_a_subject_teacher_of_the_class_is_asked_and_answers(login, world):
    """Not the homeroom teacher, not the referrer: a teacher who only teaches
    the student's class this term, from the counselor's form to the answer."""
    science = f.staff(world.school, "science", Role.TEACHER, full_name="Yusuf Hidayat")
    ipa = f.SubjectFactory(school=world.school, name="IPA")
    f.TeachingAssignmentFactory(teacher=science, classroom=world.class_a, subject=ipa, term=world.term)

    response = login(world.teacher).post(
        NEW_URL, form_data(world, observation="SECRET OBSERVATION TEXT", teacher_view="SECRET VIEW")
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert (science, "IPA", False) in selectors.input_candidates(referral)

    # The counselor's form offers them (and not the referrer) and asks them.
    counselor = login(world.counselor)
    detail = reverse("referrals:detail", args=[referral.pk])
    choices = dict(counselor.get(detail).context["input_form"].fields["colleagues"].choices)
    assert choices[str(science.pk)] == "Yusuf Hidayat · IPA"
    assert str(world.teacher.pk) not in choices
    response = counselor.post(
        reverse("referrals:request_input", args=[referral.pk]), {"colleagues": [science.pk]}, follow=True
    )
    assert "Your colleagues were asked for their view." in response.text
    item = InputRequest.objects.get(requested_from=science)

    # The teacher finds the question on their referrals page and answers it.
    client = login(science)
    assert url(item) in client.get(reverse("referrals:list")).text
    response = client.get(url(item))
    assert response.status_code == 200
    assert "Andi Pratama" in response.text and "VII-A" in response.text and "Dewi Kartika" in response.text
    assert "SECRET" not in response.text
    assert client.get(detail).status_code == 404
    response = client.post(url(item), {"rating": "some_difficulty", "note": "Quiet in practicals."}, follow=True)
    assert "Thank you. The counselor can see your answer." in response.text
    assert "SECRET" not in response.text

    # The counselor reads the answer on the referral.
    text = login(world.counselor).get(detail).text
    assert "Yusuf Hidayat" in text and "Some difficulty" in text and "Quiet in practicals." in text
