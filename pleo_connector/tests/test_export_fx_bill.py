# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Level 1: a foreign-currency vendor bill keeps Pleo's figures when a person
edits it (account, analytic, label), as a draft and after reset to draft."""

from odoo.tests import Form, tagged

from .. import compat
from .common_export import PleoExportCase


@tagged("post_install", "-at_install")
class TestExportForeignCurrencyBill(PleoExportCase):
    def setUp(self):
        super().setUp()
        self.connection.export_posting = "draft"
        # The analytic column shows on the bill form for analytic accounting.
        compat.add_user_to_groups(
            self.env.user, self.env.ref("analytic.group_analytic_accounting")
        )
        # Odoo's own rate table says something else than Pleo's card rate.
        self.env["res.currency.rate"].create(
            {
                "currency_id": self.env.ref("base.EUR").id,
                "company_id": self.company.id,
                "name": "2000-01-01",
                "rate": 0.5,
            }
        )
        self.new_job(["card_software_rc"])  # 59.99 EUR, kr 447.55
        self.run_export()
        self.bill = self.moves()

    def _figures(self):
        """What the wallet paid and what the bill owes: Pleo's, to the cent."""
        payable = self.line(self.bill, "211000")
        return (
            payable.balance,
            payable.amount_currency,
            self.bill.amount_total_signed,
            self.bill.amount_total,
        )

    def _assert_vat_kept(self, before):
        """Odoo recomputes the VAT of an edited line from the euro amount at
        Pleo's rate: it stays Pleo's within one conversion rounding."""
        for code, balance in before.items():
            vat = self.line(self.bill, code)
            self.assertAlmostEqual(vat.balance, balance, delta=0.04)
            self.assertEqual(abs(vat.amount_currency), 15.0)

    def _vat(self):
        return {c: self.line(self.bill, c).balance for c in ("131000", "251000")}

    def _edit(self):
        """What an accountant does on the bill form: another expense account,
        an analytic distribution and a clearer label on the line."""
        other = self.acc["600000"]
        with Form(self.bill) as form:
            with form.invoice_line_ids.edit(0) as line:
                line.account_id = other
                line.name = "Creative Cloud, March"
                line.analytic_distribution = {str(self.analytic["ADMIN"].id): 100}
        self.assertEqual(self.bill.invoice_line_ids.account_id, other)

    def test_bill_rate_is_pleos_effective_rate(self):
        bill = self.bill
        self.assertEqual(bill.move_type, "in_invoice")
        self.assertEqual(bill.currency_id.name, "EUR")
        self.assertAlmostEqual(bill.invoice_currency_rate, 59.99 / 447.55, places=9)
        self.assertEqual(bill.amount_total, 59.99)
        self.assertEqual(bill.amount_total_signed, -447.55)

    def test_editing_a_draft_keeps_pleos_amounts(self):
        before, vat = self._figures(), self._vat()
        self.assertEqual(before, (-447.55, -59.99, -447.55, 59.99))
        self.assertEqual(vat, {"131000": 111.89, "251000": -111.89})
        self._edit()
        self.assertEqual(self._figures(), before)
        self._assert_vat_kept(vat)
        self.assertEqual(self.bill.invoice_line_ids.balance, 447.55)
        self.assertEqual(self.bill.invoice_line_ids.amount_currency, 59.99)
        self.bill.action_post()
        self.assertIn(self.bill.payment_state, ("paid", "in_payment"))
        self.assertTrue(self.bill.currency_id.is_zero(self.bill.amount_residual))

    def test_editing_after_reset_to_draft_keeps_pleos_amounts(self):
        self.bill.action_post()
        before, vat = self._figures(), self._vat()
        self.bill.button_draft()
        self._edit()
        self.assertEqual(self._figures(), before)
        self._assert_vat_kept(vat)
        self.bill.action_post()
        payment = self.bill.pleo_settlement_move_id
        self.assertEqual(self.line(payment, "201100").balance, -447.55)
        self.assertIn(self.bill.payment_state, ("paid", "in_payment"))
