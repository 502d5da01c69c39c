"""The ZIP of everything held about one student (a guardian's access request).

Contents, in the language the counselor chose:

- ``README.txt``: what each file is;
- ``data.json``: the student, enrollments, referrals (timeline, colleagues'
  input, attachment details), cases (team, plan, meetings, evaluation log,
  timeline), machine-readable (UU PDP: access and portability);
- ``report.html``: the same, readable, self-contained (no links, no scripts);
- ``timeline.csv``: every dated event for a spreadsheet, each text cell
  neutralised against formula injection (common.csv_export.safe_cell);
- ``attachments/``: the evidence files teachers attached to referrals;
- only when the counselor ticks it: ``confidential_counselor_notes.json``
  and ``.html``, the counselors' confidential notes, in separate, clearly
  labelled files so that the counselor can review them before handing over.

Confidential notes are personal data held about the child, so the guardian's
right of access covers them; but they can hold what must not reach a parent
(a suspected family problem, what the child told in confidence). So they are
left out unless the counselor decides, for this request, to include them.
"""

import datetime
import json
import shutil
import tempfile
import zipfile

from django.core.exceptions import SuspiciousFileOperation
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from casework.models import ActionSession
from common.csv_export import csv_lines

FORMAT_NAME = "sinergi-student-export"
FORMAT_VERSION = 1
SPOOL_MAX_BYTES = 8 * 1024 * 1024

# A small stylesheet inside report.html, which is opened from the ZIP, outside
# the app (no Content-Security-Policy there). No characters that need escaping.
REPORT_CSS = """
body { font-family: system-ui, sans-serif; line-height: 1.5; margin: 1rem auto; max-width: 60rem; padding: 0 1rem; }
h1, h2, h3 { line-height: 1.2; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; width: 100%; }
caption { font-weight: bold; text-align: left; }
th, td { border: 1px solid #999; overflow-wrap: anywhere; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
.confidential { border: 3px solid #b00020; padding: 0.5rem 1rem; }
.text { white-space: pre-wrap; }
"""


def _person(user):
    if user is None:
        return None
    return user.get_full_name() or user.get_username()


def _choice(obj, field):
    """The code and the label of a choice field, e.g. ("accepted", "Accepted")."""
    code = getattr(obj, field)
    label = getattr(obj, f"get_{field}_display")() if code else ""
    return code, str(label)


def _local(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value)
    return value


def _student(student):
    gender, gender_label = _choice(student, "gender")
    return {
        "id": student.pk,
        "nisn": student.nisn,
        "nis": student.nis,
        "full_name": student.full_name,
        "gender": gender,
        "gender_label": gender_label,
        "birth_date": student.birth_date,
        "guardian_name": student.guardian_name,
        "guardian_phone": student.guardian_phone,
        "current_class": student.classroom.name if student.classroom else None,
        "active": student.is_active,
        "school": {"name": student.school.name, "npsn": student.school.npsn},
    }


def attachment_path(attachment):
    try:
        name = get_valid_filename(attachment.original_name)
    except SuspiciousFileOperation:
        name = "file"
    return f"attachments/referral-{attachment.referral_id}/{attachment.pk}-{name}"


def _referral(referral):
    status, status_label = _choice(referral, "status")
    urgency, urgency_label = _choice(referral, "urgency")
    since, since_label = _choice(referral, "observed_since")
    return {
        "id": referral.pk,
        "filed_at": _local(referral.created_at),
        "referred_by": _person(referral.referred_by),
        "subject": referral.subject.name if referral.subject else None,
        "concerns": [category.label for category in referral.categories.all()],
        "observation": referral.observation,
        "observed_since": since,
        "observed_since_label": since_label,
        "latest_score": referral.latest_score,
        "absences_30_days": referral.absences_30_days,
        "already_tried": referral.already_tried,
        "teacher_view": referral.teacher_view,
        "urgency": urgency,
        "urgency_label": urgency_label,
        "parents_informed": _choice(referral, "parents_informed")[1],
        "status": status,
        "status_label": status_label,
        "decline_reason": referral.decline_reason,
        "latest_feedback": referral.latest_feedback,
        "triaged_at": _local(referral.triaged_at),
        "triaged_by": _person(referral.triaged_by),
        "case": referral.case.number if referral.case else None,
        "events": [
            {
                "when": _local(event.created_at),
                "what": event.get_kind_display(),
                "by": _person(event.actor),
                "message": event.message,
            }
            for event in referral.events.all()
        ],
        "colleague_input": [
            {
                "asked_at": _local(item.created_at),
                "asked_by": _person(item.requested_by),
                "colleague": _person(item.requested_from),
                "answered_at": _local(item.answered_at),
                "rating": _choice(item, "rating")[1],
                "note": item.note,
            }
            for item in referral.input_requests.all()
        ],
        "attachments": [
            {
                "file_name": item.original_name,
                "type": item.content_type,
                "size_bytes": item.size,
                "uploaded_at": _local(item.created_at),
                "uploaded_by": _person(item.uploaded_by),
                "path_in_zip": attachment_path(item),
            }
            for item in referral.attachments.all()
        ],
    }


