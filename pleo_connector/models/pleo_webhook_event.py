# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Webhook deliveries already handled, so a repeated delivery does nothing."""

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.tools import SQL

from .. import compat


class PleoWebhookRetry(Exception):
    """A delivery that could not be handled now: its handler kept only a record
    of the failure, and the route asks Pleo to deliver it again."""


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

    locals().update(
        compat.sql_constraints(
            (
                "webhook_uniq",
                "unique(connection_id, webhook_id)",
                "This webhook delivery was already received.",
            )
        )
    )

    @api.model
    def _pleo_claim(self, connection, webhook_id, event_type, event_id):
        """The new delivery's record, or an empty recordset if this webhook-id
        was already received for the connection.

        ON CONFLICT DO NOTHING instead of create() + IntegrityError: a repeat is
        normal for webhooks and must not log a failed query. A concurrent
        delivery of the same id waits on the unique index; if that one commits,
        PostgreSQL (repeatable read) answers with a serialization failure, which
        means the same thing: already received.
        """
        query = SQL(
            """
            INSERT INTO pleo_webhook_event (
                connection_id, company_id, webhook_id, event_type, event_id,
                handled, create_uid, write_uid, create_date, write_date
            )
            VALUES (%s, %s, %s, %s, %s, false, %s, %s,
                    now() at time zone 'UTC', now() at time zone 'UTC')
            ON CONFLICT (connection_id, webhook_id) DO NOTHING
            RETURNING id
            """,
            connection.id,
            connection.company_id.id,
            webhook_id,
            event_type,
            event_id,
            self.env.uid,
            self.env.uid,
        )
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(query, log_exceptions=False)
                row = self.env.cr.fetchone()
        except pg_errors.SerializationFailure:
            return self.browse()
        return self.browse(row[0]) if row else self.browse()
