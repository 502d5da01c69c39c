import datetime

import factory
from django.contrib.auth.hashers import make_password

from accounts.models import Membership, Role, User
from roster.models import AcademicYear, Classroom, Enrollment, School, Student, Subject, TeachingAssignment, Term

PASSWORD = "demo1234"
_HASH = make_password(PASSWORD)


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    name = factory.Sequence(lambda n: f"SMP Negeri {n + 1} Contoh")
    npsn = factory.Sequence(lambda n: f"{30000000 + n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="id_ID")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.sch.id")
    password = _HASH
    language = "en"

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        school = kwargs.get("school")
        for role in extracted or []:
            Membership.objects.create(user=self, school=school, role=role)


def staff(school, username, *roles, **kwargs):
    user = UserFactory(username=username, **kwargs)
    for role in roles:
        Membership.objects.create(user=user, school=school, role=role)
    return user


class AcademicYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AcademicYear

    school = factory.SubFactory(SchoolFactory)
    name = "2026/2027"
    starts_on = datetime.date(2026, 7, 1)
    ends_on = datetime.date(2027, 6, 30)


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Term

    school = factory.SubFactory(SchoolFactory)
    year = factory.SubFactory(AcademicYearFactory, school=factory.SelfAttribute("..school"))
    name = "Semester 1"
    starts_on = datetime.date(2026, 7, 1)
    ends_on = datetime.date(2026, 12, 31)
    is_current = True


class ClassroomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Classroom

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"VII-{chr(65 + n % 26)}{n // 26 or ''}")
    grade = 7


class SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subject

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Subject {n}")


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Student

    school = factory.SubFactory(SchoolFactory)
    nisn = factory.Sequence(lambda n: f"{n:010d}")
    nis = factory.Sequence(lambda n: f"{1000 + n}")
    full_name = factory.Faker("name", locale="id_ID")
    gender = "L"
    birth_date = datetime.date(2013, 5, 1)


class TeachingAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeachingAssignment

    school = factory.SelfAttribute("classroom.school")
    teacher = factory.SubFactory(UserFactory)
    classroom = factory.SubFactory(ClassroomFactory)
    subject = factory.SubFactory(SubjectFactory, school=factory.SelfAttribute("..classroom.school"))
    term = factory.SubFactory(TermFactory, school=factory.SelfAttribute("..classroom.school"))


def enroll(student, classroom, term):
    Enrollment.objects.create(school=student.school, student=student, classroom=classroom, term=term)
    student.classroom = classroom
    student.save(update_fields=["classroom"])
    return student


ROLES = Role


def bell_schedule(term, *, weekdays=range(5), periods=6, friday=4, start=datetime.time(7, 0), minutes=40):
    """A plain bell schedule: ``periods`` back-to-back periods a day from
    ``start`` (``friday`` on Friday, the shorter day)."""
    from roster.models import Period

    rows = []
    for weekday in weekdays:
        at = datetime.datetime.combine(term.starts_on, start)
        for number in range(1, (friday if weekday == 4 else periods) + 1):
            end = at + datetime.timedelta(minutes=minutes)
            rows.append(
                Period(
                    school=term.school,
                    term=term,
                    weekday=weekday,
                    number=number,
                    starts_at=at.time(),
                    ends_at=end.time(),
                )
            )
            at = end
    return Period.objects.bulk_create(rows)


def lessons(assignment, *slots):
    """Lesson periods of a teaching assignment: ``lessons(a, (0, 1), (0, 2))``."""
    from roster.models import Lesson

    return Lesson.objects.bulk_create(
        [Lesson(school=assignment.school, assignment=assignment, weekday=w, number=n) for w, n in slots]
    )
