"""Check each kind of roster file against the database and plan the writes.

Every checker reads what it needs in a fixed number of queries (whatever the
number of rows), fills ``result.rows`` with what each row will do, and sets
``result.apply`` to a function that writes the plan with bulk operations.
Lookups start from the admin's school: a row can never reach another school's
students, classes or accounts."""

from collections import defaultdict
from dataclasses import dataclass

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from accounts.models import Membership, Role, User
from common import report_version
from roster.importing.cleaning import (
    CellError,
    clean_date,
    clean_day,
    clean_email,
    clean_gender,
    clean_grade,
    clean_nis,
    clean_nisn,
    clean_period,
    clean_phone,
    clean_roles,
    clean_text,
    clean_time,
    clean_username,
    loose_key,
    name_key,
    split_grid_cell,
)
from roster.importing.columns import COLUMNS, GRID_CLASS_PREFIX, ColumnKind
from roster.importing.reading import Table
from roster.importing.result import ImportAction, ImportResult, RowResult
from roster.models import (
    Classroom,
    Enrollment,
    Lesson,
    Period,
    Student,
    Subject,
    TeachingAssignment,
    Term,
    Weekday,
)
from roster.services import enroll_many

BATCH = 500


def _label(model, field_name):
    return capfirst(str(model._meta.get_field(field_name).verbose_name))


class _Cells:
    """One data row: cleans its cells and files each problem under its column."""

    def __init__(self, table: Table, row: RowResult, raw: dict[str, str]):
        self.table, self.row, self.raw = table, row, raw
        # A formula Excel never computed: this row alone is reported, once per cell.
        self.formulas = {f for f in table.fields if table.is_formula(row.number, f)}
        for field_name in table.fields:
            if field_name in self.formulas:
                self.row.error(table.label(field_name), _formula_message(table.kind, field_name), formula=True)

    def get(self, field_name):
        return self.raw.get(field_name, "")

    def clean(self, field_name, cleaner, *args, **kwargs):
        try:
            return cleaner(self.get(field_name), *args, **kwargs)
        except CellError as error:
            self.error(field_name, error.message)
            return None

    def error(self, field_name, message):
        if field_name not in self.formulas:
            self.row.error(self.table.label(field_name), message)


def _formula_message(kind, field_name):
    if field_name.startswith(GRID_CLASS_PREFIX):
        return _("A formula, not text: type the subject and the teacher.")
    label = str(next(c.label for c in COLUMNS[kind] if c.field == field_name))
    if not label.isupper():
        label = label[:1].lower() + label[1:]
    return _("A formula, not text: type the %(column)s.") % {"column": label}


class _ClassroomIndex:
    """Find a class of the school by name: exact (ignoring case and spacing),
    else by a looser key ("VII A" = "VII-A") when only one class matches."""

    def __init__(self, classrooms):
        self.exact, loose = {}, defaultdict(list)
        for classroom in classrooms:
            self.exact[name_key(classroom.name)] = classroom
            loose[loose_key(classroom.name)].append(classroom)
        self.loose = {key: found[0] for key, found in loose.items() if len(found) == 1}

    def find(self, name):
        return self.exact.get(name_key(name)) or self.loose.get(loose_key(name))


def _mark_duplicates(rows_by_key, cells_for, field_name, message):
    for rows in rows_by_key.values():
        if len(rows) > 1:
            numbers = ", ".join(str(row.number) for row in rows)
            for row in rows:
                cells_for[row.number].error(field_name, message % {"rows": numbers})


def _staff_at(school, usernames):
    """{username: (user id, full name, set of roles)} for staff of this school."""
    found = {}
    memberships = Membership.objects.filter(school=school, user__username__in=set(usernames)).values_list(
        "user__username", "user_id", "user__full_name", "role"
    )
    for username, user_id, full_name, role in memberships:
        found.setdefault(username, (user_id, full_name, set()))[2].add(role)
    return found


def _no_current_term(result):
    result.file_error(
        _("Your school has no current term. Set the current term in the administration, then import again.")
    )


# Students -----------------------------------------------------------------

