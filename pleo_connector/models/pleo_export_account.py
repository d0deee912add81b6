# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Accounting models as Level 1 (export) needs them."""

from odoo import api, fields, models

from .. import compat


class AccountMove(models.Model):
    _inherit = "account.move"

    pleo_connection_id = fields.Many2one(
        comodel_name="pleo.connection",
        string="Pleo Connection",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="restrict",
    )
    pleo_accounting_entry_id = fields.Char(
        string="Pleo Expense ID",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Pleo's accountingEntryId: an expense is booked once per connection.",
    )
    pleo_settlement_move_id = fields.Many2one(
        comodel_name="account.move",
        string="Pleo Wallet Payment",
        readonly=True,
        copy=False,
        help="Journal entry paying this vendor bill from the Pleo wallet.",
    )
    pleo_receipt_missing = fields.Boolean(
        string="No Receipt from Pleo",
        readonly=True,
        copy=False,
        help="Pleo exported this expense without a receipt: ask the employee to "
        "add it in Pleo, or attach it here.",
    )
    pleo_currency_rate = fields.Float(
        string="Pleo Rate",
        readonly=True,
        copy=False,
        digits=0,
        help="Pleo's effective rate of a foreign-currency bill (document amount "
        "per company amount). The bill keeps it, so that Odoo's recomputations "
        "after an edit give Pleo's figures, not those of Odoo's rate table.",
    )

    locals().update(
        compat.sql_constraints(
            (
                "pleo_accounting_entry_uniq",
                "unique(pleo_connection_id, pleo_accounting_entry_id)",
                "This Pleo expense is already booked.",
            )
        )
    )

    @api.depends("pleo_currency_rate")
    def _compute_invoice_currency_rate(self):  # pylint: disable=missing-return
        # The wallet paid the company amount: Odoo's rate of the day would
        # turn Pleo's figures into others at the first edit of a line.
        super()._compute_invoice_currency_rate()
        for move in self:
            if move.pleo_currency_rate and move.is_invoice(include_receipts=True):
                move.invoice_currency_rate = move.pleo_currency_rate


class AccountTax(models.Model):
    _inherit = "account.tax"

    pleo_code = fields.Char(
        string="Pleo Tax Code",
        index="btree_not_null",
        help="Code of the Pleo tax code booked with this tax. When empty, a Pleo "
        "tax code matches a purchase tax of the same name.",
    )
