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