STUDENT_FIELDS = ["nis", "full_name", "gender", "birth_date", "guardian_name", "guardian_phone"]


def check_students(*, school, table: Table, result: ImportResult):
    term = Term.objects.current(school)
    if term is None:
        _no_current_term(result)
        return
    classes = _ClassroomIndex(Classroom.objects.for_school(school))
    parsed, cells_for, by_nisn = [], {}, defaultdict(list)
    for number, raw in table.records():
        row = RowResult(number, key=raw.get("nisn", ""), name=raw.get("full_name", ""))
        cells = cells_for[number] = _Cells(table, row, raw)
        values = {
            "nisn": cells.clean("nisn", clean_nisn),
            "full_name": cells.clean(
                "full_name", clean_text, max_length=150, required_message=_("The name is missing.")
            ),
            "gender": cells.clean("gender", clean_gender),
            "nis": cells.clean("nis", clean_nis) if table.has("nis") else "",
            "birth_date": cells.clean("birth_date", clean_date) if table.has("birth_date") else None,
            "guardian_phone": cells.clean("guardian_phone", clean_phone) if table.has("guardian_phone") else "",
        }
        # The guardian: the named guardian, else the father, else the mother (Dapodik).
        guardian_field = next((f for f in ("guardian_name", "father_name", "mother_name") if cells.get(f)), None)
        values["guardian_name"] = cells.clean(guardian_field, clean_text, max_length=150) if guardian_field else ""
        class_name = cells.get("classroom")
        classroom = classes.find(class_name) if class_name else None
        if not class_name:
            cells.error("classroom", _("The class is missing."))
        elif classroom is None:
            cells.error(
                "classroom",
                _("There is no class “%(name)s” at your school. Import the classes first or correct the name.")
                % {"name": class_name},
            )
        values["classroom"] = classroom
        if values["nisn"]:
            row.key = values["nisn"]
            by_nisn[values["nisn"]].append(row)
        result.rows.append(row)
        parsed.append((row, values))
    _mark_duplicates(by_nisn, cells_for, "nisn", _("This NISN appears more than once in the file (rows %(rows)s)."))

    # Every student with these numbers, at any school: NISN is national.
    existing = {s.nisn: s for s in Student.objects.filter(nisn__in=list(by_nisn))}
    own_ids = [s.pk for s in existing.values() if s.school_id == school.pk]
    enrolled = dict(
        Enrollment.objects.filter(term=term, student_id__in=own_ids).values_list("student_id", "classroom_id")
    )

    new, changed, placements, changed_fields = [], [], [], set()
    for row, values in parsed:
        student = existing.get(values["nisn"])
        if student is not None and student.school_id != school.pk:
            # Never say whose number it is, never move the student.
            cells_for[row.number].error(
                "nisn",
                _(
                    "This NISN belongs to a student of another school. Check the number, or ask that school to move the student."
                ),
            )
        if row.errors:
            continue
        classroom = values["classroom"]
        if student is None:
            student = Student(
                school=school,
                nisn=values["nisn"],
                classroom=classroom,
                **{f: values[f] or ("" if f != "birth_date" else None) for f in STUDENT_FIELDS},
            )
            new.append(student)
            placements.append((student, classroom))
            row.action = ImportAction.CREATED
            row.details = [classroom.name]
            continue
        changes = []
        for field_name in STUDENT_FIELDS:
            value = values[field_name]
            # An empty cell never erases what is stored.
            if value not in ("", None) and getattr(student, field_name) != value:
                setattr(student, field_name, value)
                changed_fields.add(field_name)
                changes.append(_label(Student, field_name))
        if not student.is_active:
            student.is_active = True
            changed_fields.add("is_active")
            changes.append(_label(Student, "is_active"))
        if enrolled.get(student.pk) != classroom.pk or student.classroom_id != classroom.pk:
            changes.append(_("Class: %(name)s") % {"name": classroom.name})
            placements.append((student, classroom))
        if changes:
            changed.append(student)
            row.action, row.details = ImportAction.UPDATED, changes
        else:
            row.action, row.details = ImportAction.UNCHANGED, [classroom.name]

    def apply():
        Student.objects.bulk_create(new, batch_size=BATCH)
        if new and new[0].pk is None:  # backends that do not return ids from bulk inserts
            ids = dict(Student.objects.filter(nisn__in=[s.nisn for s in new]).values_list("nisn", "pk"))
            for student in new:
                student.pk = ids[student.nisn]
        if changed and changed_fields:
            Student.objects.bulk_update(changed, sorted(changed_fields), batch_size=BATCH)
        enroll_many(placements=placements, term=term)
        # bulk writes send no signals: reports group by the students' classes.
        report_version.bump(school.pk)

    result.apply = apply


