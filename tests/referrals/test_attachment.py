import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from referrals import services
from referrals.models import Referral, ReferralAttachment, Since
from tests.referrals.factories import category
from tests.referrals.test_new import PDF, URL, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def attachment(world):
    upload = SimpleUploadedFile("rapor <b>.pdf", PDF, content_type="text/html")
    services.referral_submit(
        school=world.school,
        actor=world.teacher,
        student=world.student_a,
        categories=[category(world.school)],
        observation="Low scores.",
        observed_since=Since.TERM,
        files=[(upload, "application/pdf")],
    )
    return ReferralAttachment.objects.get()


def url(item):
    return reverse("referrals:attachment", args=[item.referral_id, item.pk])


def test_anonymous_is_sent_to_sign_in(client, attachment):
    response = client.get(url(attachment))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ["teacher", "counselor", "counselor2", "vp"])
def test_those_who_see_the_referral_download_it(login, world, attachment, who):
    response = login(getattr(world, who)).get(url(attachment))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("who", ["homeroom", "other_teacher", "admin", "outsider"])
def test_others_get_404(login, world, attachment, who):
    assert login(getattr(world, who)).get(url(attachment)).status_code == 404


def test_attachment_of_another_referral_is_404(login, world, attachment):
    other = services.referral_submit(
        school=world.school,
        actor=world.teacher,
        student=world.student_b,
        categories=[category(world.school)],
        observation="x",
        observed_since=Since.TERM,
    )
    wrong = reverse("referrals:attachment", args=[other.pk, attachment.pk])
    assert login(world.teacher).get(wrong).status_code == 404


def test_missing_file_is_404(login, world, attachment):
    attachment.file.delete(save=False)
    assert login(world.counselor).get(url(attachment)).status_code == 404


def test_referral_page_links_the_attachment(login, world, attachment):
    response = login(world.teacher).get(reverse("referrals:detail", args=[attachment.referral_id]))
    assert url(attachment) in response.text
    assert "rapor &lt;b&gt;.pdf" in response.text


# A submission that fails leaves no file behind.


def _stored_files(root):
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def _fail(*args, **kwargs):
    raise RuntimeError("forced failure")


@pytest.mark.parametrize(
    "failing",
    [
        "referrals.services._event",  # after both files and rows are stored
        "referrals.models.ReferralAttachment.save",  # the first row's insert, after its file is written
    ],
)
def test_a_rolled_back_submission_leaves_no_file(monkeypatch, world, private_media, failing):
    monkeypatch.setattr(failing, _fail)
    files = [
        (SimpleUploadedFile("a.pdf", PDF), "application/pdf"),
        (SimpleUploadedFile("b.pdf", PDF), "application/pdf"),
    ]
    with pytest.raises(RuntimeError, match="forced failure"):
        services.referral_submit(
            school=world.school,
            actor=world.teacher,
            student=world.student_a,
            categories=[category(world.school)],
            observation="Low scores.",
            observed_since=Since.TERM,
            files=files,
        )
    assert not Referral.objects.exists()
    assert not ReferralAttachment.objects.exists()
    assert _stored_files(private_media) == []


def test_a_filing_that_fails_in_the_browser_leaves_no_file(monkeypatch, login, world, private_media):
    monkeypatch.setattr("referrals.services._notify", _fail)
    upload = SimpleUploadedFile("rapor.pdf", PDF, content_type="application/pdf")
    with pytest.raises(RuntimeError, match="forced failure"):
        login(world.teacher).post(URL, form_data(world, attachments=[upload]))
    assert not Referral.objects.exists()
    assert _stored_files(private_media) == []


def test_a_successful_submission_keeps_its_files(world, attachment, private_media):
    assert _stored_files(private_media) == [private_media / attachment.file.name]
