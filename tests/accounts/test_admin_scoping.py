"""Every admin built on SchoolScopedAdmin keeps a school admin inside their school.

The models are found from the admin site itself, so a new school-scoped admin is
tested as soon as it is registered (and fails until it gets a pair below). For
each one a school admin of world.school
- sees their school's rows on the changelist and not the other school's;
- cannot open, or delete, the other school's row (the admin answers as if it
  did not exist: a redirect to the index), while their own row opens;
- is offered only their school's rows in every dropdown of the add form and of
  the change form (homeroom teacher, student, classroom, term...).
"""

import datetime

import pytest
from django.apps import apps
from django.contrib import admin
from django.forms import ModelChoiceField
from django.urls import reverse

from accounts.admin_scoping import SchoolScopedAdmin
from notifications.models import Delivery, DeliveryStatus, Notification, NotificationKind, NotificationPreference
from referrals.models import ConcernCategory
from roster.models import Enrollment, Holiday, Subject, TeachingAssignment
from schooldata.models import Thresholds
from tests import factories as f

pytestmark = pytest.mark.django_db


def _scoped_models():
    return sorted(
        (
            model
            for model in apps.get_models()
            if admin.site.is_registered(model) and isinstance(admin.site.get_model_admin(model), SchoolScopedAdmin)
        ),
        key=lambda model: model._meta.label,
    )


SCOPED_MODELS = _scoped_models()


def _notification(school, recipient):
    return Notification.objects.create(
        school=school, recipient=recipient, kind=NotificationKind.CASE_STATUS, url="/cases/1/"
    )


def _delivery(school, recipient):
    return Delivery.objects.create(
        notification=_notification(school, recipient), channel="email", status=DeliveryStatus.FAILED
    )


def _other_assignment(w):
    # Asked for more than once (a dropdown of assignments on two pages): the same row.
    subject, _created = Subject.objects.get_or_create(school=w.other_school, name="Their subject")
    return TeachingAssignment.objects.get_or_create(
        school=w.other_school, teacher=w.outsider, classroom=w.other_class, subject=subject, term=w.other_term
    )[0]


# model label -> (a row of world.school, a row of world.other_school)
PAIRS = {
    "accounts.User": lambda w: (w.teacher, w.outsider),
    "roster.School": lambda w: (w.school, w.other_school),
    "roster.Holiday": lambda w: (
        Holiday.objects.create(school=w.school, date=datetime.date(2026, 8, 17), name="Ours"),
        Holiday.objects.create(school=w.other_school, date=datetime.date(2026, 8, 17), name="Theirs"),
    ),
    "roster.AcademicYear": lambda w: (w.term.year, w.other_term.year),
    "roster.Term": lambda w: (w.term, w.other_term),
    "roster.Classroom": lambda w: (w.class_a, w.other_class),
    "roster.Subject": lambda w: (w.maths, f.SubjectFactory(school=w.other_school)),
    "roster.TeachingAssignment": lambda w: (TeachingAssignment.objects.get(teacher=w.teacher), _other_assignment(w)),
    "roster.Student": lambda w: (w.student_a, w.other_student),
    "roster.Enrollment": lambda w: (
        Enrollment.objects.get(student=w.student_a),
        Enrollment.objects.get(student=w.other_student),
    ),
    "referrals.ConcernCategory": lambda w: (
        ConcernCategory.objects.filter(school=w.school).first(),
        ConcernCategory.objects.filter(school=w.other_school).first(),
    ),
    "notifications.Notification": lambda w: (
        _notification(w.school, w.teacher),
        _notification(w.other_school, w.outsider),
    ),
    "notifications.Delivery": lambda w: (_delivery(w.school, w.teacher), _delivery(w.other_school, w.outsider)),
    "notifications.NotificationPreference": lambda w: (
        NotificationPreference.objects.update_or_create(user=w.teacher)[0],
        NotificationPreference.objects.update_or_create(user=w.outsider)[0],
    ),
    "schooldata.Thresholds": lambda w: (
        Thresholds.objects.create(school=w.school),
        Thresholds.objects.create(school=w.other_school),
    ),
}


