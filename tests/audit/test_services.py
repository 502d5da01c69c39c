"""audit_record and the sign-in receivers: one row per event, with who, role,
when (UTC), which record, what action and the IP."""

import datetime

import pytest
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse

from accounts.policy import Actor
from audit.models import AuditAction, AuditEvent, ImmutableAuditEvent, ObjectType
from audit.services import audit_record
from tests.audit import factories as af
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _request(user, ip="203.0.113.9", path="/cases/1/"):
    request = RequestFactory().get(path, REMOTE_ADDR=ip)
    request.user = user
    request.actor = Actor(user)
    return request


def test_a_view_of_a_case_records_who_role_when_what_and_ip(world):
    case = af.case(world.student_a, world.counselor)
    event = audit_record(request=_request(world.counselor), action=AuditAction.VIEW, obj=case)
    event.refresh_from_db()
    assert event.actor == world.counselor
    assert event.actor_username == "counselor"
    assert event.actor_roles == "counselor"
    assert event.action == "view"
    assert (event.object_type, event.object_id) == ("case", str(case.pk))
    assert event.case_id == case.pk and event.referral_id is None
    assert event.student_id == world.student_a.pk
    assert event.school_id == world.school.pk
    assert event.ip == "203.0.113.9"
    assert event.path == "/cases/1/"
    assert event.created_at.utcoffset() == datetime.timedelta(0)


def test_records_inside_a_referral_or_case_name_their_parent_and_student(world):
    referral = af.referral(world.student_a, world.teacher)
    case = af.case(world.student_a, world.counselor)
    request = _request(world.counselor)
    cases = [
        (referral, "referral", referral.pk, None),
        (af.attachment(referral, world.teacher), "attachment", referral.pk, None),
        (af.entry(case, world.counselor), "evaluation_log", None, case.pk),
        (af.note(case, world.counselor), "confidential_note", None, case.pk),
    ]
    for obj, object_type, referral_id, case_id in cases:
        event = audit_record(request=request, action=AuditAction.VIEW, obj=obj)
        assert (event.object_type, event.object_id) == (object_type, str(obj.pk))
        assert (event.referral_id, event.case_id) == (referral_id, case_id)
        assert event.student_id == world.student_a.pk
        assert event.school_id == world.school.pk


def test_an_export_without_a_record(world):
    event = audit_record(
        request=_request(world.vp),
        action=AuditAction.EXPORT,
        object_type=ObjectType.REPORT,
        object_id="caseload",
        detail={"format": "xlsx", "rows": 120},
    )
    assert event.actor_roles == "teacher,vice_principal"
    assert event.detail == {"format": "xlsx", "rows": 120}


def test_changes_record_field_names_never_confidential_text(world):
    case = af.case(world.student_a, world.counselor)
    note = af.note(case, world.counselor)
    request = _request(world.counselor)
    event = audit_record(request=request, action=AuditAction.CHANGE, obj=note, detail={"fields": ["body"]})
    assert event.detail == {"fields": ["body"]}
    with pytest.raises(ValueError):
        audit_record(request=request, action=AuditAction.CHANGE, obj=note, detail={"body": "x" * 500})
    with pytest.raises(ValueError):
        audit_record(request=request, action=AuditAction.CHANGE, obj=note, detail={"before": {"body": note.body}})


def test_unknown_actions_and_types_are_refused(world):
    with pytest.raises(ValueError):
        audit_record(request=_request(world.counselor), action="peek", object_type="case", object_id=1)
    with pytest.raises(ValueError):
        audit_record(request=_request(world.counselor), action=AuditAction.VIEW, object_type="diary", object_id=1)


def test_the_client_ip_behind_a_trusted_proxy(world, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = _request(world.counselor, ip="10.0.0.2")
    request.META["HTTP_X_FORWARDED_FOR"] = "1.1.1.1, 198.51.100.4"  # the client may forge the left part
    event = audit_record(request=request, action=AuditAction.VIEW, object_type="student", object_id=1)
    assert event.ip == "198.51.100.4"
    settings.TRUSTED_PROXY_COUNT = 0
    event = audit_record(request=request, action=AuditAction.VIEW, object_type="student", object_id=1)
    assert event.ip == "10.0.0.2"


def test_the_row_is_written_in_the_request_transaction(world):
    case = af.case(world.student_a, world.counselor)
    assert connection.in_atomic_block  # the test's transaction, like ATOMIC_REQUESTS
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(request=_request(world.counselor), action=AuditAction.CHANGE, obj=case)
        raise RuntimeError("the change failed")
    assert not AuditEvent.objects.exists()  # rolled back together with the change


# Immutable


def test_audit_rows_cannot_be_changed_or_deleted_through_the_app(world):
    event = audit_record(request=_request(world.counselor), action=AuditAction.VIEW, object_type="student", object_id=1)
    event.action = AuditAction.DELETE
    with pytest.raises(ImmutableAuditEvent):
        event.save()
    with pytest.raises(ImmutableAuditEvent):
        event.delete()
    with pytest.raises(ImmutableAuditEvent):
        AuditEvent.objects.filter(pk=event.pk).update(action=AuditAction.DELETE)
    with pytest.raises(ImmutableAuditEvent):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == AuditAction.VIEW


def test_audit_rows_outlive_the_records_and_people_they_name(world):
    referral = af.referral(world.student_a, world.teacher)
    audit_record(request=_request(world.counselor), action=AuditAction.VIEW, obj=referral)
    referral.delete()
    world.student_a.delete()
    assert AuditEvent.objects.get().student_id is not None


# Sign-in receivers


def test_sign_in_and_sign_out_are_recorded(client, world):
    client.post(reverse("login"), {"username": "teacher", "password": PASSWORD}, REMOTE_ADDR="203.0.113.5")
    client.post(reverse("logout"), REMOTE_ADDR="203.0.113.5")
    events = list(AuditEvent.objects.order_by("id").values_list("action", "actor_username", "ip", "school_id"))
    assert events == [
        ("login", "teacher", "203.0.113.5", world.school.pk),
        ("logout", "teacher", "203.0.113.5", world.school.pk),
    ]


def test_refused_access_is_recorded(login, world):
    client = login(world.teacher)
    response = client.get(reverse("audit:list"), REMOTE_ADDR="203.0.113.6")
    assert response.status_code == 403
    event = AuditEvent.objects.get(action=AuditAction.ACCESS_DENIED)
    assert (event.actor, event.path, event.ip) == (world.teacher, "/audit/", "203.0.113.6")
    assert event.detail == {"method": "GET"}


def test_anonymous_visitors_are_not_recorded_as_refused(client, world):
    client.get(reverse("audit:list"))
    assert not AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED).exists()
