"""Finding students by name the way people type it: "Rafi’" with a phone's curly
apostrophe finds "Rafi'", "Al Ghifari" finds "Al-Ghifari". Both sides are
compared without case, spaces, hyphens or apostrophes of any kind."""

from django.db.models import F, Q, Value
from django.db.models.functions import Lower, Replace
from django.db.models.lookups import Contains

# Spaces, hyphens and dashes, straight and curly apostrophes, backtick and accents.
SEPARATORS = " -\u2010\u2011\u2012\u2013\u2014'\u2018\u2019\u02bc`\u00b4"


def name_key(text: str) -> str:
    return "".join(ch for ch in str(text).lower() if ch not in SEPARATORS)


def name_contains(field: str, q: str) -> Q:
    """A filter: the name in ``field`` contains ``q``, compared by name_key.
    Matches nothing when ``q`` holds no letters or digits."""
    key = name_key(q)
    if not key:
        return Q(pk__in=[])
    expression = Lower(F(field))
    for separator in SEPARATORS:
        expression = Replace(expression, Value(separator), Value(""))
    return Q(Contains(expression, Value(key)))