def _case(case):
    status, status_label = _choice(case, "status")
    outcome, outcome_label = _choice(case, "outcome")
    return {
        "number": case.number,
        "status": status,
        "status_label": status_label,
        "outcome": outcome,
        "outcome_label": outcome_label,
        "opened_at": _local(case.opened_at),
        "closed_at": _local(case.closed_at),
        "lead_counselor": _person(case.lead_counselor),
        "referrals": [referral.pk for referral in case.referrals.all()],
        "summary": case.summary,
        "counselor_assessment": case.counselor_assessment,
        "classroom_guidance": case.classroom_guidance,
        "team": [{"name": _person(m.user), "role": m.get_role_display()} for m in case.members.all()],
        "goals": [
            {
                "goal": goal.statement,
                "indicator": goal.indicator,
                "baseline": goal.baseline,
                "target": goal.target,
                "unit": goal.unit,
                "target_date": goal.target_date,
            }
            for goal in case.goals.all()
        ],
        "actions": [
            {
                "what": action.description,
                "goal": action.goal.statement if action.goal else None,
                "responsible": _person(action.responsible),
                "how_often": action.frequency,
                "from": action.starts_on,
                "until": action.ends_on,
                "status": action.get_status_display(),
                "completed_at": _local(action.completed_at),
            }
            for action in case.actions.all()
        ],
        "meetings": [
            {
                "kind": meeting.get_kind_display(),
                "time": _local(meeting.starts_at),
                "duration_minutes": meeting.duration_minutes,
                "place": meeting.place,
                "attendees": [_person(user) for user in meeting.attendees.all()],
                "agenda": meeting.agenda,
                "minutes": meeting.minutes,
                "scheduled_by": _person(meeting.created_by),
            }
            for meeting in case.meetings.all()
        ],
        "coordination_forum": [
            {
                "time": _local(item.sitting.starts_at),
                "item": item.get_kind_display(),
                "topic": item.title,
                "added_by": _person(item.added_by),
                "minutes": item.minutes,
            }
            for item in getattr(case, "forum_items", [])
        ],
        "evaluation_log": [
            {
                "date": entry.date,
                "kind": entry.get_kind_display(),
                "by": _person(entry.author),
                "goal": entry.goal.statement if entry.goal else None,
                "measured_value": entry.measured_value,
                "rating": _choice(entry, "rating")[1],
                "note": entry.note,
                "next_follow_up": entry.next_follow_up,
                "final_evaluation": entry.is_final,
            }
            for entry in case.entries.all()
        ],
        "progress_decisions": [
            {
                "date": d.decided_on,
                "goal": d.goal.statement,
                "decision": d.get_kind_display(),
                "reason": d.reason,
                "by": _person(d.decided_by),
            }
            for d in case.decisions.select_related("goal", "decided_by")
        ],
        "sessions": [
            {
                "date": x.date,
                "action": x.action.description,
                "held": x.held,
                "why_not_held": x.reason,
                "by": _person(x.recorded_by),
            }
            for x in ActionSession.objects.filter(action__case=case).select_related("action", "recorded_by")
        ],
        "events": [
            {
                "when": _local(event.created_at),
                "what": event.get_kind_display(),
                "by": _person(event.actor),
                "message": event.message,
            }
            for event in case.events.all()
        ],
    }


def _confidential_notes(record):
    return [
        {
            "case": case.number,
            "written_at": _local(note.created_at),
            "by": _person(note.author),
            "note": note.body,
        }
        for case in record.cases
        for note in case.confidential_notes.all()
    ]


def export_data(record, *, by, now=None):
    """The dict written to data.json (and shown in report.html)."""
    now = now or timezone.now()
    return {
        "export": {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "generated_at": _local(now),
            "generated_by": _person(by),
            "purpose": _("Access request by the student's parent or guardian"),
            "confidential_notes": (
                _("Included, in the separate files confidential_counselor_notes.json and .html.")
                if record.include_confidential
                else _("Not included: the counselor decided not to include the confidential counselor notes.")
            ),
        },
        "student": _student(record.student),
        "enrollments": [
            {"year": e.term.year.name, "term": e.term.name, "classroom": e.classroom.name} for e in record.enrollments
        ],
        "referrals": [_referral(referral) for referral in record.referrals],
        "cases": [_case(case) for case in record.cases],
        "school_records": _school_records(record),
    }


def _school_records(record):
    """Grades and attendance imported from the school's records, and any
    "not needed" on the early-warning list (who said it and why)."""
    return {
        "scores": [
            {
                "term": f"{s.assessment.term.year.name} · {s.assessment.term.name}",
                "classroom": s.assessment.classroom.name,
                "subject": s.assessment.subject.name,
                "assessment": s.assessment.name,
                "date": s.assessment.date,
                "score": s.value,
            }
            for s in getattr(record, "scores", [])
        ],
        "attendance": [
            {
                "month": f"{m.month:%Y-%m}",
                "present": m.present,
                "sick": m.sick,
                "permitted": m.permitted,
                "absent_without_leave": m.absent,
            }
            for m in getattr(record, "attendance", [])
        ],
        "early_warning_not_needed": [
            {"by": _person(d.dismissed_by), "at": _local(d.dismissed_at), "reason": d.reason}
            for d in getattr(record, "dismissals", [])
        ],
    }


