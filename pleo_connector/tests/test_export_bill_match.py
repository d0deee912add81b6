# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Level 1: supplier invoices carry the supplier's dates, and a bill already in
Odoo (e-mail, OCR, purchase order) is paid from the wallet, not booked twice."""

from datetime import date, timedelta

from odoo import Command
from odoo.tests import tagged

from .common_export import PleoExportCase, seed

NUMBER = seed.RECIPES["invoice_rent_dkk"].invoice["invoiceNumber"]


@tagged("post_install", "-at_install")
class TestExportBillMatch(PleoExportCase):
    def _existing_bill(self, net=10000.0, post=True, ref=NUMBER):
        """A bill received by e-mail before Pleo paid it: 10,000 + 25 % VAT."""
        bill = self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": self.kontor.id,
                "ref": ref,
                "invoice_date": "2024-01-05",
                "company_id": self.company.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Office rent",
                            "account_id": self.acc["612000"].id,
                            "price_unit": net,
                            "tax_ids": [Command.set(self.taxes["VAT25"].ids)],
                        }
                    )
                ],
            }
        )
        if post:
            bill.action_post()
        return bill

    def _export_rent(self):
        job = self.new_job(["invoice_rent_dkk"])
        self.run_export()
        return job, self.reported(job["id"])[0]

    def _bills(self):
        return self.env["account.move"].search(
            [("partner_id", "=", self.kontor.id), ("move_type", "=", "in_invoice")]
        )

    def test_a_new_bill_has_the_suppliers_invoice_and_due_dates(self):
        self._export_rent()
        bill = self.moves()
        item = self.env["pleo.export.item"].search([("move_id", "=", bill.id)])
        paid = date.fromisoformat(str(item.date)[:10])
        issued = paid - timedelta(days=seed.INVOICE_ISSUED_DAYS_BEFORE)
        self.assertEqual(bill.date, paid)
        self.assertEqual(bill.invoice_date, issued)
        self.assertEqual(
            bill.invoice_date_due, issued + timedelta(days=seed.INVOICE_TERM_DAYS)
        )
        self.assertNotEqual(bill.invoice_date_due, bill.date)

    def test_posted_bill_in_odoo_is_paid_from_the_wallet_not_booked_again(self):
        self.connection.export_posting = "posted"
        bill = self._existing_bill()
        bill.is_manually_modified = False  # as when it came in by e-mail
        job, report = self._export_rent()
        self.assertEqual(self._bills(), bill)
        self.assertEqual(self.moves(), bill)
        # Paying it from Pleo is not a person's edit of the bill.
        self.assertFalse(bill.is_manually_modified)
        self.assertEqual(bill.amount_total, 12500.0)
        self.assertIn(bill.payment_state, ("paid", "in_payment"))
        payment = bill.pleo_settlement_move_id
        self.assertEqual(payment.state, "posted")
        self.assertEqual(self.line(payment, "201100").balance, -12500.0)
        self.assertEqual(self.line(payment, "211000").partner_id, self.kontor)
        self.assertEqual(len(self.attachments(bill)), 1)
        self.assertEqual(report["status"], "successful")
        self.assertEqual(report["externalId"], str(bill.id))
        self.assertEqual(self.sandbox_job(job["id"])["status"], "completed")
        # Nothing more on a second run.
        self.run_export()
        self.assertEqual(self._bills(), bill)
        self.assertEqual(len(self.attachments(bill)), 1)

    def test_draft_bill_in_odoo_is_paid_when_the_accountant_posts_it(self):
        bill = self._existing_bill(post=False)
        _job, report = self._export_rent()
        self.assertEqual(report["externalId"], str(bill.id))
        self.assertEqual(self._bills(), bill)
        self.assertEqual(bill.state, "draft")
        self.assertEqual(bill.pleo_settlement_move_id.state, "draft")
        bill.action_post()
        self.assertEqual(bill.pleo_settlement_move_id.state, "posted")
        self.assertIn(bill.payment_state, ("paid", "in_payment"))

    def test_posted_bill_and_draft_payment_posted_by_hand_reconcile(self):
        bill = self._existing_bill()
        self._export_rent()
        payment = bill.pleo_settlement_move_id
        self.assertEqual(payment.state, "draft")
        self.assertEqual(bill.payment_state, "not_paid")
        payment.action_post()
        self.assertIn(bill.payment_state, ("paid", "in_payment"))

    def test_bill_with_another_amount_fails_with_both_amounts(self):
        bill = self._existing_bill(net=9920.0)  # 12,400.00 with VAT
        job, report = self._export_rent()
        self.assertEqual(report["status"], "failed")
        self.assertEqual(
            report["failureReasonType"], "accounting_system_validation_failure"
        )
        self.assertIn("12,400.00 DKK", report["failureReason"])
        self.assertIn("12,500.00 DKK", report["failureReason"])
        self.assertEqual(self._bills(), bill)
        self.assertFalse(bill.pleo_settlement_move_id)
        self.assertFalse(bill.pleo_accounting_entry_id)
        self.assertFalse(self.attachments(bill))
        self.assertEqual(self.sandbox_job(job["id"])["status"], "completed_with_errors")

    def test_another_reference_books_a_new_bill(self):
        self._existing_bill(ref="KH-2023-0999")
        self._export_rent()
        self.assertEqual(len(self._bills()), 2)

    def test_matching_off_books_a_new_bill(self):
        self.connection.export_match_bills = False
        bill = self._existing_bill()
        self._export_rent()
        self.assertEqual(len(self._bills()), 2)
        self.assertFalse(bill.pleo_settlement_move_id)
