# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The Pleo journal's card on the Invoicing dashboard: failed expenses, entries
to post and the last export run, in the reader's time zone."""

import json

from odoo import fields
from odoo.tests import new_test_user, tagged

from .common_export import PleoExportCase


@tagged("post_install", "-at_install")
class TestDashboardCard(PleoExportCase):
    def _card(self, journal):
        journal.invalidate_recordset(["kanban_dashboard"])
        return json.loads(journal.kanban_dashboard).get("pleo")

    def test_card_shows_failed_to_post_and_last_run(self):
        self.env.user.tz = "Europe/Copenhagen"
        self.taxes["VAT19"].pleo_code = False  # the hotel expense fails
        self.new_job(["card_hotel_eur", "card_meal_dkk", "fee_fx_dkk"])
        self.run_export()
        journal = self.connection.export_journal_id
        card = self._card(journal)
        self.assertEqual(card["failed"], 1)
        self.assertEqual(card["to_post"], 2)  # draft posting: both entries wait
        last_run = self.connection.export_last_run
        local = fields.Datetime.context_timestamp(journal, last_run)
        self.assertEqual(card["last_run"], local.strftime("%Y-%m-%d %H:%M"))
        self.assertEqual(str(local.tzinfo), "Europe/Copenhagen")
        failed = journal.action_pleo_dashboard_failed()
        self.assertEqual(self.env["pleo.export.item"].search_count(failed["domain"]), 1)
        to_post = journal.action_pleo_dashboard_to_post()
        moves = self.env["account.move"].search(to_post["domain"])
        self.assertEqual(len(moves), 2)
        moves.action_post()
        self.assertEqual(self._card(journal)["to_post"], 0)

    def test_card_is_in_the_dashboard_view(self):
        arch = self.env["account.journal"].get_views(
            [
                (
                    self.env.ref("account.account_journal_dashboard_kanban_view").id,
                    "kanban",
                )
            ]
        )["views"]["kanban"]["arch"]
        self.assertIn("o_pleo_dashboard", arch)
        self.assertIn("action_pleo_dashboard_failed", arch)

    def test_other_journals_and_non_pleo_users_get_no_card(self):
        self.assertFalse(self._card(self.company_data["default_journal_sale"]))
        clerk = new_test_user(
            self.env,
            login="pleo_billing",
            groups="account.group_account_invoice",
            company_id=self.company.id,
        )
        journal = self.connection.export_journal_id.with_user(clerk)
        self.assertFalse(self._card(journal))