def timeline_rows(data):
    """Header and rows of timeline.csv: every dated event, oldest first."""
    rows = []
    for referral in data["referrals"]:
        label = _("Referral #%(id)s") % {"id": referral["id"]}
        for event in referral["events"]:
            rows.append((event["when"], label, event["what"], event["by"], event["message"]))
        for item in referral["colleague_input"]:
            if item["answered_at"]:
                what = _("Colleague's input received")
                rows.append((item["answered_at"], label, what, item["colleague"], item["note"]))
    for case in data["cases"]:
        label = _("Case %(number)s") % {"number": case["number"]}
        for event in case["events"]:
            rows.append((event["when"], label, event["what"], event["by"], event["message"]))
        for entry in case["evaluation_log"]:
            rows.append((entry["date"], label, entry["kind"], entry["by"], entry["note"]))
        for meeting in case["meetings"]:
            rows.append((meeting["time"], label, meeting["kind"], meeting["scheduled_by"], meeting["minutes"]))
        for item in case["coordination_forum"]:
            rows.append((item["time"], label, _("Coordination forum"), item["added_by"] or "", item["minutes"]))

    def key(row):
        when = row[0]
        if not isinstance(when, datetime.datetime):
            when = datetime.datetime.combine(when, datetime.time.min, tzinfo=timezone.get_current_timezone())
        return when

    def shown(when):
        return when.strftime("%Y-%m-%d %H:%M") if isinstance(when, datetime.datetime) else when.isoformat()

    rows.sort(key=key)
    header = [_("Date"), _("Record"), _("What happened"), _("By"), _("Details")]
    return [header] + [[shown(when), record, str(what), by or "", text or ""] for when, record, what, by, text in rows]


def _json(value):
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode("utf-8")


def _readme(data, *, include_confidential, attachments):
    lines = [
        _("Sinergi: data held about %(name)s") % {"name": data["student"]["full_name"]},
        _("Made on %(date)s by %(counselor)s for an access request by the student's parent or guardian.")
        % {
            "date": data["export"]["generated_at"].strftime("%Y-%m-%d %H:%M"),
            "counselor": data["export"]["generated_by"],
        },
        "",
        "report.html: " + _("everything below in a readable form (open it in a web browser)."),
        "data.json: " + _("the same data in a machine-readable form (JSON)."),
        "timeline.csv: " + _("every dated event, for a spreadsheet."),
    ]
    if attachments:
        lines.append("attachments/: " + _("the files teachers attached to their referrals."))
    if include_confidential:
        lines.append(
            "confidential_counselor_notes.json, confidential_counselor_notes.html: "
            + _("the counselors' confidential notes, included at the counselor's decision.")
        )
    else:
        lines.append(str(data["export"]["confidential_notes"]))
    return ("\n".join(lines) + "\n").encode("utf-8")


def build_zip(record, *, by, now=None):
    """The ZIP as a file object (rewound) and what it holds (for the audit)."""
    data = export_data(record, by=by, now=now)
    attachments = [item for referral in record.referrals for item in referral.attachments.all()]
    style = format_html("<style>{}</style>", REPORT_CSS)
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES)  # noqa: SIM115 (returned to the caller)
    missing = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "README.txt", _readme(data, include_confidential=record.include_confidential, attachments=attachments)
        )
        zf.writestr("data.json", _json(data))
        zf.writestr("report.html", render_to_string("privacy/export/report.html", {"data": data, "style": style}))
        zf.writestr("timeline.csv", b"".join(csv_lines(timeline_rows(data))))
        for item in attachments:
            try:
                with item.file.open("rb") as source, zf.open(attachment_path(item), "w") as target:
                    shutil.copyfileobj(source, target)
            except FileNotFoundError:
                missing += 1
        if record.include_confidential:
            notes = _confidential_notes(record)
            student = data["student"]
            zf.writestr("confidential_counselor_notes.json", _json({"student": student, "confidential_notes": notes}))
            zf.writestr(
                "confidential_counselor_notes.html",
                render_to_string(
                    "privacy/export/confidential_notes.html",
                    {"data": data, "notes": notes, "style": style},
                ),
            )
    out.seek(0)
    counts = {
        "referrals": len(record.referrals),
        "cases": len(record.cases),
        "attachments": len(attachments) - missing,
        "attachments_missing": missing,
        "confidential_notes": record.include_confidential,
    }
    return out, counts


def filename_for(student, now=None):
    now = timezone.localtime(now or timezone.now())
    return f"sinergi-student-{student.pk}-{now:%Y%m%d}.zip"