# Staff accounts -----------------------------------------------------------


def check_staff(*, school, table: Table, result: ImportResult):
    parsed, cells_for, by_username = [], {}, defaultdict(list)
    for number, raw in table.records():
        row = RowResult(number, key=raw.get("username", ""), name=raw.get("full_name", ""))
        cells = cells_for[number] = _Cells(table, row, raw)
        values = {
            "username": cells.clean("username", clean_username, missing_message=_("The username is missing.")),
            "full_name": cells.clean("full_name", clean_text, max_length=150),
            "email": cells.clean("email", clean_email) if table.has("email") else "",
            "whatsapp": cells.clean("whatsapp", clean_phone) if table.has("whatsapp") else "",
            "roles": cells.clean("roles", clean_roles),
        }
        if values["username"]:
            by_username[values["username"].casefold()].append(row)
        result.rows.append(row)
        parsed.append((row, values))
    _mark_duplicates(
        by_username, cells_for, "username", _("This username appears more than once in the file (rows %(rows)s).")
    )

    usernames = [values["username"] for _row, values in parsed if values["username"]]
    existing = {u.username: u for u in User.objects.filter(username__in=usernames).prefetch_related("memberships")}
    role_labels = dict(Role.choices)

    new_users, new_memberships, changed, changed_fields = [], [], [], set()
    for row, values in parsed:
        cells = cells_for[row.number]
        user = existing.get(values["username"])
        if user is not None:
            schools = {m.school_id for m in user.memberships.all()}
            if user.is_superuser:
                cells.error("username", _("This account cannot be changed by an import."))
            elif schools - {school.pk}:
                cells.error("username", _("This username is already used by an account at another school."))
            elif school.pk not in schools:
                cells.error("username", _("This username is already taken by an account outside your school."))
        elif not row.errors and not values["full_name"]:
            cells.error("full_name", _("The name is missing (needed for a new account)."))
        if row.errors:
            continue
        roles = values["roles"]
        if user is None:
            user = User(
                username=values["username"],
                full_name=values["full_name"],
                email=values["email"],
                whatsapp=values["whatsapp"],
                # School admins work in the Django admin, which needs is_staff.
                is_staff=Role.SCHOOL_ADMIN in roles,
            )
            user.set_unusable_password()  # they choose one through "Forgot password"
            new_users.append(user)
            new_memberships.extend((user, role) for role in roles)
            row.action = ImportAction.CREATED
            row.details = [", ".join(str(role_labels[r]) for r in roles)]
            continue
        changes = []
        for field_name in ("full_name", "email", "whatsapp"):
            value = values[field_name]
            if value and getattr(user, field_name) != value:
                setattr(user, field_name, value)
                changed_fields.add(field_name)
                changes.append(_label(User, field_name))
        held = {m.role for m in user.memberships.all() if m.school_id == school.pk}
        added = [role for role in roles if role not in held]  # roles are added, never removed
        if added:
            new_memberships.extend((user, role) for role in added)
            changes.append(_("New role: %(roles)s") % {"roles": ", ".join(str(role_labels[r]) for r in added)})
            if Role.SCHOOL_ADMIN in added and not user.is_staff:
                user.is_staff = True
                changed_fields.add("is_staff")
        if changes:
            changed.append(user)
            row.action, row.details = ImportAction.UPDATED, changes
        else:
            row.action = ImportAction.UNCHANGED

    def apply():
        User.objects.bulk_create(new_users, batch_size=BATCH)
        if new_users and new_users[0].pk is None:
            ids = dict(User.objects.filter(username__in=[u.username for u in new_users]).values_list("username", "pk"))
            for user in new_users:
                user.pk = ids[user.username]
        if changed and changed_fields:
            User.objects.bulk_update(changed, sorted(changed_fields), batch_size=BATCH)
        Membership.objects.bulk_create(
            [Membership(user=user, school=school, role=role) for user, role in new_memberships], batch_size=BATCH
        )
        # bulk writes send no signals: the report's workload lists the counselors by name.
        report_version.bump(school.pk)

    result.apply = apply


