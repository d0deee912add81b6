"""Every language file of both addons is complete and safe to format: each
sentence of the template is translated, and a translation keeps the values
(`%(name)s`, `%s`), markup and line breaks of its English, so putting the
values in never fails in the reader's language.

A word the language writes as English does ("Pleo", "OAuth 2.0", "Journal" in
Danish) has an empty translation, as OCA's PO format wants (Odoo shows the
English then); a sentence never does."""

import re
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).parents[1]
ADDONS = ("pleo_connector", "pleo_connector_queue_job")
LANGS = ("da", "sv", "nb", "fi", "de", "fr", "es", "nl", "it", "pt")
TAG = re.compile(r"<[^>]+>")
MARKS = re.compile(r"%\([a-z_0-9]+\)[sdf]|%[sdf]|%%|<[^>]+>|&[a-z]+;|\n")


def marks(text):
    return sorted(MARKS.findall(text))


@pytest.mark.parametrize("addon", ADDONS)
@pytest.mark.parametrize("lang", LANGS)
def test_language_file_is_complete_and_keeps_every_value(addon, lang):
    i18n = ROOT / addon / "i18n"
    template = {e.msgid for e in polib.pofile(str(i18n / f"{addon}.pot"))}
    po = polib.pofile(str(i18n / f"{lang}.po"))
    entries = {e.msgid: e for e in po if not e.obsolete}
    assert po.metadata["Language"] == lang
    assert set(entries) == template
    untranslated = [m for m, e in entries.items() if not e.msgstr.strip()]
    assert [m for m in untranslated if len(TAG.sub(" ", m).split()) > 3] == []
    assert [m for m, e in entries.items() if "fuzzy" in e.flags] == []
    assert [
        m for m, e in entries.items() if e.msgstr and marks(m) != marks(e.msgstr)
    ] == []
