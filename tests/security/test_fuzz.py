"""Arbitrary text into every form: never a 500, never a partial write, always escaped.

Hypothesis posts text to each form of the app (and to the filters and
searches read from the query string): unicode, NUL, right-to-left marks,
emoji, very long strings, markup, template syntax and SQL. For every example:

- the status is below 500;
- when the form was not accepted (anything but a redirect), no row was
  created and the record edited did not change;
- input echoed back is escaped: raw markup never appears in the page.

Text with NUL characters reaching a query would be refused by PostgreSQL
(SQLite takes it): a wrapper refuses it here too, so the SQLite run finds
what the PostgreSQL run would.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DataError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Membership, User
from accounts.policy import Actor
from casework import services as casework
from casework.models import (
    Action,
    Case,
    CaseEvent,
    CaseMember,
    ConfidentialNote,
    EntryKind,
    EvaluationEntry,
    Goal,
    Meeting,
)
from notifications.models import Delivery, Notification
from referrals import services as referrals
from referrals.filters import TriageFilter
from referrals.models import ConcernCategory, InputRequest, Referral, ReferralAttachment, ReferralEvent
from roster.models import Classroom, Enrollment, Student, Subject, TeachingAssignment
from tests.security.grid import _file

pytestmark = pytest.mark.django_db

EXAMPLES = 15  # per form
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

MARKUP = "<script>alert(1)</script>"
PAYLOADS = [
    "\x00",
    "a\x00b",
    "\u202eevil\u202c",
    "\u200f\u0627\u0644\u0639\u0631\u0628\u064a\u0629",
    "😀👩‍👩‍👧 ok",
    MARKUP,
    '"><img src=x onerror=alert(1)>',
    '" autofocus onfocus="alert(1)',
    "{{ 7*7 }}",
    "{% debug %}",
    "'; DROP TABLE referrals_referral; --",
    "%s %(x)s {0}",
    "\\",
    "0",
    "-1",
    "1e309",
    "99999999999999999999999",
    "²",
    "٣",
    "2026-02-30",
    " ",
]
LONG = st.builds(lambda chunk, n: ((chunk or "x") * n)[:n], st.text(min_size=1, max_size=4), st.integers(2500, 10_000))
TEXT = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(max_size=60),
    st.builds(lambda a, p, b: a + p + b, st.text(max_size=20), st.sampled_from(PAYLOADS), st.text(max_size=20)),
    LONG,
)

# Rows a refused form must not create (AuditEvent left out: a refused post
# may be audited as an attempt).
COUNTED = [
    Referral,
    ReferralEvent,
    ReferralAttachment,
    InputRequest,
    ConcernCategory,
    Case,
    CaseMember,
    CaseEvent,
    Goal,
    Action,
    Meeting,
    EvaluationEntry,
    ConfidentialNote,
    Notification,
    Delivery,
    Student,
    Classroom,
    Subject,
    TeachingAssignment,
    Enrollment,
    User,
    Membership,
]


def _counts():
    return {model.__name__: model.objects.count() for model in COUNTED}


def _state(obj):
    if obj is None:
        return None
    obj.refresh_from_db()
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _reject_nul(execute, sql, params, many, context):
    """PostgreSQL refuses NUL in text; make SQLite do the same."""
    rows = params if many else [params]
    for row in rows or []:
        values = row.values() if isinstance(row, dict) else (row or [])
        if any(isinstance(value, str) and "\x00" in value for value in values):
            raise DataError("A string literal cannot contain NUL (0x00) characters.")
    return execute(sql, params, many, context)


@dataclass
class Form:
    name: str
    user: str
    fields: tuple
    build: object  # (grid) -> (url, fixed data, the record the form edits or None)
    method: str = "POST"
    upload: dict = field(default_factory=dict)  # file field -> CSV header, the fuzzed fields fill one row


TODAY = timezone.localdate()


def _fresh_referral(g):
    w = g.world
    return _file(w.teacher, w.school, w.student_a, observation="Fresh referral for the fuzz test.")


def _needs_info(g):
    referral = _fresh_referral(g)
    referrals.referral_ask_info(referral=referral, actor=g.world.counselor, message="Which lessons?")
    return referral


def _closed(case):
    """The case, closed (the example's savepoint opens it again)."""
    casework.case_close(case=case, actor=Actor(case.lead_counselor), outcome="improved", final_note="Done.")
    return case


def _input(g):
    w = g.world
    return InputRequest.objects.create(referral=_fresh_referral(g), requested_from=w.homeroom, requested_by=w.counselor)


def _fresh_action(g):
    case = g.case_a
    return casework.action_add(
        case=case, actor=g.world.counselor, description="Fresh action", responsible=g.world.teacher, goal=case.goal
    )


def _fresh_follow_up(g):
    return casework.entry_add(
        case=g.case_a,
        actor=Actor(g.world.teacher),
        kind=EntryKind.OBSERVATION,
        date=TODAY,
        action=g.case_a.action,
        next_follow_up=TODAY + datetime.timedelta(days=3),
    )


def _case_url(name, g, *args, case=None):
    return reverse(name, args=[(case or g.case_a).pk, *args])


def _referral_form(g):
    w = g.world
    category = ConcernCategory.objects.filter(school=w.school).first()
    data = {
        "student": w.student_a.pk,
        "categories": [category.pk],
        "observation": "Stops working.",
        "observed_since": "weeks",
        "urgency": "routine",
        "contact_preference": "in_app",
        "parents_informed": "not_sure",
    }
    return reverse("referrals:new"), data, None


def _meeting_data(g):
    w = g.world
    starts = (timezone.localtime() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    return {
        "kind": "case_conference",
        "starts_at": starts,
        "duration_minutes": "45",
        "place": "Ruang BK",
        "attendees": [w.counselor.pk, w.teacher.pk],
    }


def _fresh(obj):
    obj.refresh_from_db()
    return obj


STUDENT_HEADER = ["nisn", "nis", "full_name", "gender", "birth_date", "classroom"]

FORMS = [
    # Referrals.
    Form(
        "referral new",
        "teacher",
        ("observation", "teacher_view", "already_tried", "latest_score", "absences_30_days", "urgency"),
        _referral_form,
    ),
    Form(
        "ask for information",
        "counselor",
        ("message",),
        lambda g: (reverse("referrals:ask", args=[(r := _fresh_referral(g)).pk]), {}, r),
    ),
    Form(
        "resubmit",
        "teacher",
        ("message",),
        lambda g: (reverse("referrals:resubmit", args=[(r := _needs_info(g)).pk]), {}, r),
    ),
    Form(
        "decline",
        "counselor",
        ("reason",),
        lambda g: (reverse("referrals:decline", args=[(r := _fresh_referral(g)).pk]), {}, r),
    ),
    Form(
        "accept",
        "counselor",
        ("message", "lead_counselor"),
        lambda g: (reverse("casework:accept_referral", args=[(r := _fresh_referral(g)).pk]), {}, r),
    ),
    Form(
        "request input",
        "counselor",
        ("colleagues",),
        lambda g: (reverse("referrals:request_input", args=[(r := _fresh_referral(g)).pk]), {}, r),
    ),
    Form(
        "input answer",
        "homeroom",
        ("rating", "note"),
        lambda g: (reverse("referrals:input", args=[(i := _input(g)).pk]), {}, i),
    ),
    # The case record.
    Form(
        "case summary",
        "counselor",
        ("summary",),
        lambda g: (_case_url("casework:summary", g), {"version": _fresh(g.case_a).version}, g.case_a),
    ),
    Form(
        "case assessment",
        "counselor",
        ("counselor_assessment", "perspectives_to_discuss"),
        lambda g: (_case_url("casework:assessment", g), {"version": _fresh(g.case_a).version}, g.case_a),
    ),
    Form(
        "case guidance",
        "counselor",
        ("classroom_guidance",),
        lambda g: (_case_url("casework:guidance", g), {"version": _fresh(g.case_a).version}, g.case_a),
    ),
    Form(
        "goal add",
        "counselor",
        ("statement", "indicator", "baseline", "target", "unit", "target_date"),
        lambda g: (_case_url("casework:goal_add", g), {}, None),
    ),
    Form(
        "goal edit",
        "counselor",
        ("statement", "indicator", "baseline", "unit"),
        lambda g: (
            _case_url("casework:goal_edit", g, g.case_a.goal.pk),
            {"statement": "Goal", "indicator": "Score", "version": _fresh(g.case_a.goal).version},
            g.case_a.goal,
        ),
    ),
    Form(
        "action add",
        "counselor",
        ("description", "frequency", "starts_on", "ends_on"),
        lambda g: (_case_url("casework:action_add", g), {"responsible": g.world.teacher.pk}, None),
    ),
    Form(
        "action edit",
        "counselor",
        ("description", "frequency", "status"),
        lambda g: (
            _case_url("casework:action_edit", g, g.case_a.action.pk),
            {"responsible": g.world.teacher.pk, "version": _fresh(g.case_a.action).version},
            g.case_a.action,
        ),
    ),
    Form(
        "meeting add",
        "counselor",
        ("place", "agenda", "starts_at", "duration_minutes"),
        lambda g: (_case_url("casework:meeting_add", g), _meeting_data(g), None),
    ),
    Form(
        "meeting edit",
        "counselor",
        ("place", "agenda", "minutes"),
        lambda g: (
            _case_url("casework:meeting_edit", g, g.case_a.meeting.pk),
            {**_meeting_data(g), "sequence": _fresh(g.case_a.meeting).sequence},
            g.case_a.meeting,
        ),
    ),
    Form(
        "decision add",
        "counselor",
        ("description", "frequency"),
        lambda g: (
            _case_url("casework:decision_add", g, g.case_a.meeting.pk),
            {"responsible": g.world.teacher.pk},
            None,
        ),
    ),
    Form(
        "entry add",
        "counselor",
        ("note", "measured_value", "date", "next_follow_up"),
        lambda g: (
            _case_url("casework:entry_add", g),
            {"kind": "progress_check", "goal": g.case_a.goal.pk, "date": TODAY.isoformat()},
            None,
        ),
    ),
    Form("confidential note", "counselor", ("body",), lambda g: (_case_url("casework:note_add", g), {}, None)),
    Form(
        "follow-up quick add",
        "counselor",
        ("note", "date"),
        lambda g: (
            _case_url("casework:follow_up_add", g),
            {"date": (TODAY + datetime.timedelta(days=2)).isoformat()},
            None,
        ),
    ),
    Form(
        "follow-up done",
        "teacher",
        ("note", "measured_value", "rating", "next_follow_up"),
        lambda g: (_case_url("casework:follow_up_done", g, (e := _fresh_follow_up(g)).pk), {}, e),
    ),
    Form(
        "task done",
        "teacher",
        ("note", "measured_value", "rating"),
        lambda g: (_case_url("casework:action_done", g, (a := _fresh_action(g)).pk), {}, a),
    ),
    Form("team add", "counselor", ("user", "role"), lambda g: (_case_url("casework:team_add", g), {}, None)),
    Form("reassign", "vp", ("counselor",), lambda g: (_case_url("casework:reassign", g), {}, g.case_a)),
    Form("status", "counselor", ("status",), lambda g: (_case_url("casework:status", g), {}, g.case_a)),
    Form(
        "close",
        "counselor2",
        ("final_note", "outcome", "rating"),
        lambda g: (_case_url("casework:close", g, case=g.case_b), {"outcome": "improved"}, g.case_b),
    ),
    Form(
        "reopen",
        "counselor2",
        ("reason",),
        lambda g: (_case_url("casework:reopen", g, case=_closed(g.case_b)), {}, g.case_b),
    ),
    # The user's own settings.
    Form(
        "profile",
        "teacher",
        ("full_name", "email", "whatsapp", "language"),
        lambda g: (reverse("profile"), {"full_name": "Sri", "language": "en"}, g.world.teacher),
    ),
    Form(
        "notification settings",
        "teacher",
        ("email", "whatsapp", "email_digest"),
        lambda g: (reverse("notifications:settings"), {}, None),
    ),
    Form(
        "password change",
        "teacher",
        ("old_password", "new_password1", "new_password2"),
        lambda g: (reverse("password_change"), {}, g.world.teacher),
    ),
    Form("two-step set-up", "teacher", ("code",), lambda g: (reverse("two_factor_setup"), {}, None)),
    # The roster import: the fuzzed text fills the cells of an uploaded file.
    Form(
        "roster import",
        "admin",
        ("nisn", "nis", "full_name", "classroom"),
        lambda g: (reverse("roster:import"), {"kind": "students"}, None),
        upload={"file": STUDENT_HEADER},
    ),
    # Filters and searches (GET).
    Form(
        "report filters",
        "vp",
        ("date_from", "date_to", "grade", "classroom", "subject", "category", "breakdown", "suppress"),
        lambda g: (reverse("reports:index"), {}, None),
        method="GET",
    ),
    Form(
        "report export",
        "vp",
        ("format", "dataset", "date_from", "classroom"),
        lambda g: (reverse("reports:export"), {"format": "csv", "dataset": "indicators"}, None),
        method="GET",
    ),
    Form(
        "triage filters",
        "counselor",
        tuple(sorted(TriageFilter.param_names())) + ("page",),
        lambda g: (reverse("referrals:triage"), {}, None),
        method="GET",
    ),
    Form(
        "caseload filters",
        "counselor",
        ("scope", "status", "classroom", "q", "page"),
        lambda g: (reverse("casework:caseload"), {}, None),
        method="GET",
    ),
    Form(
        "audit filters",
        "vp",
        ("action", "object_type", "username", "page"),
        lambda g: (reverse("audit:list"), {}, None),
        method="GET",
    ),
    Form(
        "student search",
        "teacher",
        ("q", "partial"),
        lambda g: (reverse("referrals:student_search"), {}, None),
        method="GET",
    ),
    Form(
        "referral form search",
        "teacher",
        ("q", "student"),
        lambda g: (reverse("referrals:new"), {}, None),
        method="GET",
    ),
]


def _upload(header, values):
    """A CSV file with the header and one row: the fuzzed cells, sensible others."""
    defaults = {
        "nisn": "9911223344",
        "nis": "77",
        "full_name": "Budi",
        "gender": "L",
        "birth_date": "2013-02-03",
        "classroom": "VII-A",
    }
    row = {**defaults, **values}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerow([row[name] for name in header])
    return SimpleUploadedFile(
        "students.csv", buffer.getvalue().encode("utf-8", "surrogatepass"), content_type="text/csv"
    )


def _unescaped(values, html):
    """Fuzzed values with markup that appear raw in the page."""
    return [
        value
        for value in values
        if (MARKUP in value or (len(value) >= 12 and any(c in value for c in '<>"')))
        and value.strip() in html
        and value.strip()
    ]


def _check_example(form, g, client, values):
    """One example, in a savepoint rolled back at the end: examples do not
    pile up, and a failed one leaves the next a clean slate."""
    with transaction.atomic():
        _run_example(form, g, client, values)
        transaction.set_rollback(True)


def _run_example(form, g, client, values):
    url, data, record = form.build(g)
    before, state = _counts(), _state(record)
    with connection.execute_wrapper(_reject_nul):
        if form.method == "GET":
            response = client.get(url, {**data, **values})
        elif form.upload:
            (name, header) = next(iter(form.upload.items()))
            response = client.post(url, {**data, name: _upload(header, values)})
        else:
            response = client.post(url, {**data, **values})
    status = response.status_code
    assert status < 500, (form.name, values)
    if form.method == "POST" and status != 302:
        assert _counts() == before, (form.name, "rows written by a refused form", values)
        assert _state(record) == state, (form.name, "record changed by a refused form", values)
    if response.get("Content-Type", "").startswith("text/html"):
        assert _unescaped(values.values(), response.content.decode()) == [], (form.name, values)
    if form.upload and status == 200:
        # The preview passed: confirm it too.
        with connection.execute_wrapper(_reject_nul):
            confirmed = client.post(url, {"action": "confirm"})
        assert confirmed.status_code < 500, (form.name, values)


def _fuzzer(form, grid, client, ran):
    @FUZZ
    @given(values=st.fixed_dictionaries(dict.fromkeys(form.fields, TEXT)))
    def run(values):
        ran[form.name] += 1
        _check_example(form, grid, client, values)

    return run


def test_every_form_takes_any_text(grid, clients):
    ran = {}
    failures = []
    for form in FORMS:
        ran[form.name] = 0
        try:
            _fuzzer(form, grid, clients[form.user], ran)()
        except Exception as error:  # collect every form's shrunk failure
            failures.append(f"{form.name}: {error!r}"[:3000])
    total = sum(ran.values())
    print(f"fuzz: {len(FORMS)} forms, {total} examples")
    assert failures == []
    assert all(count >= EXAMPLES for count in ran.values()), ran


def test_the_nul_guard_catches_what_postgresql_would_refuse(grid):
    with connection.execute_wrapper(_reject_nul), pytest.raises(DataError):
        Student.objects.filter(full_name__icontains="a\x00b").exists()
    assert Case.objects.filter(student=grid.world.student_a).exists()
