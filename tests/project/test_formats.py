"""Dates, times and numbers as each language writes them: "28 November 2026,
14.30" and "1.234,5" in Indonesian; "28 November 2026, 14:30" in English."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from tests.referrals.factories import ReferralFactory

MOMENT = datetime.datetime(2026, 11, 28, 14, 30, tzinfo=datetime.UTC)  # 21.30 in Jakarta


def _render(source, lang, **context):
    with translation.override(lang):
        return Template(source).render(Context(context))


@pytest.mark.parametrize(
    ("lang", "date", "datetime_", "number"),
    [
        ("id", "28 November 2026", "28 November 2026, 21.30", "1.234,5"),
        ("en", "28 November 2026", "28 November 2026, 21:30", "1,234.5"),
    ],
)
def test_named_formats_follow_the_language(lang, date, datetime_, number):
    from reports.templatetags.reports_tags import num

    with timezone.override("Asia/Jakarta"):
        assert _render('{{ d|date:"DATE_FORMAT" }}', lang, d=MOMENT.date()) == date
        assert _render('{{ d|date:"DATETIME_FORMAT" }}', lang, d=MOMENT) == datetime_
    with translation.override(lang):
        assert num(Decimal("1234.5")) == number


def test_a_referral_page_shows_dates_in_the_readers_language(world, login):
    referral = ReferralFactory(student=world.student_a, referred_by=world.teacher, subject=world.maths)
    type(referral).objects.filter(pk=referral.pk).update(created_at=MOMENT)
    world.teacher.language = "id"
    world.teacher.save(update_fields=["language"])
    page = login(world.teacher).get(f"/referrals/{referral.pk}/").content.decode()
    assert "28 November 2026, 21.30" in page
    world.teacher.language = "en"
    world.teacher.save(update_fields=["language"])
    page = login(world.teacher).get(f"/referrals/{referral.pk}/").content.decode()
    assert "28 November 2026, 21:30" in page
