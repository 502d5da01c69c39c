import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from casework.services import case_open
from referrals.models import ConcernCategory, Referral, ReferralAttachment, ReferralEvent, Status, Urgency
from tests import factories as f
from tests.referrals.factories import category

pytestmark = pytest.mark.django_db

URL = reverse("referrals:new")

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def form_data(world, **overrides):
    data = {
        "student": world.student_a.pk,
        "categories": [category(world.school).pk],
        "observation": "Stops working after ten minutes and leaves the exercises unfinished.",
        "observed_since": "weeks",
        "urgency": "routine",
        "contact_preference": "in_app",
        "parents_informed": "not_sure",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# Access.


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["teacher", "homeroom", "vp"])
def test_teachers_may_file(login, world, role):
    response = login(world.roles[role]).get(URL)
    assert response.status_code == 200
    assert "<h1" in response.text and "Refer a student" in response.text


@pytest.mark.parametrize("role", ["counselor", "admin"])
def test_other_roles_may_not_file(login, world, role):
    assert login(world.roles[role]).get(URL).status_code == 403
    assert login(world.roles[role]).post(URL, form_data(world)).status_code == 403
    assert not Referral.objects.exists()


def test_outsider_cannot_pick_a_student_of_this_school(login, world):
    client = login(world.outsider)
    response = client.get(URL, {"student": world.student_a.pk})
    assert response.status_code == 200
    assert "Andi Pratama" not in response.text
    assert "Choose a student of your school" in response.text
    response = client.post(URL, form_data(world))
    assert response.status_code == 200
    assert "Choose a student of your school" in response.text
    assert not Referral.objects.exists()


# The form as the teacher meets it.


def test_search_lists_students_own_classes_first_without_javascript(login, world):
    f.enroll(f.StudentFactory(school=world.school, full_name="Andika Saputra"), world.class_b, world.term)
    response = login(world.teacher).get(URL, {"q": "andi"})
    text = response.text
    assert text.index("Andi Pratama") < text.index("Andika Saputra")
    assert f'href="{URL}?student={world.student_a.pk}"' in text
    assert "Your class" in text


def test_preselected_student_shows_the_form_with_defaults(login, world):
    response = login(world.teacher).get(URL, {"student": world.student_a.pk})
    text = response.text
    assert "Andi Pratama" in text
    assert f'name="student" value="{world.student_a.pk}"' in text
    # The subject defaults to what the teacher teaches this class.
    assert f'<option value="{world.maths.pk}" selected>Matematika</option>' in text
    assert 'value="routine" checked' in text
    assert 'value="in_app"' in text and "checked" in text
    # One line of explanation for each urgency.
    assert "A safety or wellbeing concern" in text
    assert ConcernCategory.objects.filter(school=world.school).count() == 10
    assert "Low achievement" in text


def test_form_says_when_the_student_has_an_open_case(login, world):
    case = case_open(student=world.student_a, lead_counselor=world.counselor, actor=world.counselor)
    response = login(world.teacher).get(URL, {"student": world.student_a.pk})
    assert f"already has an open case ({case.number})" in response.text


def test_filing_a_routine_referral(login, world):
    client = login(world.teacher)
    response = client.post(URL, form_data(world, teacher_view="Has not understood fractions."), follow=True)
    referral = Referral.objects.get()
    assert response.redirect_chain[-1][0] == reverse("referrals:detail", args=[referral.pk])
    assert "Your referral was filed" in response.text
    assert referral.referred_by == world.teacher
    assert referral.school == world.school
    assert referral.status == Status.SUBMITTED
    assert referral.urgency == Urgency.ROUTINE
    assert referral.teacher_view == "Has not understood fractions."
    assert ReferralEvent.objects.filter(referral=referral).count() == 1
    assert "Referral filed" in response.text  # the timeline


def test_attachments_are_stored_under_a_random_name(login, world, private_media):
    upload = SimpleUploadedFile("IMG_20261101.png", PNG, content_type="image/png")
    doc = SimpleUploadedFile("report card.pdf", PDF, content_type="application/pdf")
    response = login(world.teacher).post(URL, form_data(world, attachments=[upload, doc]))
    assert response.status_code == 302
    items = list(ReferralAttachment.objects.order_by("id"))
    assert [(a.original_name, a.content_type) for a in items] == [
        ("IMG_20261101.png", "image/png"),
        ("report card.pdf", "application/pdf"),
    ]
    for item in items:
        assert "IMG" not in item.file.name and "report" not in item.file.name
        assert os.path.exists(item.file.path)
        assert str(private_media) in item.file.path


