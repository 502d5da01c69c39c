"""The Django admin shows no case content to a school admin, even one with
the superuser flag (like the demo's `admin`); a platform superuser with no
school reads referrals and cases there, without changing them."""

import pytest
from django.urls import reverse

from accounts.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def superadmin(world):
    return f.staff(world.school, "superadmin", Role.SCHOOL_ADMIN, is_staff=True, is_superuser=True)


def _urls(grid):
    return [
        reverse("admin:referrals_referral_changelist"),
        reverse("admin:referrals_referral_change", args=[grid.ref_a.pk]),
        reverse("admin:casework_case_changelist"),
        reverse("admin:casework_case_change", args=[grid.case_a.pk]),
        reverse("admin:casework_caseevent_changelist"),
    ]


def test_a_school_admin_with_the_superuser_flag_sees_no_case_content(grid, superadmin, login):
    client = login(superadmin)
    for url in _urls(grid):
        assert client.get(url).status_code == 403, url
    index = client.get(reverse("admin:index")).text
    assert "referrals/referral/" not in index and "casework/case/" not in index
    assert grid.ref_a.observation not in index


def test_a_counselor_with_the_superuser_flag_and_a_platform_superuser_read_them(grid, login):
    counselor = f.staff(grid.world.school, "super_bk", Role.COUNSELOR, is_staff=True, is_superuser=True)
    root = f.UserFactory(username="root", is_staff=True, is_superuser=True)
    for user in (counselor, root):
        client = login(user)
        for url in _urls(grid):
            assert client.get(url).status_code == 200, (user, url)
        page = client.get(reverse("admin:referrals_referral_change", args=[grid.ref_a.pk])).text
        assert 'name="_save"' not in page
