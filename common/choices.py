"""get_FOO_display() without rebuilding the choices on every call.

Django's Model._get_FIELD_display() builds a dict of the field's choices each
time it is called, hashing every label; a label is a lazy translation, so each
call translates every choice again. A list of 50 referrals or cases on a page
calls it hundreds of times (about a fifth of drawing /reports/). Models that
inherit ChoiceDisplay look the label up in a dict built once per field and
language, and return exactly what Django's method returns.
"""

from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language

_labels = {}


def _labels_for(field):
    key = (field, get_language())
    labels = _labels.get(key)
    if labels is None:
        labels = {make_hashable(value): force_str(label, strings_only=True) for value, label in field.flatchoices}
        _labels[key] = labels
    return labels


class ChoiceDisplay:
    def _get_FIELD_display(self, field):  # noqa: N802 - Django's name
        value = getattr(self, field.attname)
        hashable = make_hashable(value)
        labels = _labels_for(field)
        if hashable in labels:
            return labels[hashable]
        return force_str(value, strings_only=True)
