# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Level 1: the wallet account (and journal) of each Pleo wallet currency."""

from odoo import fields, models

from .. import compat


class PleoExportWallet(models.Model):
    _name = "pleo.export.wallet"
    _description = "Pleo Wallet Account"
    _order = "connection_id, currency_id"
    _check_company_auto = True

    connection_id = fields.Many2one(
        comodel_name="pleo.connection", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="connection_id.company_id", store=True)
    currency_id = fields.Many2one(comodel_name="res.currency", required=True)
    account_id = fields.Many2one(
        comodel_name="account.account",
        string="Wallet Account",
        required=True,
        check_company=True,
    )
    journal_id = fields.Many2one(
        comodel_name="account.journal",
        check_company=True,
        help="Journal of this wallet's entries; the connection's Pleo journal "
        "when empty.",
    )

    locals().update(
        compat.sql_constraints(
            (
                "currency_uniq",
                "unique(connection_id, currency_id)",
                "A wallet currency has one account per connection.",
            )
        )
    )
