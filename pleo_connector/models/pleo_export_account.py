# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Accounting models as Level 1 (export) needs them."""

from odoo import fields, models

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

    locals().update(
        compat.sql_constraints(
            (
                "pleo_accounting_entry_uniq",
                "unique(pleo_connection_id, pleo_accounting_entry_id)",
                "This Pleo expense is already booked.",
            )
        )
    )


class AccountTax(models.Model):
    _inherit = "account.tax"

    pleo_code = fields.Char(
        string="Pleo Tax Code",
        index="btree_not_null",
        help="Code of the Pleo tax code booked with this tax. When empty, a Pleo "
        "tax code matches a purchase tax of the same name.",
    )