# Classes ------------------------------------------------------------------


def _staff_member(cells, field_name, staff, role, role_message, *, username=None):
    """The id of the staff member named in a cell (or ``username``, read from
    it), who must hold ``role``."""
    username = cells.get(field_name) if username is None else username
    if not username:
        return None
    found = staff.get(username)
    if found is None:
        cells.error(field_name, _("There is no staff account “%(username)s” at your school.") % {"username": username})
        return None
    if role not in found[2]:
        cells.error(field_name, role_message % {"username": username})
        return None
    return found[0]


def check_classrooms(*, school, table: Table, result: ImportResult):
    classes = _ClassroomIndex(Classroom.objects.for_school(school))
    referenced = [raw.get(f, "") for _n, raw in table.records() for f in ("homeroom_teacher", "counselor")]
    staff = _staff_at(school, [u for u in referenced if u])
    new, changed, changed_fields, cells_for, by_class = [], [], set(), {}, defaultdict(list)
    names = {user_id: full_name for user_id, full_name, _roles in staff.values()}
    planned = []
    for number, raw in table.records():
        row = RowResult(number, key=raw.get("name", ""))
        cells = cells_for[number] = _Cells(table, row, raw)
        name = cells.clean("name", clean_text, max_length=30, required_message=_("The class name is missing."))
        grade = cells.clean("grade", clean_grade) if table.has("grade") else None
        homeroom_id = _staff_member(
            cells,
            "homeroom_teacher",
            staff,
            Role.TEACHER,
            _("“%(username)s” is not a teacher at your school: give them the teacher role first."),
        )
        counselor_id = _staff_member(
            cells,
            "counselor",
            staff,
            Role.COUNSELOR,
            _("“%(username)s” is not a counselor at your school: give them the counselor role first."),
        )
        classroom = classes.find(name) if name else None
        if name:
            by_class[("id", classroom.pk) if classroom else ("new", name_key(name))].append(row)
        result.rows.append(row)
        planned.append((row, name, grade, homeroom_id, counselor_id, classroom))
    _mark_duplicates(by_class, cells_for, "name", _("This class appears more than once in the file (rows %(rows)s)."))

    for row, name, grade, homeroom_id, counselor_id, classroom in planned:
        if row.errors:
            continue
        if classroom is None:
            new.append(
                Classroom(
                    school=school, name=name, grade=grade, homeroom_teacher_id=homeroom_id, counselor_id=counselor_id
                )
            )
            row.action = ImportAction.CREATED
            row.details = [names[i] for i in (homeroom_id, counselor_id) if i]
            continue
        row.key = classroom.name
        changes = []
        for field_name, value in (
            ("grade", grade),
            ("homeroom_teacher_id", homeroom_id),
            ("counselor_id", counselor_id),
        ):
            if value is not None and getattr(classroom, field_name) != value:
                setattr(classroom, field_name, value)
                changed_fields.add(field_name)
                changes.append(_label(Classroom, field_name.removesuffix("_id")))
        if changes:
            changed.append(classroom)
            row.action, row.details = ImportAction.UPDATED, changes
        else:
            row.action = ImportAction.UNCHANGED

    def apply():
        Classroom.objects.bulk_create(new, batch_size=BATCH)
        if changed and changed_fields:
            Classroom.objects.bulk_update(changed, sorted(changed_fields), batch_size=BATCH)
        # bulk writes send no signals: reports group by class and grade.
        report_version.bump(school.pk)

    result.apply = apply


