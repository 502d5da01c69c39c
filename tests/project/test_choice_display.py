"""common.choices.ChoiceDisplay returns what Django's get_FOO_display() does,
for every choice, a value outside the choices and an empty one, in both languages."""

import pytest
from django.apps import apps
from django.db.models import Model
from django.utils import translation

from common.choices import ChoiceDisplay

MODELS = [m for m in apps.get_models() if issubclass(m, ChoiceDisplay)]


def test_the_hot_models_use_it():
    labels = {m._meta.label for m in MODELS}
    assert {"referrals.Referral", "casework.Case", "casework.EvaluationEntry", "casework.CaseEvent"} <= labels


@pytest.mark.parametrize("language", ["en", "id"])
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_same_as_django(model, language):
    fields = [f for f in model._meta.concrete_fields if f.choices]
    assert fields
    with translation.override(language):
        for field in fields:
            for value in [v for v, _label in field.flatchoices] + ["not-a-choice", None]:
                obj = model()
                setattr(obj, field.attname, value)
                ours = getattr(obj, f"get_{field.name}_display")()
                django = Model._get_FIELD_display(obj, field)
                assert ours == django and type(ours) is type(django), (field, value)
