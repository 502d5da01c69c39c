"""The demo school: one realistic Indonesian SMP, built with bulk inserts.

School 1 has the fixed sign-ins documented in the README; schools 2..N (for
load tests) prefix every username with ``s<N>-``.
"""

import datetime
import random

from django.contrib.auth.hashers import make_password

from accounts.models import Membership, Role, User
from roster.models import (
    AcademicYear,
    Classroom,
    Enrollment,
    Holiday,
    School,
    Student,
    Subject,
    TeachingAssignment,
    Term,
)

DEMO_PASSWORD = "demo1234"
SUBJECTS = [
    "Matematika",
    "Bahasa Indonesia",
    "IPA",
    "IPS",
    "Bahasa Inggris",
    "PPKn",
    "PJOK",
    "Seni Budaya",
    "Informatika",
    "Pendidikan Agama",
]
CLASSROOMS = [(grade, f"{roman}-{letter}") for grade, roman in ((7, "VII"), (8, "VIII"), (9, "IX")) for letter in "ABC"]
STUDENTS_PER_CLASS = 33
GIVEN = [
    "Adi",
    "Agus",
    "Aisyah",
    "Andi",
    "Anisa",
    "Ayu",
    "Bagus",
    "Bayu",
    "Budi",
    "Cahya",
    "Citra",
    "Dewi",
    "Dian",
    "Dimas",
    "Eka",
    "Fajar",
    "Farhan",
    "Fitri",
    "Gilang",
    "Hana",
    "Hendra",
    "Ilham",
    "Indah",
    "Intan",
    "Joko",
    "Kartika",
    "Lestari",
    "Lukman",
    "Maya",
    "Nadia",
    "Nanda",
    "Nur",
    "Putri",
    "Putu",
    "Rahmat",
    "Rani",
    "Reza",
    "Rina",
    "Rizki",
    "Sari",
    "Siti",
    "Surya",
    "Tegar",
    "Tri",
    "Wahyu",
    "Wulan",
    "Yogi",
    "Yusuf",
    "Zahra",
    "Bima",
    "Gita",
    "Kadek",
    "Made",
    "Wayan",
    "Ketut",
    "Ningsih",
    "Slamet",
    "Sekar",
]
FAMILY = [
    "Pratama",
    "Saputra",
    "Wijaya",
    "Santoso",
    "Hidayat",
    "Kurniawan",
    "Lestari",
    "Setiawan",
    "Nugroho",
    "Rahmawati",
    "Siregar",
    "Nasution",
    "Harahap",
    "Simanjuntak",
    "Purba",
    "Hasibuan",
    "Utami",
    "Permata",
    "Maharani",
    "Susanto",
    "Gunawan",
    "Halim",
    "Syahputra",
    "Ramadhan",
    "Wibowo",
]


def _name(rng):
    # Single names are common in Indonesia; about one in five has one.
    if rng.random() < 0.2:
        return rng.choice(GIVEN)
    return f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"


def _username(index, base):
    return base if index == 1 else f"s{index}-{base}"


def school_npsn(index):
    return f"2010{index:04d}"


