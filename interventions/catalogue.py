"""The starting library every school gets: strategies for the default concern
categories, in the five areas Indonesian counselors use for learning problems.

The texts are ours, stored in English and shown in the reader's language
(gettext_noop here, Strategy.title & co. there); sources are cited by name.
Codes of concerns are referrals.models.DEFAULT_CONCERN_CATEGORIES'.
"""

from django.utils.translation import gettext_noop

from interventions.models import Area, CarriedBy

STARTING_LIBRARY = [
    {
        "key": "prerequisite-reteach",
        "name": gettext_noop("Short re-teaching of the prerequisite skills"),
        "what": gettext_noop(
            "Find the earlier skill the student is missing with a short diagnostic quiz (for example fractions "
            "before algebra) and re-teach it in small steps with worked examples, before or after class."
        ),
        "area": Area.PREREQUISITES,
        "carried_by": CarriedBy.SUBJECT_TEACHER,
        "sessions_per_week": 2,
        "minutes": 20,
        "weeks": 6,
        "measure": gettext_noop("Score on a short quiz of the prerequisite skill"),
        "unit": gettext_noop("points"),
        "why": gettext_noop(
            "Gaps in earlier material block new learning; closing them first lets the student follow class again."
        ),
        "source": "Mastery learning (B. S. Bloom)",
        "categories": ["low_achievement", "literacy_numeracy"],
    },
    {
        "key": "fluency-practice",
        "name": gettext_noop("Daily fluency practice"),
        "what": gettext_noop(
            "A few minutes of timed practice every day (reading a passage aloud, or basic number facts), "
            "with the result written on a small chart the student keeps."
        ),
        "area": Area.PREREQUISITES,
        "carried_by": CarriedBy.SUBJECT_TEACHER,
        "sessions_per_week": 5,
        "minutes": 10,
        "weeks": 8,
        "measure": gettext_noop("Words read correctly in one minute, or facts correct in two minutes"),
        "unit": gettext_noop("per minute"),
        "why": gettext_noop(
            "Short, frequent practice with quick feedback builds fluency, which frees attention for understanding."
        ),
        "source": "Curriculum-based measurement (S. Deno)",
        "categories": ["literacy_numeracy"],
    },
    {
        "key": "weekly-study-plan",
        "name": gettext_noop("Weekly study plan and homework check"),
        "what": gettext_noop(
            "Each week the student writes what to study and which tasks are due; the counselor checks "
            "the plan with the student and what was done the week before."
        ),
        "area": Area.STUDY_SKILLS,
        "carried_by": CarriedBy.COUNSELOR,
        "sessions_per_week": 1,
        "minutes": 20,
        "weeks": 6,
        "measure": gettext_noop("Share of homework handed in on time"),
        "unit": "%",
        "why": gettext_noop("Planning and checking make effort visible and turn large tasks into small, doable steps."),
        "source": "Self-regulated learning (B. Zimmerman)",
        "categories": ["low_motivation", "low_achievement"],
    },
    {
        "key": "note-taking",
        "name": gettext_noop("Teaching note-taking and summarising"),
        "what": gettext_noop(
            "Teach a simple way of taking notes (key words, questions, a three-line summary) and practise it "
            "on the student's own lessons."
        ),
        "area": Area.STUDY_SKILLS,
        "carried_by": CarriedBy.COUNSELOR,
        "sessions_per_week": 1,
        "minutes": 40,
        "weeks": 4,
        "measure": gettext_noop("Score on the weekly quiz"),
        "unit": gettext_noop("points"),
        "why": gettext_noop("Putting a lesson in one's own words deepens understanding and gives material to revise."),
        "source": "Study skills interventions (J. Hattie, J. Biggs & N. Purdie)",
        "categories": ["low_achievement", "attention"],
    },
    {
        "key": "short-tasks",
        "name": gettext_noop("Short tasks with clear steps and check-ins"),
        "what": gettext_noop(
            "Split class work into short parts with one step written on the board or a card, and check in "
            "with the student briefly after each part."
        ),
        "area": Area.ENVIRONMENT,
        "carried_by": CarriedBy.SUBJECT_TEACHER,
        "sessions_per_week": 3,
        "minutes": None,
        "weeks": 6,
        "measure": gettext_noop("Share of class tasks finished"),
        "unit": "%",
        "why": gettext_noop(
            "Short steps with quick feedback keep attention on the task and give frequent chances to succeed."
        ),
        "source": "Classroom accommodations for attention difficulties (G. DuPaul & G. Stoner)",
        "categories": ["attention", "behaviour"],
    },
    {
        "key": "seat-and-signal",
        "name": gettext_noop("A seat near the teacher and an agreed signal"),
        "what": gettext_noop(
            "Seat the student away from distractions and near the teacher, and agree on a private signal "
            "(a tap on the desk) that means 'back to the task'."
        ),
        "area": Area.ENVIRONMENT,
        "carried_by": CarriedBy.SUBJECT_TEACHER,
        "sessions_per_week": 3,
        "minutes": None,
        "weeks": 4,
        "measure": gettext_noop("Times off task in a 30-minute observation"),
        "unit": gettext_noop("times"),
        "why": gettext_noop(
            "Fewer distractions and a private reminder bring the student back without a public reprimand."
        ),
        "source": "Classroom management (J. Kounin)",
        "categories": ["attention", "behaviour"],
    },
    {
        "key": "check-in-check-out",
        "name": gettext_noop("Daily check-in and check-out"),
        "what": gettext_noop(
            "The student meets the homeroom teacher for a minute before and after school with a daily card of "
            "two or three goals that each teacher scores; praise for points, a family copy at home."
        ),
        "area": Area.ENVIRONMENT,
        "carried_by": CarriedBy.HOMEROOM_TEACHER,
        "sessions_per_week": 5,
        "minutes": 5,
        "weeks": 8,
        "measure": gettext_noop("Share of the daily card's points earned"),
        "unit": "%",
        "why": gettext_noop(
            "A trusted adult, clear daily goals and feedback every day make the expected behaviour a routine."
        ),
        "source": "Check-In/Check-Out (D. Crone, L. Hawken & R. Horner)",
        "categories": ["behaviour", "attendance", "low_motivation"],
    },
    {
        "key": "attendance-follow-up",
        "name": gettext_noop("Same-day follow-up of every absence"),
        "what": gettext_noop(
            "On the day of an absence the homeroom teacher contacts the family, asks what happened and what "
            "would help, and welcomes the student back the next day."
        ),
        "area": Area.ENVIRONMENT,
        "carried_by": CarriedBy.HOMEROOM_TEACHER,
        "sessions_per_week": 1,
        "minutes": 15,
        "weeks": 6,
        "measure": gettext_noop("Days absent per month"),
        "unit": gettext_noop("days"),
        "why": gettext_noop("Quick personal contact shows the student is missed and brings the reason to light early."),
        "source": "Attendance Works",
        "categories": ["attendance", "family"],
    },
    {
        "key": "learning-resources",
        "name": gettext_noop("Access to books, a study place and study time"),
        "what": gettext_noop(
            "Make sure the student has the textbooks and materials, and a quiet place and time to study at school "
            "(library, an empty classroom after lessons) when home has none."
        ),
        "area": Area.RESOURCES,
        "carried_by": CarriedBy.HOMEROOM_TEACHER,
        "sessions_per_week": 2,
        "minutes": 30,
        "weeks": 6,
        "measure": gettext_noop("Share of homework handed in on time"),
        "unit": "%",
        "why": gettext_noop(
            "A student cannot practise without materials and a place to work; the school can lend both."
        ),
        "source": "",
        "categories": ["low_achievement", "family"],
    },
    {
        "key": "peer-tutoring",
        "name": gettext_noop("Peer tutoring with a classmate"),
        "what": gettext_noop(
            "Pair the student with a classmate who understands the topic for short, structured practice with "
            "questions prepared by the teacher."
        ),
        "area": Area.RESOURCES,
        "carried_by": CarriedBy.SUBJECT_TEACHER,
        "sessions_per_week": 2,
        "minutes": 30,
        "weeks": 6,
        "measure": gettext_noop("Score on the weekly quiz"),
        "unit": gettext_noop("points"),
        "why": gettext_noop("Explaining and being explained to gives more practice, and often a friend in class."),
        "source": "Peer tutoring (Education Endowment Foundation toolkit)",
        "categories": ["low_achievement", "social"],
    },
    {
        "key": "individual-counseling",
        "name": gettext_noop("Individual counseling sessions"),
        "what": gettext_noop(
            "Regular sessions with the counselor to talk through what weighs on the student, find what already "
            "works and agree on one small step for the week."
        ),
        "area": Area.PERSONAL,
        "carried_by": CarriedBy.COUNSELOR,
        "sessions_per_week": 1,
        "minutes": 30,
        "weeks": 6,
        "measure": gettext_noop("The student's own weekly rating of mood or effort (1 to 5)"),
        "unit": "1-5",
        "why": gettext_noop("Talking through worries and setting small goals gives back the energy to learn."),
        "source": "Solution-focused brief counseling (S. de Shazer, I. K. Berg)",
        "categories": ["emotional", "low_motivation", "family"],
    },
    {
        "key": "goal-setting",
        "name": gettext_noop("Goal setting and charting own progress"),
        "what": gettext_noop(
            "The student sets a realistic goal for one subject, records each score on a chart and talks about "
            "it with the counselor every week."
        ),
        "area": Area.PERSONAL,
        "carried_by": CarriedBy.COUNSELOR,
        "sessions_per_week": 1,
        "minutes": 15,
        "weeks": 6,
        "measure": gettext_noop("Score on the weekly quiz of the goal's subject"),
        "unit": gettext_noop("points"),
        "why": gettext_noop("Students who see their own progress come to believe that effort pays off."),
        "source": "Goal setting (E. Locke & G. Latham); self-monitoring",
        "categories": ["low_motivation", "low_achievement"],
    },
    {
        "key": "social-skills-group",
        "name": gettext_noop("Social skills practice in a small group"),
        "what": gettext_noop(
            "A small group led by the counselor practises one skill each session (joining in, asking for help, "
            "solving a disagreement) through examples, role play and feedback."
        ),
        "area": Area.ENVIRONMENT,
        "carried_by": CarriedBy.COUNSELOR,
        "sessions_per_week": 1,
        "minutes": 40,
        "weeks": 6,
        "measure": gettext_noop("Positive contacts with classmates in a 20-minute observation"),
        "unit": gettext_noop("times"),
        "why": gettext_noop(
            "Social skills are learned like other skills: by seeing them, practising them and hearing how it went."
        ),
        "source": "Social and emotional learning (CASEL)",
        "categories": ["social", "emotional", "behaviour"],
    },
    {
        "key": "home-study-routine",
        "name": gettext_noop("A home study routine agreed with the parents"),
        "what": gettext_noop(
            "Meet the parents to agree on a fixed time and place for study at home, and on asking the student "
            "each day what was learned; the counselor calls every week to hear how it goes."
        ),
        "area": Area.ENVIRONMENT,
        "carried_by": CarriedBy.PARENTS,
        "sessions_per_week": 5,
        "minutes": 30,
        "weeks": 8,
        "measure": gettext_noop("Share of homework handed in on time"),
        "unit": "%",
        "why": gettext_noop(
            "A routine at home and parents who ask about school help more than help with the content itself."
        ),
        "source": "Parental involvement in middle school (N. Hill & D. Tyson)",
        "categories": ["family", "low_achievement", "low_motivation"],
    },
]