# Teaching assignments -----------------------------------------------------


def check_assignments(*, school, table: Table, result: ImportResult):
    term = Term.objects.current(school)
    if term is None:
        _no_current_term(result)
        return
    classes = _ClassroomIndex(Classroom.objects.for_school(school))
    staff = _staff_at(school, [raw.get("teacher", "") for _n, raw in table.records()])
    teacher_names = {user_id: full_name for user_id, full_name, _roles in staff.values()}
    subjects = {name_key(s.name): s for s in Subject.objects.for_school(school)}
    existing = set(
        TeachingAssignment.objects.for_school(school)
        .filter(term=term)
        .values_list("teacher_id", "classroom_id", "subject_id")
    )
    planned, cells_for, by_triple = [], {}, defaultdict(list)
    for number, raw in table.records():
        row = RowResult(
            number, key=" · ".join(v for v in (raw.get("teacher"), raw.get("subject"), raw.get("classroom")) if v)
        )
        cells = cells_for[number] = _Cells(table, row, raw)
        if not cells.get("teacher"):
            cells.error("teacher", _("The teacher is missing."))
            teacher_id = None
        else:
            teacher_id = _staff_member(
                cells,
                "teacher",
                staff,
                Role.TEACHER,
                _("“%(username)s” is not a teacher at your school: give them the teacher role first."),
            )
        class_name = cells.get("classroom")
        classroom = classes.find(class_name) if class_name else None
        if not class_name:
            cells.error("classroom", _("The class is missing."))
        elif classroom is None:
            cells.error(
                "classroom",
                _("There is no class “%(name)s” at your school. Import the classes first or correct the name.")
                % {"name": class_name},
            )
        subject_name = cells.clean("subject", clean_text, max_length=100, required_message=_("The subject is missing."))
        if teacher_id and classroom and subject_name:
            by_triple[(teacher_id, classroom.pk, name_key(subject_name))].append(row)
            row.name = teacher_names[teacher_id]
        result.rows.append(row)
        planned.append((row, teacher_id, classroom, subject_name))
    _mark_duplicates(
        by_triple,
        cells_for,
        "subject",
        _("This teaching assignment appears more than once in the file (rows %(rows)s)."),
    )

    new_subjects, new_assignments = {}, []
    for row, teacher_id, classroom, subject_name in planned:
        if row.errors:
            continue
        key = name_key(subject_name)
        subject = subjects.get(key)
        if subject is None:
            subject = new_subjects.setdefault(key, Subject(school=school, name=subject_name))
            row.details.append(_("New subject “%(name)s” will be created.") % {"name": subject.name})
        if subject.pk and (teacher_id, classroom.pk, subject.pk) in existing:
            row.action = ImportAction.UNCHANGED
            continue
        new_assignments.append(
            TeachingAssignment(school=school, teacher_id=teacher_id, classroom=classroom, subject=subject, term=term)
        )
        row.action = ImportAction.CREATED
    if new_subjects:
        result.notes.append(_("New subjects: %(names)s.") % {"names": ", ".join(s.name for s in new_subjects.values())})

    def apply():
        created = Subject.objects.bulk_create(list(new_subjects.values()))
        if created and created[0].pk is None:
            ids = dict(Subject.objects.for_school(school).values_list("name", "pk"))
            for subject in created:
                subject.pk = ids[subject.name]
        TeachingAssignment.objects.bulk_create(new_assignments, batch_size=BATCH)

    result.apply = apply


# Bell schedule ------------------------------------------------------------


def _day_and_period(cells, school, *, day=None):
    """The day (carried down from the row above when the cell is empty, as a
    merged "Hari" cell reads) and the period of a row."""
    weekday = cells.clean("day", clean_day) if cells.get("day") or day is None else day
    if weekday is not None and weekday >= school.school_days_per_week:
        cells.error(
            "day",
            _("Your school works %(days)d days a week: %(day)s is not a school day.")
            % {"days": school.school_days_per_week, "day": Weekday(weekday).label},
        )
        weekday = None
    return weekday, cells.clean("period", clean_period)


