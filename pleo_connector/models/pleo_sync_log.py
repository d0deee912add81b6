# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One record per master-data sync run: what it did and what failed, and why."""

from odoo import _, api, fields, models

SYNC_KINDS = [
    ("tags", "Tags"),
    ("tax_codes", "Tax codes"),
    ("accounts", "Accounts"),
    ("vendors", "Vendors"),
    ("vendor_webhook", "Vendor from Pleo"),
]


class PleoSyncLog(models.Model):
    _name = "pleo.sync.log"
    _description = "Pleo Sync Log"
    _order = "date_start desc, id desc"
    _rec_name = "kind"

    connection_id = fields.Many2one(
        comodel_name="pleo.connection",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    company_id = fields.Many2one(
        related="connection_id.company_id", store=True, index=True
    )
    kind = fields.Selection(
        selection=SYNC_KINDS, string="What", required=True, readonly=True
    )
    state = fields.Selection(
        selection=[
            ("running", "Running"),
            ("done", "Done"),
            ("partial", "Done with errors"),
            ("failed", "Failed"),
            ("interrupted", "Stopped, continued by the next run"),
        ],
        default="running",
        required=True,
        readonly=True,
        index=True,
    )
    date_start = fields.Datetime(
        string="Started", default=fields.Datetime.now, readonly=True
    )
    date_end = fields.Datetime(string="Finished", readonly=True)
    count_created = fields.Integer(string="Created", readonly=True)
    count_updated = fields.Integer(string="Updated", readonly=True)
    count_archived = fields.Integer(string="Archived", readonly=True)
    count_unchanged = fields.Integer(string="Unchanged", readonly=True)
    count_failed = fields.Integer(string="Failed", readonly=True)
    request_count = fields.Integer(
        string="API Calls", readonly=True, help="HTTP requests sent to Pleo."
    )
    message = fields.Text(readonly=True, help="What failed and why, one per line.")

    @api.depends("kind", "date_start")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for log in self:
            when = (
                fields.Datetime.context_timestamp(log, log.date_start).strftime(
                    "%Y-%m-%d %H:%M"
                )
                if log.date_start
                else ""
            )
            log.display_name = _(
                "%(kind)s sync, %(when)s", kind=kinds.get(log.kind, ""), when=when
            )

    @api.model
    def _pleo_start(self, connection, kind):
        # A run still "running" was stopped (a worker limit, a restart): what it
        # committed stays, and this run goes on from there.
        self.sudo().search(
            [
                ("connection_id", "=", connection.id),
                ("kind", "=", kind),
                ("state", "=", "running"),
            ]
        ).write(
            {
                "state": "interrupted",
                "message": self.env._(
                    "Stopped before the end (worker time limit or restart); the "
                    "next run went on from what was already synchronised."
                ),
            }
        )
        return self.sudo().create({"connection_id": connection.id, "kind": kind})

    def _pleo_finish(self, counts, lines, request_count=0, error=None):
        """Close the run: counts is a dict of created/updated/archived/unchanged/
        failed, lines the failure messages."""
        self.ensure_one()
        failed = counts.get("failed", 0)
        if error:
            state = "failed"
        elif failed:
            state = "partial"
        else:
            state = "done"
        text_lines = list(lines)
        if error:
            text_lines.insert(0, error)
        self.sudo().write(
            {
                "state": state,
                "date_end": fields.Datetime.now(),
                "count_created": counts.get("created", 0),
                "count_updated": counts.get("updated", 0),
                "count_archived": counts.get("archived", 0),
                "count_unchanged": counts.get("unchanged", 0),
                "count_failed": failed,
                "request_count": request_count,
                "message": "\n".join(text_lines[:500]) or False,
            }
        )
