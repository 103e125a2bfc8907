"""Indonesian is the source language; every interface text has its English translation."""

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parents[1] / "frontend" / "locale"


def test_every_text_has_an_english_translation():
    po = polib.pofile(str(LOCALE / "en" / "LC_MESSAGES" / "django.po"))
    missing = [entry.msgid for entry in po if not entry.translated() and not entry.obsolete]
    assert missing == []


def test_compiled_english_catalog_matches_its_source():
    po = polib.pofile(str(LOCALE / "en" / "LC_MESSAGES" / "django.po"))
    mo = polib.mofile(str(LOCALE / "en" / "LC_MESSAGES" / "django.mo"))
    compiled = {entry.msgid: entry.msgstr or entry.msgstr_plural for entry in mo}
    source = {
        entry.msgid: entry.msgstr or entry.msgstr_plural for entry in po if entry.translated()
    }
    assert {k: v for k, v in compiled.items() if k} == source
