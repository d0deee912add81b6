# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Level 1, posting "draft": posting a Pleo vendor bill by hand posts its wallet
payment and reconciles the two, so the bill is paid, not left open."""

import importlib
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_export import PleoExportCase

# common_export has made pleo_sandbox importable (pip-installed or beside the addon).
RECIPES = importlib.import_module("pleo_sandbox.seed").RECIPES


@tagged("post_install", "-at_install")
class TestExportAccountsPayableDraft(PleoExportCase):
    def setUp(self):
        super().setUp()
        self.connection.export_posting = "draft"

    def _book(self, kinds):
        self.new_job(kinds)
        self.run_export()
        return self.moves()

    def _assert_draft_and_open(self, bill):
        payment = bill.pleo_settlement_move_id
        self.assertTrue(payment)
        self.assertEqual(bill.state, "draft")
        self.assertEqual(payment.state, "draft")
        self.assertEqual(bill.payment_state, "not_paid")

    def _assert_paid_from_wallet(self, bill):
        payment = bill.pleo_settlement_move_id
        self.assertEqual(bill.state, "posted")
        self.assertEqual(payment.state, "posted")
        # Odoo calls a credit note settled by a journal entry "reversed".
        settled = (
            ("reversed",) if bill.move_type == "in_refund" else ("paid", "in_payment")
        )
        self.assertIn(bill.payment_state, settled)
        self.assertTrue(bill.currency_id.is_zero(bill.amount_residual))
        term = bill.line_ids.filtered(lambda x: x.display_type == "payment_term")
        counterpart = payment.line_ids.filtered(
            lambda x: x.account_id == term.account_id
        )
        self.assertTrue(term)
        self.assertTrue(all(term.mapped("reconciled")))
        self.assertTrue(all(counterpart.mapped("reconciled")))
        self.assertEqual(term.full_reconcile_id, counterpart.full_reconcile_id)
        # Amounts equal: the payment clears exactly what the bill owes.
        self.assertAlmostEqual(
            sum(counterpart.mapped("balance")), -sum(term.mapped("balance"))
        )
        self.assertAlmostEqual(
            sum(counterpart.mapped("amount_currency")),
            -sum(term.mapped("amount_currency")),
        )
        wallet = self.line(payment, "201100")
        self.assertAlmostEqual(
            -sum(wallet.mapped("balance")), -bill.amount_total_signed
        )

    def test_posting_a_draft_bill_pays_it_from_the_wallet(self):
        bills = self._book(["card_software_rc", "invoice_rent_dkk"])
        self.assertEqual(bills.mapped("move_type"), ["in_invoice", "in_invoice"])
        for bill in bills:
            self._assert_draft_and_open(bill)
        adobe, rent = bills
        adobe.action_post()
        self._assert_paid_from_wallet(adobe)
        # Posting one bill leaves the other one alone.
        self._assert_draft_and_open(rent)
        rent.action_post()
        self._assert_paid_from_wallet(rent)
        self.assertEqual(adobe.pleo_settlement_move_id.date, adobe.date)

    def test_reset_to_draft_and_repost_is_paid_once_by_the_same_payment(self):
        bill = self._book(["invoice_rent_dkk"])
        bill.action_post()
        self._assert_paid_from_wallet(bill)
        payment = bill.pleo_settlement_move_id
        bill.button_draft()
        # Odoo's standard behaviour: the payment stays posted. (18.0 also
        # unreconciles the bill, 19.0 keeps the reconciliation: either way the
        # bill posted again is paid by the same payment, once.)
        self.assertEqual(bill.state, "draft")
        self.assertEqual(payment.state, "posted")
        bill.action_post()
        self._assert_paid_from_wallet(bill)
        self.assertEqual(bill.pleo_settlement_move_id, payment)

    def test_payment_that_cannot_be_posted_blocks_the_bill(self):
        bill = self._book(["invoice_rent_dkk"])
        payment = bill.pleo_settlement_move_id
        payment.write(
            {
                "date": fields.Date.context_today(payment) + timedelta(days=30),
                "auto_post": "at_date",
            }
        )
        # Odoo's assertRaises rolls the failed posting back (savepoint).
        with self.assertRaises(UserError) as caught:
            bill.action_post()
        self.assertIn("wallet payment entry", str(caught.exception))
        self.env.invalidate_all()
        self.assertEqual(bill.state, "draft")
        self.assertEqual(payment.state, "draft")
        self.assertEqual(bill.payment_state, "not_paid")

    def test_refund_posting_pays_it_back_to_the_wallet(self):
        refund = self._book(["refund_software_rc"])
        self.assertEqual(refund.move_type, "in_refund")
        self._assert_draft_and_open(refund)
        refund.action_post()
        self._assert_paid_from_wallet(refund)
