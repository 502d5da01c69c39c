"""The Indonesian catalogue is complete and templates have no bare English text."""

import re
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [ROOT / "templates"]
CATALOGUES = {lang: ROOT / "locale" / lang / "LC_MESSAGES" / "django.po" for lang in ("id", "en")}

# Text that is the same in every language.
ALLOWED_TEXT = {"Sinergi", "NISN", "NIS", "NPSN", "WhatsApp", "Email", "CSV", "XLSX", "ICS", "SVG", "PDF"}
TRANSLATABLE_ATTRIBUTES = ("aria-label", "placeholder", "title", "alt")


def test_indonesian_catalogue_has_no_untranslated_or_fuzzy_entries():
    po = polib.pofile(str(CATALOGUES["id"]))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"{len(untranslated)} untranslated, e.g. {untranslated[:10]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:10]}"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_compiled_catalogue_matches_the_po_file(lang):
    po = polib.pofile(str(CATALOGUES[lang]))
    mo_path = CATALOGUES[lang].with_suffix(".mo")
    assert mo_path.exists(), f"run make compilemessages ({mo_path} missing)"
    mo = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(mo_path))}
    stale = [
        e.msgid for e in po.translated_entries() if not e.msgid_plural and mo.get((e.msgctxt, e.msgid)) != e.msgstr
    ]
    assert not stale, f"{lang}.mo is out of date for {stale[:5]}: run make compilemessages"


def _strip_template_code(text):
    text = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", " ", text, flags=re.S)
    text = re.sub(r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}", " ", text, flags=re.S)
    text = re.sub(r"{#.*?#}", " ", text, flags=re.S)
    text = re.sub(r"<script.*?</script>", " ", text, flags=re.S)
    text = re.sub(r"<style.*?</style>", " ", text, flags=re.S)
    text = re.sub(r"{%.*?%}", " ", text, flags=re.S)
    text = re.sub(r"{{.*?}}", " ", text, flags=re.S)
    return text


def _needs_translation(text):
    words = re.findall(r"[A-Za-z]{2,}", text)
    return any(word not in ALLOWED_TEXT for word in words)


def _bare_text(path):
    source = _strip_template_code(path.read_text())
    problems = []
    for attr in TRANSLATABLE_ATTRIBUTES:
        for value in re.findall(rf'{attr}="([^"]*)"', source):
            if _needs_translation(value):
                problems.append(f'{attr}="{value}"')
    without_tags = re.sub(r"<[^>]*>", "\n", source)
    for chunk in without_tags.split("\n"):
        chunk = chunk.strip()
        if _needs_translation(chunk):
            problems.append(chunk)
    return problems


def _templates():
    for directory in TEMPLATE_DIRS:
        for path in sorted(directory.rglob("*.html")):
            # Plain-text email bodies and the 500 page (rendered without i18n) are checked by their own tests.
            if path.name == "500.html":
                continue
            yield path


@pytest.mark.parametrize("path", list(_templates()), ids=lambda p: str(p.relative_to(ROOT)))
def test_template_has_no_untranslated_text(path):
    assert _bare_text(path) == []


# Directories that hold no strings of ours (or are too big to copy).
NOT_SOURCE = {".git", ".venv", ".venv-scan", ".ci", "staticfiles", "media", "private_media", "node_modules", "tests"}


def test_every_marked_string_is_in_the_catalogue(tmp_path):
    """A string marked for translation in code or templates but never extracted
    (make messages not run) fails here: extract into a copy of the project and
    look for entries the committed catalogue does not have."""
    import os
    import shutil
    import subprocess
    import sys

    if shutil.which("xgettext") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("xgettext is missing (apt-get install gettext)")
        pytest.skip("xgettext is missing")
    copy = tmp_path / "project"
    shutil.copytree(
        ROOT,
        copy,
        ignore=lambda folder, names: [n for n in names if n in NOT_SOURCE or n.endswith((".sqlite3", ".mo"))],
    )
    env = {**os.environ, "SINERGI_TESTING": "1"}
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "id", "--ignore", "scripts/*", "--ignore", "docs/*"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    extracted = polib.pofile(str(copy / "locale" / "id" / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in extracted if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert not missing, f"not in the catalogue (run make messages and translate): {missing[:10]}"
