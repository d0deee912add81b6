# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Webhook deliveries already handled, so a repeated delivery does nothing."""

from odoo import fields, models


class PleoWebhookEvent(models.Model):
    _name = "pleo.webhook.event"
    _description = "Pleo Webhook Delivery"
    _order = "id desc"

    connection_id = fields.Many2one(
        comodel_name="pleo.connection", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="connection_id.company_id", store=True)
    webhook_id = fields.Char(required=True, readonly=True)
    event_type = fields.Char(readonly=True)
    event_id = fields.Char(readonly=True)
    handled = fields.Boolean(readonly=True)

    _sql_constraints = [
        (
            "webhook_uniq",
            "unique(connection_id, webhook_id)",
            "This webhook delivery was already received.",
        )
    ]