def check_bell_schedule(*, school, table: Table, result: ImportResult):
    term = Term.objects.current(school)
    if term is None:
        _no_current_term(result)
        return
    existing = {(p.weekday, p.number): p for p in Period.objects.filter(school=school, term=term)}
    planned, cells_for, by_slot, day = [], {}, defaultdict(list), None
    for number, raw in table.records():
        row = RowResult(number, key=" ".join(v for v in (raw.get("day"), raw.get("period")) if v))
        cells = cells_for[number] = _Cells(table, row, raw)
        weekday, period = _day_and_period(cells, school, day=day)
        day = weekday if weekday is not None else day
        starts_at = cells.clean("starts_at", clean_time)
        ends_at = cells.clean("ends_at", clean_time)
        if starts_at and ends_at and ends_at <= starts_at:
            cells.error("ends_at", _("The period must end after it starts."))
        if weekday is not None and period:
            row.key = f"{Weekday(weekday).label} {period}"
            by_slot[(weekday, period)].append(row)
        result.rows.append(row)
        planned.append((row, weekday, period, starts_at, ends_at))
    _mark_duplicates(by_slot, cells_for, "period", _("This period appears more than once in the file (rows %(rows)s)."))

    new, changed = [], []
    for row, weekday, period, starts_at, ends_at in planned:
        if row.errors:
            continue
        row.details = [f"{starts_at:%H:%M}–{ends_at:%H:%M}"]
        found = existing.get((weekday, period))
        if found is None:
            new.append(
                Period(school=school, term=term, weekday=weekday, number=period, starts_at=starts_at, ends_at=ends_at)
            )
            row.action = ImportAction.CREATED
        elif (found.starts_at, found.ends_at) != (starts_at, ends_at):
            found.starts_at, found.ends_at = starts_at, ends_at
            changed.append(found)
            row.action = ImportAction.UPDATED
        else:
            row.action = ImportAction.UNCHANGED

    def apply():
        Period.objects.bulk_create(new, batch_size=BATCH)
        Period.objects.bulk_update(changed, ["starts_at", "ends_at"], batch_size=BATCH)

    result.apply = apply


# Timetable: one row per lesson, or the grid --------------------------------


def check_timetable(*, school, table: Table, result: ImportResult):
    """One row per class, day, period, subject and teacher."""
    items, day = [], None
    for number, raw in table.records():
        row = RowResult(
            number, key=" · ".join(v for v in (raw.get("day"), raw.get("period"), raw.get("classroom")) if v)
        )
        cells = _Cells(table, row, raw)
        weekday, period = _day_and_period(cells, school, day=day)
        day = weekday if weekday is not None else day
        result.rows.append(row)
        subject = cells.clean("subject", clean_text, max_length=100, required_message=_("The subject is missing."))
        teacher = cells.get("teacher")
        if not teacher:
            cells.error("teacher", _("The teacher is missing."))
        if not cells.get("classroom"):
            cells.error("classroom", _("The class is missing."))
        items.append(
            _LessonItem(row, cells, weekday, period, "classroom", cells.get("classroom"), subject, teacher, "teacher")
        )
    _plan_lessons(school=school, result=result, items=items)


def clean_day_or_none(value, default):
    try:
        return clean_day(value)
    except CellError:
        return default


def check_timetable_grid(*, school, table: Table, result: ImportResult):
    """Days (and periods) down, classes across; each cell "subject / teacher"."""
    class_fields = [f for f in table.fields if f.startswith(GRID_CLASS_PREFIX)]
    if not class_fields:
        result.file_error(_("The grid has no class columns: name each class (VII-A, VII-B…) in the header row."))
        return
    items, day = [], None
    for number, raw in table.records():
        row = RowResult(number, key=" ".join(v for v in (raw.get("day"), raw.get("period")) if v))
        cells = _Cells(table, row, raw)
        if not raw.get("period") and not row.errors:
            # A break ("Istirahat", "Upacara") across the grid: no lessons.
            if raw.get("day"):
                day = clean_day_or_none(raw["day"], day)
            continue
        weekday, period = _day_and_period(cells, school, day=day)
        day = weekday if weekday is not None else day
        result.rows.append(row)
        for field_name in class_fields:
            value = cells.get(field_name)
            if not value:
                continue  # no lesson for this class in this period
            try:
                subject, teacher = split_grid_cell(value)
            except CellError as error:
                cells.error(field_name, error.message)
                continue
            class_name = field_name.removeprefix(GRID_CLASS_PREFIX)
            items.append(_LessonItem(row, cells, weekday, period, field_name, class_name, subject, teacher, field_name))
    _plan_lessons(school=school, result=result, items=items)


