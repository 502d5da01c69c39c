"""The apps depend one way (pyproject.toml, [tool.importlinter]): an app imports
only the apps below it, never upwards, not even inside a function, so there is
no cycle between apps. import-linter reads every import statement."""

import subprocess
import sys
import tomllib
from pathlib import Path

from django.apps import apps
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR).resolve()
CONFIG = tomllib.loads((BASE_DIR / "pyproject.toml").read_text())["tool"]["importlinter"]


def _our_apps():
    return {config.name for config in apps.get_app_configs() if Path(config.path).resolve().parent == BASE_DIR}


def test_the_contract_covers_every_app_of_ours():
    (contract,) = CONFIG["contracts"]
    layered = {name.strip() for layer in contract["layers"] for name in layer.split("|")}
    assert layered == set(CONFIG["root_packages"])
    assert _our_apps() | {"common"} == layered


def test_nothing_is_ignored():
    # No exceptions: a broken layer is fixed, not listed.
    (contract,) = CONFIG["contracts"]
    assert "ignore_imports" not in contract


def test_no_import_breaks_the_layers():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache", "--no-logo"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
