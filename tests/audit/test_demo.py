import pytest

from audit.models import AuditAction, AuditEvent
from demo import audit as demo
from tests.audit import factories as af

pytestmark = pytest.mark.django_db


def test_demo_trail_is_seeded_once(world):
    af.referral(world.student_a, world.teacher)
    af.case(world.student_a, world.counselor)
    demo.seed(world.school)
    count = AuditEvent.objects.count()
    demo.seed(world.school)
    assert AuditEvent.objects.count() == count
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor_username="counselor").count() == 3
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="case").count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="referral").count() == 1
    assert not AuditEvent.objects.exclude(school=world.school).exists()