# Bad input: a field error, nothing saved.


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"observation": "   "}, "Describe what you observed."),
        ({"observation": None}, "Describe what you observed."),
        ({"categories": None}, "Tick at least one concern."),
        ({"observed_since": None}, "Say since when you have noticed it."),
        ({"urgency": "apocalyptic"}, "Select a valid choice"),
        ({"observed_since": "forever"}, "Select a valid choice"),
        ({"student": "abc"}, "Choose a student of your school"),
        ({"student": None}, "Choose a student first."),
        ({"latest_score": "250"}, "less than or equal to 100"),
        ({"absences_30_days": "-1"}, "greater than or equal to 0"),
        ({"teacher_view": "x" * 301}, "at most 300 characters"),
    ],
)
def test_bad_input_shows_a_field_error_and_saves_nothing(login, world, overrides, message):
    response = login(world.teacher).post(URL, form_data(world, **overrides))
    assert response.status_code == 200
    assert message in response.text
    assert not Referral.objects.exists()
    assert not ReferralEvent.objects.exists()


def test_tampered_ids_are_refused(login, world):
    other_category = ConcernCategory.objects.create(school=world.other_school, code="x", name="Elsewhere")
    other_subject = f.SubjectFactory(school=world.other_school)
    client = login(world.teacher)
    for overrides in (
        {"student": world.other_student.pk},
        {"categories": [other_category.pk]},
        {"subject": other_subject.pk},
        {"student": 999999},
    ):
        response = client.post(URL, form_data(world, **overrides))
        assert response.status_code == 200
        assert "Please check the fields marked below." in response.text
    assert not Referral.objects.exists()


def test_inactive_students_cannot_be_picked(login, world):
    world.student_a.is_active = False
    world.student_a.save()
    response = login(world.teacher).post(URL, form_data(world))
    assert "Choose a student of your school" in response.text
    assert not Referral.objects.exists()


def test_a_file_over_5_mb_is_refused(login, world, private_media):
    big = SimpleUploadedFile("scan.png", PNG + b"\0" * (5 * 1024 * 1024), content_type="image/png")
    response = login(world.teacher).post(URL, form_data(world, attachments=[big]))
    assert response.status_code == 200
    assert "scan.png is larger than 5 MB." in response.text
    assert '<details class="mb-3 border rounded px-3" open>' in response.text
    assert not Referral.objects.exists()
    assert not ReferralAttachment.objects.exists()
    assert not private_media.exists() or not any(private_media.rglob("*.*"))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.jpg", b"<html><script>alert(1)</script></html>"),
        ("homework.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"),
        ("notes.png", b"just some text"),
        ("anim.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
    ],
)
def test_a_disguised_file_is_refused(login, world, name, content):
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    response = login(world.teacher).post(URL, form_data(world, attachments=[upload]))
    assert response.status_code == 200
    assert f"{name} is not a JPEG, PNG or WebP image or a PDF file." in response.text
    assert not Referral.objects.exists()


def test_at_most_five_files(login, world):
    files = [SimpleUploadedFile(f"p{i}.png", PNG, content_type="image/png") for i in range(6)]
    response = login(world.teacher).post(URL, form_data(world, attachments=files))
    assert "Attach at most 5 files." in response.text
    assert not Referral.objects.exists()


def test_bound_form_keeps_what_the_teacher_typed(login, world):
    response = login(world.teacher).post(URL, form_data(world, observed_since=None, observation="Sleeps in class"))
    assert "Sleeps in class" in response.text
    assert "Andi Pratama" in response.text


def test_file_objects_are_read_by_content(world):
    from referrals.forms import detect_type

    assert detect_type(io.BytesIO(PNG)) == "image/png"
    assert detect_type(io.BytesIO(PDF)) == "application/pdf"
    assert detect_type(io.BytesIO(b"hello")) is None
