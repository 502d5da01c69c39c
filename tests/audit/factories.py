"""Minimal referrals and cases for audit tests (their apps own the real flows)."""

import datetime

from casework.models import Case, ConfidentialNote, EvaluationEntry
from referrals.models import Referral, ReferralAttachment


def referral(student, teacher, **kwargs):
    return Referral.objects.create(
        school=student.school,
        student=student,
        referred_by=teacher,
        observation=kwargs.pop("observation", "Struggles with fractions."),
        observed_since="weeks",
        **kwargs,
    )


def case(student, counselor, sequence=1, **kwargs):
    return Case.objects.create(
        school=student.school, year=2026, sequence=sequence, student=student, lead_counselor=counselor, **kwargs
    )


def entry(case, author):
    return EvaluationEntry.objects.create(case=case, author=author, date=datetime.date(2026, 9, 1))


def note(case, author, body="Confidential: family matters."):
    return ConfidentialNote.objects.create(case=case, author=author, body=body)


def attachment(referral, uploader):
    return ReferralAttachment.objects.create(
        referral=referral,
        file="referrals/2026/09/x.pdf",
        original_name="scores.pdf",
        content_type="application/pdf",
        size=10,
        uploaded_by=uploader,
    )
