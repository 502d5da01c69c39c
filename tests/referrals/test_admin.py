import pytest
from django.urls import reverse

from accounts.models import Role
from referrals.models import ConcernCategory
from roster.models import School
from tests import factories as f
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:referrals_concerncategory_changelist")


def test_school_admin_edits_their_schools_concern_list(login, world):
    client = login(world.admin)
    response = client.get(CHANGELIST)
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


def test_a_new_school_starts_with_the_default_concerns(client, world):
    root = f.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(root)
    response = client.post(
        reverse("admin:roster_school_add"),
        {"name": "SMP Negeri 3 Baru", "npsn": "20123456", "school_days_per_week": 5},
    )
    assert response.status_code == 302, response.text[:2000]
    school = School.objects.get(npsn="20123456")
    # Before anyone opens the referral form: the admin's list is full...
    admin = f.staff(school, "admin_baru", Role.SCHOOL_ADMIN, is_staff=True)
    client.force_login(admin)
    response = client.get(CHANGELIST)
    assert response.context["cl"].result_count == 10
    assert "Low achievement" in response.text
    # ...and so is the counselors' triage filter.
    client.force_login(f.staff(school, "counselor_baru", Role.COUNSELOR))
    response = client.get(reverse("referrals:triage"))
    assert response.status_code == 200
    assert response.context["filter"].form.fields["category"].queryset.count() == 10


def test_a_concern_the_admin_adds_first_comes_on_top_of_the_defaults(login, world):
    client = login(world.admin)
    response = client.post(
        reverse("admin:referrals_concerncategory_add"),
        {"code": "bullying", "name": "Bullying", "position": 11, "is_active": "on"},
    )
    assert response.status_code == 302
    assert client.get(CHANGELIST).context["cl"].result_count == 11

    # The first teacher to file sees the defaults and the school's own concern.
    response = login(world.teacher).get(reverse("referrals:new"), {"student": world.student_a.pk})
    assert response.status_code == 200
    assert "Low achievement" in response.text and "Bullying" in response.text
    assert ConcernCategory.objects.filter(school=world.school).count() == 11


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