def _timetable_pair(w, model, **fields):
    """Issue #13's timetable rows, one per school."""
    from roster.models import Lesson, Period

    times = {"starts_at": datetime.time(7), "ends_at": datetime.time(7, 40)}
    if model is Period:
        return tuple(
            Period.objects.create(school=t.school, term=t, weekday=0, number=1, **times) for t in (w.term, w.other_term)
        )
    if model is Lesson:
        ours = TeachingAssignment.objects.get(teacher=w.teacher)
        return (
            Lesson.objects.create(school=w.school, assignment=ours, weekday=0, number=1),
            Lesson.objects.create(
                school=w.other_school,
                assignment=f.TeachingAssignmentFactory(
                    teacher=w.outsider,
                    classroom=w.other_class,
                    subject=f.SubjectFactory(school=w.other_school, name="Their timetabled subject"),
                    term=w.other_term,
                ),
                weekday=0,
                number=1,
            ),
        )
    return (
        model.objects.create(school=w.school, user=w.counselor, reason="Ours", **fields),
        model.objects.create(school=w.other_school, user=w.outsider, reason="Theirs", **fields),
    )


PAIRS.update(
    {
        "roster.Period": lambda w: _timetable_pair(w, apps.get_model("roster", "Period")),
        "roster.Lesson": lambda w: _timetable_pair(w, apps.get_model("roster", "Lesson")),
        "roster.BusyBlock": lambda w: _timetable_pair(
            w, apps.get_model("roster", "BusyBlock"), weekday=1, starts_at=datetime.time(7), ends_at=datetime.time(8)
        ),
        "roster.Absence": lambda w: _timetable_pair(
            w,
            apps.get_model("roster", "Absence"),
            starts_on=datetime.date(2026, 12, 8),
            ends_on=datetime.date(2026, 12, 9),
        ),
    }
)


def _pair(world, model):
    label = model._meta.label
    if label not in PAIRS:
        pytest.fail(f"{label} has a school-scoped admin: add a pair of rows for it to PAIRS")
    ours, theirs = PAIRS[label](world)
    assert ours is not None and theirs is not None, label
    return ours, theirs


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def admin_client(login, world):
    return login(world.admin)


def test_the_scoped_admins_are_found():
    labels = {model._meta.label for model in SCOPED_MODELS}
    # Those we know of; a new one is welcome (PAIRS tells when it needs a pair).
    assert set(PAIRS) <= labels
    assert "referrals.Referral" not in labels  # school admins get no case content at all


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=lambda model: model._meta.label)
def test_the_changelist_shows_only_their_schools_rows(admin_client, world, model):
    ours, theirs = _pair(world, model)
    response = admin_client.get(_url(model, "changelist"))
    assert response.status_code == 200
    shown = {row.pk for row in response.context["cl"].result_list}
    assert ours.pk in shown
    assert theirs.pk not in shown
    assert _url(model, "change", theirs.pk) not in response.text
    # Nothing else from outside the school either.
    school_field = admin.site.get_model_admin(model).school_field
    assert not model._default_manager.filter(pk__in=shown).exclude(**{school_field: world.school.pk}).exists()


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=lambda model: model._meta.label)
def test_another_schools_row_cannot_be_opened_or_deleted(admin_client, world, model):
    ours, theirs = _pair(world, model)
    assert admin_client.get(_url(model, "change", ours.pk)).status_code == 200

    for view in ("change", "history", "delete"):
        response = admin_client.get(_url(model, view, theirs.pk))
        # 403 where the view is shut for them anyway (deleting a school).
        assert response.status_code in (302, 403, 404), view
        if response.status_code == 302:
            # Django's admin treats it as missing: back to the index with a message.
            assert response["Location"] == reverse("admin:index"), view
    admin_client.post(_url(model, "delete", theirs.pk), {"post": "yes"})
    assert model._default_manager.filter(pk=theirs.pk).exists()


