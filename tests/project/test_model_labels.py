"""Every label a model shows (admin columns, form labels, help texts, export
headers) is marked for translation, so the Indonesian catalogue can cover it.

A field without verbose_name gets its name with spaces ("created at"), and a
help_text given as a plain string is never translated: both show up in English
on an Indonesian page. Django's auto id field and third-party models are not ours
to mark.
"""

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.utils.functional import Promise

BASE_DIR = Path(settings.BASE_DIR).resolve()


def _is_ours(app_config):
    path = Path(app_config.path).resolve()
    return path.is_relative_to(BASE_DIR) and not any(part.startswith(".venv") for part in path.parts)


OUR_APPS = [config for config in apps.get_app_configs() if _is_ours(config)]


def _fields(model):
    """Forward fields, inherited ones included: not reverse relations, not the auto id."""
    return [
        field for field in model._meta.get_fields() if not field.auto_created and (field.concrete or field.many_to_many)
    ]


def test_it_finds_our_apps_and_only_ours():
    labels = {config.label for config in OUR_APPS}
    assert labels == {
        "accounts",
        "roster",
        "referrals",
        "interventions",
        "casework",
        "forums",
        "reports",
        "notifications",
        "audit",
        "privacy",
        "schooldata",
        "demo",
    }


@pytest.mark.parametrize("app_config", OUR_APPS, ids=lambda config: config.label)
def test_field_labels_and_help_texts_are_marked_for_translation(app_config):
    unmarked = []
    for model in app_config.get_models():
        for field in _fields(model):
            name = f"{model._meta.label}.{field.name}"
            if not isinstance(field.verbose_name, Promise):
                unmarked.append(f"{name} verbose_name={field.verbose_name!r}")
            if field.help_text and not isinstance(field.help_text, Promise):
                unmarked.append(f"{name} help_text={field.help_text!r}")
            for value, label in field.flatchoices if field.choices else ():
                if not isinstance(label, Promise):
                    unmarked.append(f"{name} choice {value!r}={label!r}")
    assert not unmarked, "Mark these with gettext_lazy:\n" + "\n".join(unmarked)


@pytest.mark.parametrize("app_config", OUR_APPS, ids=lambda config: config.label)
def test_model_names_are_marked_for_translation(app_config):
    unmarked = [
        f"{model._meta.label}.{attr}"
        for model in app_config.get_models()
        for attr in ("verbose_name", "verbose_name_plural")
        # Django derives a plain string ("case event") when Meta gives none.
        if not isinstance(model._meta.original_attrs.get(attr), Promise)
    ]
    assert not unmarked, "Give these a Meta verbose_name/verbose_name_plural with gettext_lazy:\n" + "\n".join(unmarked)