@dataclass
class _LessonItem:
    """One lesson of a timetable file and the columns its problems go under."""

    row: RowResult
    cells: _Cells
    weekday: int | None
    period: int | None
    class_field: str
    class_name: str
    subject_name: str | None
    teacher: str
    teacher_field: str


def _plan_lessons(*, school, result, items):
    """Plan the lessons of a timetable file: each item is one lesson (a row of
    the one-row-per-lesson file, or a cell of the grid) with the fields its
    errors go under. A class's lesson in a period replaces the one it had
    there; a new teaching assignment (and subject) is made when needed."""
    term = Term.objects.current(school)
    if term is None:
        _no_current_term(result)
        return
    classes = _ClassroomIndex(Classroom.objects.for_school(school))
    staff = _staff_at(school, [item.teacher for item in items if item.teacher])
    subjects = {name_key(s.name): s for s in Subject.objects.for_school(school)}
    assignments = {
        (a.teacher_id, a.classroom_id, a.subject_id): a
        for a in TeachingAssignment.objects.for_school(school).filter(term=term)
    }
    periods = set(Period.objects.filter(school=school, term=term).values_list("weekday", "number"))
    if not periods:
        result.file_error(_("The bell schedule of the current term is empty. Import the bell schedule first."))
        return
    existing = {
        (lesson.assignment.classroom_id, lesson.weekday, lesson.number): lesson
        for lesson in Lesson.objects.filter(school=school, assignment__term=term).select_related("assignment")
    }
    planned, by_class_slot, by_teacher_slot = [], defaultdict(list), defaultdict(list)
    for item in items:
        row, cells, weekday, period = item.row, item.cells, item.weekday, item.period
        class_field, class_name, subject_name = item.class_field, item.class_name, item.subject_name
        teacher, teacher_field = item.teacher, item.teacher_field
        if weekday is not None and period and (weekday, period) not in periods:
            cells.error(
                "period",
                _("Period %(period)d on %(day)s is not in the bell schedule of the current term.")
                % {"period": period, "day": Weekday(weekday).label},
            )
        classroom = classes.find(class_name) if class_name else None
        if class_name and classroom is None:
            cells.error(
                class_field,
                _("There is no class “%(name)s” at your school. Import the classes first or correct the name.")
                % {"name": class_name},
            )
        teacher_id = None
        if teacher:
            teacher_id = _staff_member(
                cells,
                teacher_field,
                staff,
                Role.TEACHER,
                _("“%(username)s” is not a teacher at your school: give them the teacher role first."),
                username=teacher,
            )
        if weekday is not None and period and classroom:
            by_class_slot[(classroom.pk, weekday, period)].append((row, cells, class_field))
        if weekday is not None and period and teacher_id:
            by_teacher_slot[(teacher_id, weekday, period)].append((row, cells, teacher_field, classroom))
        planned.append((row, weekday, period, classroom, subject_name, teacher_id))
    for found in by_class_slot.values():
        if len(found) > 1:
            numbers = ", ".join(str(r.number) for r, _c, _f in found)
            for _row, cells, field_name in found:
                cells.error(
                    field_name, _("This class has two lessons in the same period (rows %(rows)s).") % {"rows": numbers}
                )
    for (teacher_id, weekday, period), found in by_teacher_slot.items():
        places = {c.pk for _r, _c, _f, c in found if c}
        # Also a lesson already stored for this teacher elsewhere, unless the file replaces it.
        for (classroom_id, w, n), lesson in existing.items():
            if (
                (w, n) == (weekday, period)
                and lesson.assignment.teacher_id == teacher_id
                and ((classroom_id, w, n) not in by_class_slot)
            ):
                places.add(classroom_id)
        if len(places) > 1:
            for _row, cells, field_name, _classroom in found:
                cells.error(
                    field_name,
                    _("This teacher would teach two classes in the same period (%(day)s, period %(period)d).")
                    % {"day": Weekday(weekday).label, "period": period},
                )

    new_subjects, new_assignments, new_lessons, replaced = {}, {}, [], []
    for row, weekday, period, classroom, subject_name, teacher_id in planned:
        if row.errors:
            continue
        key = name_key(subject_name)
        subject = subjects.get(key) or new_subjects.setdefault(key, Subject(school=school, name=subject_name))
        assignment = assignments.get((teacher_id, classroom.pk, subject.pk)) if subject.pk else None
        if assignment is None:
            assignment = new_assignments.setdefault(
                (teacher_id, classroom.pk, key),
                TeachingAssignment(
                    school=school, teacher_id=teacher_id, classroom=classroom, subject=subject, term=term
                ),
            )
        row.details.append(f"{classroom.name}: {subject.name}")
        old = existing.get((classroom.pk, weekday, period))
        if old is not None and assignment.pk and old.assignment_id == assignment.pk:
            row.action = row.action or ImportAction.UNCHANGED
            continue
        if old is not None:
            replaced.append(old.pk)
            row.action = ImportAction.UPDATED if row.action != ImportAction.CREATED else row.action
        else:
            row.action = ImportAction.CREATED
        new_lessons.append((assignment, weekday, period))
    if new_subjects:
        result.notes.append(_("New subjects: %(names)s.") % {"names": ", ".join(s.name for s in new_subjects.values())})
    if new_assignments:
        result.notes.append(
            _("%(count)d new teaching assignments will be made from the timetable.") % {"count": len(new_assignments)}
        )

    def apply():
        created = Subject.objects.bulk_create(list(new_subjects.values()))
        if created and created[0].pk is None:
            ids = dict(Subject.objects.for_school(school).values_list("name", "pk"))
            for subject in created:
                subject.pk = ids[subject.name]
        for assignment in new_assignments.values():
            assignment.subject = assignment.subject  # take the subject's new pk
        made = TeachingAssignment.objects.bulk_create(list(new_assignments.values()), batch_size=BATCH)
        if made and made[0].pk is None:
            ids = {
                (a.teacher_id, a.classroom_id, a.subject_id): a.pk
                for a in TeachingAssignment.objects.for_school(school).filter(term=term)
            }
            for assignment in made:
                assignment.pk = ids[(assignment.teacher_id, assignment.classroom_id, assignment.subject_id)]
        Lesson.objects.filter(pk__in=replaced).delete()
        Lesson.objects.bulk_create(
            [Lesson(school=school, assignment=a, weekday=w, number=n) for a, w, n in new_lessons], batch_size=BATCH
        )

    result.apply = apply


CHECKERS = {
    ColumnKind.STUDENTS: check_students,
    ColumnKind.STAFF: check_staff,
    ColumnKind.CLASSROOMS: check_classrooms,
    ColumnKind.ASSIGNMENTS: check_assignments,
    ColumnKind.BELL_SCHEDULE: check_bell_schedule,
    ColumnKind.TIMETABLE: check_timetable,
    ColumnKind.TIMETABLE_GRID: check_timetable_grid,
}


def key_label(kind):
    """The heading of the column that says what each row is matched by."""
    return {
        ColumnKind.STUDENTS: _label(Student, "nisn"),
        ColumnKind.STAFF: _label(User, "username"),
        ColumnKind.CLASSROOMS: _label(Classroom, "name"),
        ColumnKind.ASSIGNMENTS: _("Teacher · subject · class"),
        ColumnKind.BELL_SCHEDULE: _("Day and period"),
        ColumnKind.TIMETABLE: _("Day · period · class"),
        ColumnKind.TIMETABLE_GRID: _("Day and period"),
    }.get(kind, "")
