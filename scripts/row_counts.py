"""Print the row count of every table Django manages, one `table count` a line.

Used by scripts/backup_restore_check.sh to compare a database with its restored copy.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402

for model in sorted(apps.get_models(include_auto_created=True), key=lambda m: m._meta.db_table):
    print(model._meta.db_table, model._base_manager.count())
