"""How long a free text may be (#12): a page every team member loads on a phone
stays small. Forms get the limit from the model field's max_length (and show
a counter); the database checks it with text_limit()."""

from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

SHORT_TEXT_LIMIT = 2000
TEXT_LIMIT = 4000
MINUTES_LIMIT = 8000


def text_limit(field, limit):
    """The database's own check that ``field`` holds at most ``limit`` characters."""
    return models.CheckConstraint(condition=LessThanOrEqual(Length(field), limit), name=f"%(class)s_{field}_length")
