"""A student with a full history, built through the apps' services: a
referral with an attachment that became a planned case, a confidential note,
and a second, declined referral."""

from django.core.files.uploadedfile import SimpleUploadedFile

from casework import services as casework
from referrals import services as referrals
from referrals.models import Since
from tests.casework.factories import planned_case
from tests.referrals.factories import category

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NOTE_SENTINEL = "SENTINEL-NOTE-5b1e"


def student_with_history(world, *, student=None, note=f"Told me about home: {NOTE_SENTINEL}"):
    student = student or world.student_a
    case = planned_case(world, student=student)
    case.summary = "Shared summary: fractions are the sticking point."
    case.save(update_fields=["summary"])
    referral = case.referrals.get()
    upload = SimpleUploadedFile("scores scan.pdf", PDF, content_type="application/pdf")
    with_file = referrals.referral_submit(
        school=student.school,
        actor=world.homeroom,
        student=student,
        categories=[category(student.school)],
        observation="Reads slowly and skips words.",
        observed_since=Since.MONTH,
        files=[(upload, "application/pdf")],
    )
    declined = referrals.referral_decline(
        referral=with_file, actor=case.lead_counselor, reason="Handled in class for now."
    )
    casework.note_add(case=case, actor=case.lead_counselor, body=note)
    case.referral, case.declined = referral, declined
    return case
