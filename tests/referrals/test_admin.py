import pytest
from django.urls import reverse

from referrals.models import ConcernCategory
from referrals.services import ensure_default_categories
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def test_school_admin_edits_their_schools_concern_list(login, world):
    ensure_default_categories(world.school)
    ensure_default_categories(world.other_school)
    client = login(world.admin)
    response = client.get(reverse("admin:referrals_concerncategory_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == 10  # not the other school's

    response = client.post(
        reverse("admin:referrals_concerncategory_add"),
        {"code": "bullying", "name": "Bullying", "position": 11, "is_active": "on"},
    )
    assert response.status_code == 302
    assert ConcernCategory.objects.get(code="bullying").school == world.school

    response = client.post(
        reverse("admin:referrals_concerncategory_add"),
        {"code": "bullying", "name": "Bullying again", "position": 12, "is_active": "on"},
    )
    assert response.status_code == 200
    assert "Your school already has a concern with this code." in response.text


def test_school_admin_does_not_see_referrals(login, world):
    referral = ReferralFactory(student=world.student_a, referred_by=world.teacher)
    client = login(world.admin)
    assert client.get(reverse("admin:referrals_referral_changelist")).status_code == 403
    assert client.get(reverse("admin:referrals_referral_change", args=[referral.pk])).status_code == 403
    assert "referrals/referral/" not in client.get(reverse("admin:index")).text


def test_superuser_reads_referrals_without_changing_them(client, world):
    from tests.factories import UserFactory

    referral = ReferralFactory(student=world.student_a, referred_by=world.teacher)
    root = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(root)
    assert client.get(reverse("admin:referrals_referral_changelist")).status_code == 200
    response = client.get(reverse("admin:referrals_referral_change", args=[referral.pk]))
    assert response.status_code == 200
    assert 'name="_save"' not in response.text