def seed_school(index, *, today=None):
    """Build school number ``index`` if it does not exist yet; return (school, created)."""
    today = today or datetime.date.today()
    existing = School.objects.filter(npsn=school_npsn(index)).first()
    if existing:
        return existing, False
    rng = random.Random(index)
    suffix = "" if index == 1 else f" ({index})"
    school = School.objects.create(name=f"SMP Negeri 1 Sukamaju{suffix}", npsn=school_npsn(index))

    # The academic year runs July–June; semester 1 July–December.
    start_year = today.year if today.month >= 7 else today.year - 1
    year = AcademicYear.objects.create(
        school=school,
        name=f"{start_year}/{start_year + 1}",
        starts_on=datetime.date(start_year, 7, 1),
        ends_on=datetime.date(start_year + 1, 6, 30),
    )
    sem1 = Term(
        school=school,
        year=year,
        name="Semester 1 (Ganjil)",
        starts_on=datetime.date(start_year, 7, 1),
        ends_on=datetime.date(start_year, 12, 31),
    )
    sem2 = Term(
        school=school,
        year=year,
        name="Semester 2 (Genap)",
        starts_on=datetime.date(start_year + 1, 1, 1),
        ends_on=datetime.date(start_year + 1, 6, 30),
    )
    (sem1 if today <= sem1.ends_on else sem2).is_current = True
    Term.objects.bulk_create([sem1, sem2])
    term = sem1 if sem1.is_current else sem2
    Holiday.objects.bulk_create(
        [
            Holiday(school=school, date=datetime.date(start_year, 8, 17), name="Hari Kemerdekaan"),
            Holiday(school=school, date=datetime.date(start_year, 12, 25), name="Hari Natal"),
            Holiday(school=school, date=datetime.date(start_year + 1, 1, 1), name="Tahun Baru"),
        ]
    )

    password = make_password(DEMO_PASSWORD)
    staff = {
        "teacher": ("Sri Wahyuni", [Role.TEACHER]),
        "homeroom": ("Bambang Sutrisno", [Role.TEACHER]),
        "counselor": ("Dewi Kartika", [Role.COUNSELOR]),
        "counselor2": ("Agus Salim", [Role.COUNSELOR]),
        "vp": ("Hadi Purnomo", [Role.VICE_PRINCIPAL, Role.TEACHER]),
        "admin": ("Rina Operator", [Role.SCHOOL_ADMIN]),
    }
    for n in range(1, 19):
        staff[f"guru{n:02d}"] = (_name(rng), [Role.TEACHER])
    users = [
        User(
            username=_username(index, key),
            full_name=name,
            password=password,
            email=f"{_username(index, key)}@sukamaju.sch.id",
            # Made-up numbers, so that the WhatsApp links show in the demo.
            whatsapp=f"+62811{index:02d}{position:05d}",
            # The school admin uses /admin/ limited to the school; no school
            # account is a superuser (a platform operator: createsuperuser).
            is_staff=key == "admin",
        )
        for position, (key, (name, _roles)) in enumerate(staff.items(), start=1)
    ]
    User.objects.bulk_create(users)
    by_key = {key: User.objects.get(username=_username(index, key)) for key in staff}
    Membership.objects.bulk_create(
        [Membership(user=by_key[key], school=school, role=role) for key, (_n, roles) in staff.items() for role in roles]
    )

    subjects = Subject.objects.bulk_create([Subject(school=school, name=name) for name in SUBJECTS])
    guru = [by_key[f"guru{n:02d}"] for n in range(1, 19)]
    homerooms = [by_key["homeroom"]] + guru[:8]
    classrooms = Classroom.objects.bulk_create(
        [
            Classroom(
                school=school,
                name=name,
                grade=grade,
                homeroom_teacher=homerooms[i],
                counselor=by_key["counselor"] if i < 5 else by_key["counselor2"],
            )
            for i, (grade, name) in enumerate(CLASSROOMS)
        ]
    )

    # Each subject has a teacher per grade band; the fixed sign-ins get
    # predictable duties: `teacher` teaches Matematika in grades VII and VIII,
    # `homeroom` teaches Bahasa Indonesia in grade VII, `vp` teaches PPKn.
    teacher_for = {}
    for s_index, subject in enumerate(subjects):
        for grade in (7, 8, 9):
            teacher_for[(subject.name, grade)] = guru[(s_index * 3 + grade) % len(guru)]
    for grade in (7, 8):
        teacher_for[("Matematika", grade)] = by_key["teacher"]
    teacher_for[("Bahasa Indonesia", 7)] = by_key["homeroom"]
    teacher_for[("PPKn", 9)] = by_key["vp"]
    TeachingAssignment.objects.bulk_create(
        [
            TeachingAssignment(
                school=school, teacher=teacher_for[(subject.name, c.grade)], classroom=c, subject=subject, term=term
            )
            for c in classrooms
            for subject in subjects
        ]
    )

    students = []
    serial = 0
    for c in classrooms:
        for _ in range(STUDENTS_PER_CLASS):
            serial += 1
            age = 12 + (c.grade - 7)
            students.append(
                Student(
                    school=school,
                    nisn=f"0{index:03d}{serial:06d}",
                    nis=f"{start_year % 100:02d}{serial:04d}",
                    full_name=_name(rng),
                    gender=rng.choice("LP"),
                    birth_date=datetime.date(start_year - age, rng.randint(1, 12), rng.randint(1, 28)),
                    guardian_name=_name(rng),
                    guardian_phone=f"+62812{rng.randint(10000000, 99999999)}",
                    classroom=c,
                )
            )
    students = Student.objects.bulk_create(students, batch_size=500)
    if students[0].pk is None:  # backends that do not return ids from bulk inserts
        students = list(Student.objects.filter(school=school).order_by("id"))
    Enrollment.objects.bulk_create(
        [Enrollment(school=school, student=s, classroom_id=s.classroom_id, term=term) for s in students],
        batch_size=500,
    )
    return school, True
