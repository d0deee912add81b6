# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Spoken in Pleo's languages: each translation loads, the connection form and
its fields read in it, and an item failed by the scheduled export is explained
in the language of the connection's responsible. (That every file is complete
is checked without Odoo: tests/test_translation_files.py.)"""

import html
from pathlib import Path

import polib

from odoo.tests import new_test_user, tagged

from .common_export import PleoExportCase

I18N = Path(__file__).parents[1] / "i18n"
LANGS = {
    "da": "da_DK",
    "sv": "sv_SE",
    "nb": "nb_NO",
    "fi": "fi_FI",
    "de": "de_DE",
    "fr": "fr_FR",
    "es": "es_ES",
    "nl": "nl_NL",
    "it": "it_IT",
    "pt": "pt_PT",
}
FORM = "model_terms:ir.ui.view,arch_db:pleo_connector.pleo_connection_view_form"
ACCOUNT_UNKNOWN = (
    "%(what)s account %(label)s (%(name)s) does not exist in Odoo: "
    "create it or correct the category in Pleo."
)


@tagged("post_install", "-at_install")
class TestTranslations(PleoExportCase):
    def _load(self, code):
        self.env["res.lang"]._activate_lang(code)
        self.env.ref("base.module_pleo_connector")._update_translations(code)

    def _catalogue(self, short):
        return {e.msgid: e.msgstr for e in polib.pofile(str(I18N / f"{short}.po"))}

    def test_connection_form_and_fields_read_in_each_language(self):
        for short, code in LANGS.items():
            with self.subTest(lang=code):
                self._load(code)
                catalogue = polib.pofile(str(I18N / f"{short}.po"))
                env = self.env(context={**self.env.context, "lang": code})
                views = env["pleo.connection"].get_views([(False, "form")])
                arch = html.unescape(views["views"]["form"]["arch"])
                terms = [e for e in catalogue if (FORM, "") in e.occurrences]
                self.assertTrue(terms)
                missing = [
                    e.msgid
                    for e in terms
                    if e.msgstr != e.msgid and html.unescape(e.msgstr) not in arch
                ]
                self.assertEqual(missing, [])
                fields = env["pleo.connection"].fields_get(["export_journal_id"])
                english = "Pleo Journal"
                translated = next(e.msgstr for e in catalogue if e.msgid == english)
                self.assertEqual(fields["export_journal_id"]["string"], translated)

    def test_scheduled_export_explains_a_failure_in_the_responsible_language(self):
        self.acc["611000"].code = "611999"  # the split purchase's category
        for short, code in LANGS.items():
            with self.subTest(lang=code):
                self._load(code)
                self.sandbox.reset("none")
                self.connection.responsible_user_id = new_test_user(
                    self.env,
                    login=f"responsible_{short}",
                    groups="account.group_account_manager",
                    lang=code,
                )
                job = self.new_job(["card_split_dkk"])
                self.env["pleo.connection"]._cron_pleo_export()
                item = self.env["pleo.export.item"].search(
                    [("connection_id", "=", self.connection.id)],
                    order="id desc",
                    limit=1,
                )
                catalogue = self._catalogue(short)
                outer = catalogue[ACCOUNT_UNKNOWN]
                line = catalogue["Line %(n)s: expense"] % {"n": 1}
                self.assertEqual(item.state, "failed")
                self.assertTrue(item.failure_reason.startswith(outer.split("%")[0]))
                self.assertIn(line, item.failure_reason)
                self.assertNotIn("does not exist in Odoo", item.failure_reason)
                # Pleo hears the same words the accountant reads.
                row = self.reported(job["id"])[0]
                self.assertEqual(row["failureReason"], item.failure_reason)
