# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Accounting models as Level 1 (export) needs them."""

from odoo import api, fields, models


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
        index="btree_not_null",
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

    pleo_live = fields.Boolean(
        string="Books Its Pleo Expense",
        compute="_compute_pleo_live",
        store=True,
        readonly=True,
        copy=False,
        help="Not cancelled and not fully reversed. A Pleo expense has at most one "
        "such entry per connection; one whose entry was cancelled, reversed or "
        "deleted is booked again when Pleo exports it again.",
    )

    @api.depends(
        "pleo_accounting_entry_id",
        "state",
        "amount_total_signed",
        "reversal_move_ids.state",
        "reversal_move_ids.amount_total_signed",
    )
    def _compute_pleo_live(self):
        for move in self:
            if not move.pleo_accounting_entry_id:
                move.pleo_live = False
                continue
            reversals = move.reversal_move_ids.filtered(lambda r: r.state == "posted")
            reversed_amount = sum(abs(r.amount_total_signed) for r in reversals)
            fully_reversed = bool(reversals) and (
                move.company_currency_id.compare_amounts(
                    reversed_amount, abs(move.amount_total_signed)
                )
                >= 0
            )
            move.pleo_live = move.state != "cancel" and not fully_reversed

    def init(self):
        res = super().init()
        cr = self.env.cr
        # Exactly once, enforced by the database, over live entries only: an
        # expense whose entry was cancelled or reversed can be booked again.
        # (Replaces the unique constraint over every entry of earlier versions.)
        cr.execute(
            "ALTER TABLE account_move "
            "DROP CONSTRAINT IF EXISTS account_move_pleo_accounting_entry_uniq"
        )
        cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS account_move_pleo_live_entry_uniq "
            "ON account_move (pleo_connection_id, pleo_accounting_entry_id) "
            "WHERE pleo_live"
        )
        return res

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
