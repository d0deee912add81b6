# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A Pleo card on the Invoicing dashboard, as Odoo's own journals have.

The card of a connection's Pleo journal also shows the export's state: failed
items, entries from Pleo still to post, and when the export last ran. Odoo
builds each card from `_get_journal_dashboard_data_batched`; the Pleo figures
are added there, in the reader's time zone.
"""

from odoo import _, fields, models
from odoo.exceptions import UserError

from .pleo_access import PLEO_USER, pleo_requires


class AccountJournal(models.Model):
    _inherit = "account.journal"

    def _pleo_dashboard_connections(self):
        """{journal id: connection} for the journals that are a Pleo journal."""
        if not self.env.user.has_group(PLEO_USER):
            return {}
        connections = self.env["pleo.connection"].search(
            [("export_journal_id", "in", self.ids)]
        )
        return {c.export_journal_id.id: c for c in connections}

    def _get_journal_dashboard_data_batched(self):
        data = super()._get_journal_dashboard_data_batched()
        connections = self._pleo_dashboard_connections()
        if not connections:
            return data
        Item = self.env["pleo.export.item"]
        Move = self.env["account.move"]
        for journal_id, conn in connections.items():
            last = conn.export_last_run
            data[journal_id]["pleo"] = {
                "failed": Item.search_count(
                    [("connection_id", "=", conn.id), ("state", "=", "failed")]
                ),
                "to_post": Move.search_count(conn._pleo_to_post_domain()),
                "last_run": last
                and fields.Datetime.context_timestamp(self, last).strftime(
                    "%Y-%m-%d %H:%M"
                ),
            }
        return data

    def _pleo_journal_connection(self):
        self.ensure_one()
        conn = self.env["pleo.connection"].search(
            [("export_journal_id", "=", self.id)], limit=1
        )
        if not conn:
            raise UserError(_("%s is no Pleo connection's journal.", self.name))
        return conn

    @pleo_requires(PLEO_USER, "read")
    def action_pleo_dashboard_failed(self):
        return self._pleo_journal_connection().action_pleo_open_failed_items()

    @pleo_requires(PLEO_USER, "read")
    def action_pleo_dashboard_to_post(self):
        conn = self._pleo_journal_connection()
        action = conn.action_pleo_open_moves()
        action["domain"] = conn._pleo_to_post_domain()
        return action
