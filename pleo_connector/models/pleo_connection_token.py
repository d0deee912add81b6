# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""OAuth tokens of a connection, in a table of their own.

A refresh commits the rotated pair from a second transaction. Kept on the
connection's own row, that commit would make any later write to the connection
by the caller's transaction fail with a serialization error; a separate row keeps
the two apart. Only administrators can read it.
"""

from odoo import fields, models

from .. import compat


class PleoConnectionToken(models.Model):
    _name = "pleo.connection.token"
    _description = "Pleo OAuth Tokens"

    connection_id = fields.Many2one(
        comodel_name="pleo.connection", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="connection_id.company_id", store=True)
    access_token = fields.Char()
    refresh_token = fields.Char()
    expires_at = fields.Integer(help="Unix time at which the access token expires.")
    revoked_reason = fields.Char(
        help="Why Pleo refused the authorisation; cleared by a new authorisation."
    )

    locals().update(
        compat.sql_constraints(
            (
                "connection_uniq",
                "unique(connection_id)",
                "A connection has one set of tokens.",
            )
        )
    )
