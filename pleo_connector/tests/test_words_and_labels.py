# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Screens speak plainly: amounts in their currency, labels instead of codes,
records by their names, the reader's clock, every unknown account named, a flag
on an expense without a receipt, and advice the reader has the rights to follow."""

from odoo.tests import new_test_user, tagged

from .common_export import PleoExportCase


@tagged("post_install", "-at_install")
class TestWordsAndLabels(PleoExportCase):
    def _items(self):
        return self.env["pleo.export.item"].search(
            [("connection_id", "=", self.connection.id)], order="id"
        )

    def _label(self, record, field):
        selection = record._fields[field]._description_selection(self.env)
        return dict(selection)[record[field]]

    def test_amounts_in_their_currency_and_no_sum_across_currencies(self):
        self.new_job(["card_meal_jpy", "card_baggage_kwd", "card_meal_dkk"])
        self.run_export()
        jpy, kwd, dkk = self._items().sorted("id")
        self.assertEqual(
            self.env["pleo.export.item"]._fields["amount"].type, "monetary"
        )
        self.assertEqual((jpy.currency_id.name, jpy.amount), ("JPY", 4500))
        self.assertEqual(jpy.currency_id.decimal_places, 0)
        self.assertEqual((kwd.currency_id.name, kwd.amount), ("KWD", 12.5))
        self.assertEqual(dkk.currency_id.name, "DKK")
        # No aggregator: the list's group-by rows show no total of the amounts
        # (the web client sums only fields that declare one).
        info = self.env["pleo.export.item"].fields_get(["amount"])["amount"]
        self.assertFalse(info.get("aggregator"))

    def test_labels_not_codes(self):
        self.acc["611000"].code = "611999"
        self.new_job(["card_meal_dkk", "card_split_dkk", "invoice_rent_dkk"])
        self.run_export()
        meal, split, rent = self._items().sorted("id")
        self.assertEqual(self._label(meal, "item_type"), "Card purchase")
        self.assertEqual(self._label(meal, "bookkeeping_method"), "Journal entry")
        self.assertEqual(self._label(rent, "bookkeeping_method"), "Vendor bill")
        self.assertEqual(self._label(split, "failure_reason_type"), "Unknown account")
        labels = self.env["pleo.export.item"].fields_get(["reconciliation_id"])
        self.assertEqual(labels["reconciliation_id"]["string"], "Pleo Reference")

    def test_every_unknown_account_of_a_split_expense_is_named(self):
        self.acc["611000"].code = "611999"
        self.acc["600000"].code = "600999"
        self.new_job(["card_split_dkk"])
        self.run_export()
        reason = self._items().failure_reason
        self.assertIn("Line 1: expense account 611000", reason)
        self.assertIn("Line 2: expense account 600000", reason)
        self.assertNotIn("962000", reason)  # the third line's account exists

    def test_expense_without_receipt_is_flagged(self):
        self.new_job(["card_conference_gbp", "card_meal_dkk", "wallet_topup_dkk"])
        self.run_export()
        missing, meal, topup = self._items().sorted("id")
        self.assertTrue(missing.receipt_missing)
        self.assertTrue(missing.move_id.pleo_receipt_missing)
        self.assertFalse(meal.receipt_missing)
        self.assertFalse(topup.receipt_missing)  # a wallet move has none

    def test_records_by_their_own_names(self):
        binding = self.env["pleo.binding"].create(
            {
                "connection_id": self.connection.id,
                "pleo_kind": "account",
                "res_model": "account.account",
                "res_id": self.acc["600000"].id,
                "pleo_id": "p-1",
            }
        )
        self.assertEqual(
            binding.display_name, f"Account: {self.acc['600000'].display_name}"
        )
        log = self.env["pleo.sync.log"]._pleo_start(self.connection, "vendors")
        self.assertTrue(log.display_name.startswith("Vendors sync, "))

    def test_overview_in_the_readers_time_zone(self):
        self.env.user.tz = "Asia/Tokyo"
        self.env["pleo.binding"].create(
            {
                "connection_id": self.connection.id,
                "pleo_kind": "tag",
                "res_model": "account.analytic.account",
                "res_id": self.analytic["SALES"].id,
                "pleo_id": "p-2",
            }
        )
        self.connection.invalidate_recordset(["overview_html"])
        html = str(self.connection.overview_html)
        self.assertIn("Last run (Asia/Tokyo)", html)
        self.assertNotIn("UTC", html)
        self.assertIn("<td>Tag</td>", html)
        self.assertNotIn(">all<", html)

    def test_advice_fits_the_readers_rights(self):
        accountant = new_test_user(
            self.env,
            login="pleo_accountant",
            groups="account.group_account_user",
            company_id=self.company.id,
        )
        self.assertFalse(self.connection._pleo_is_manager(accountant))
        self.connection.responsible_user_id = accountant
        self.taxes["VAT19"].pleo_code = False
        self.new_job(["card_hotel_eur"])
        self.run_export()
        note = str(
            self.connection.activity_ids.filtered(
                lambda a: a.user_id == accountant
            ).mapped("note")
        )
        self.assertIn("ask a Pleo manager to use Retry", note)
        # A Pleo manager reading the overview is told to press the button.
        self.assertIn("then use Retry on the item", str(self.connection.overview_html))
        self.assertIn(
            "ask a Pleo manager",
            self.connection.with_user(accountant)._pleo_retry_advice(),
        )