def _dropdowns(response):
    """Every choice-of-rows field on an admin form page, inlines included."""
    forms = [("", response.context["adminform"].form)]
    for inline in response.context["inline_admin_formsets"]:
        forms.append((f"{inline.formset.prefix}-", inline.formset.empty_form))
    return {
        prefix + name: field
        for prefix, form in forms
        for name, field in form.fields.items()
        if isinstance(field, ModelChoiceField)
    }


# Rows only the system writes, and schools only a superuser adds.
NO_ADD_FORM = {"roster.School", "notifications.Notification", "notifications.Delivery"}


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=lambda model: model._meta.label)
def test_dropdowns_offer_only_their_schools_rows(admin_client, world, model):
    ours, _ = _pair(world, model)
    pages = [_url(model, "change", ours.pk)]
    if model._meta.label in NO_ADD_FORM:
        assert admin_client.get(_url(model, "add")).status_code == 403
    else:
        pages.append(_url(model, "add"))
    for url in pages:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        for name, field in _dropdowns(response).items():
            option_ours, option_theirs = _pair(world, field.queryset.model)
            assert field.queryset.filter(pk=option_ours.pk).exists(), (url, name)
            assert not field.queryset.filter(pk=option_theirs.pk).exists(), (url, name)


def test_the_add_forms_with_dropdowns_are_covered(admin_client, world):
    """The roster's add forms are where a school admin picks teachers, students,
    classrooms and terms: make sure they are among the pages checked above."""
    expected = {
        "roster.Classroom": {"homeroom_teacher", "counselor"},
        "roster.Term": {"year"},
        "roster.TeachingAssignment": {"teacher", "classroom", "subject", "term"},
        "roster.Student": {"classroom"},
        "roster.Enrollment": {"student", "classroom", "term"},
        "notifications.NotificationPreference": {"user"},
    }
    for label, fields in expected.items():
        model = next(model for model in SCOPED_MODELS if model._meta.label == label)
        response = admin_client.get(_url(model, "add"))
        assert response.status_code == 200, label
        assert fields <= set(_dropdowns(response)), label


# label -> (fields of a row that repeats one of world.school's, the field the error is about)
DUPLICATES = {
    "roster.Subject": lambda w: {"name": w.maths.name},
    "roster.Classroom": lambda w: {"name": w.class_a.name, "grade": w.class_a.grade},
    "roster.AcademicYear": lambda w: {
        "name": w.term.year.name,
        "starts_on": w.term.year.starts_on.isoformat(),
        "ends_on": w.term.year.ends_on.isoformat(),
    },
    "roster.Holiday": lambda w: {"date": "2026-08-17", "name": "Again"},
    # One row per school: a second one is refused on the form, not by the database.
    "schooldata.Thresholds": lambda w: {
        "kkm": "75",
        "subjects_below": "2",
        "drop_points": "15",
        "min_attendance": "85",
        "max_unexcused": "3",
    },
    "referrals.ConcernCategory": lambda w: {
        "code": ConcernCategory.objects.filter(school=w.school).first().code,
        "name": "Again",
        "position": 0,
        "is_active": "on",
    },
}


@pytest.mark.parametrize("label", sorted(DUPLICATES))
def test_a_duplicate_within_the_school_is_a_form_error_not_a_500(admin_client, world, label):
    model = next(model for model in SCOPED_MODELS if model._meta.label == label)
    if label == "roster.Holiday":
        Holiday.objects.create(school=world.school, date=datetime.date(2026, 8, 17), name="Ours")
    if label == "schooldata.Thresholds":
        Thresholds.objects.get_or_create(school=world.school)
    before = model._default_manager.count()
    data = {"_save": "Save", **DUPLICATES[label](world)}
    response = admin_client.post(_url(model, "add"), data)
    assert response.status_code == 200, label
    assert response.context["adminform"].form.errors, label
    assert "already" in response.text or "sudah ada" in response.text, response.context["adminform"].form.errors
    assert model._default_manager.count() == before
