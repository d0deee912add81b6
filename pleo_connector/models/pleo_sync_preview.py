# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the first master-data sync will do in Pleo, shown before it does it.

Most companies already use Pleo when they install the connector: their tag
groups, tags, tax codes, categories and vendors exist. The first sync adopts
them (bound and updated, never duplicated or archived); the preview lists, per
kind, what will be adopted, created, updated and archived, and a Pleo manager
confirms it before anything is written. It runs the sync code itself against a
client that only reads (``pleo.dry_run``), inside a savepoint rolled back after:
the preview is what the sync will do, not an estimate.
"""

from odoo import _, api, fields, models

from ..pleo.dry_run import DryRunClient
from .pleo_access import PLEO_MANAGER, check_pleo_access, pleo_requires
from .pleo_binding import PLEO_KINDS
from .pleo_connection_sync import SyncRun

OPERATIONS = ("adopt", "create", "update", "archive")


class PleoSyncPreview(models.TransientModel):
    _name = "pleo.sync.preview"
    _description = "Pleo First Sync Preview"

    connection_id = fields.Many2one(
        comodel_name="pleo.connection", required=True, readonly=True
    )
    company_id = fields.Many2one(related="connection_id.company_id", store=True)
    line_ids = fields.One2many(
        comodel_name="pleo.sync.preview.line", inverse_name="preview_id", readonly=True
    )
    activate_after = fields.Boolean(
        readonly=True,
        help="Set by the setup wizard: Pleo hears the integration is ready once "
        "the first sync is done.",
    )
    nothing_to_do = fields.Boolean(compute="_compute_nothing_to_do")

    @api.depends("line_ids")
    def _compute_nothing_to_do(self):
        for preview in self:
            preview.nothing_to_do = not any(
                line.adopt_count
                + line.create_count
                + line.update_count
                + line.archive_count
                for line in preview.line_ids
            )

    @api.model
    def _pleo_build(self, connection, activate_after=False):
        """A preview of `connection`'s first sync (read calls to Pleo only)."""
        check_pleo_access(connection, PLEO_MANAGER, "write")
        found = {}
        client = DryRunClient(connection._pleo_sync_client())
        try:
            with self.env.cr.savepoint() as savepoint:
                for kind in connection._pleo_sync_kinds():
                    run = SyncRun(connection, kind)
                    run.preview = found
                    getattr(connection, f"_pleo_sync_{kind}")(client, run)
                    run.flush()  # later kinds read these bindings (tax codes)
                savepoint.rollback()
        finally:
            client.close()
        self.env.invalidate_all()
        lines = [
            {
                "kind": kind,
                **{
                    f"{op}_count": len(found.get(kind, {}).get(op, []))
                    for op in OPERATIONS
                },
                "details": _details(self.env, found.get(kind, {})),
            }
            for kind, _label in PLEO_KINDS
            if kind in found
        ]
        return self.create(
            {
                "connection_id": connection.id,
                "activate_after": activate_after,
                "line_ids": [fields.Command.create(vals) for vals in lines],
            }
        )

    def _pleo_action(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("First sync with Pleo"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    @pleo_requires(PLEO_MANAGER, "write")
    def action_confirm(self):
        """Run the first sync as previewed, then let the syncs run as usual."""
        self.ensure_one()
        connection = self.connection_id
        connection.sudo().pleo_sync_confirmed_at = fields.Datetime.now()
        logs = self.env["pleo.sync.log"]
        for kind in connection._pleo_sync_kinds():
            logs |= connection._pleo_sync(kind)
        if self.activate_after:
            connection._pleo_activate_installation()
        return connection._pleo_sync_notification(logs)


def _details(env, operations):
    """The records per operation, as an accountant reads them."""
    titles = {
        "adopt": env._("Adopt (already in Pleo, linked and updated)"),
        "create": env._("Create in Pleo"),
        "update": env._("Update in Pleo"),
        "archive": env._("Archive in Pleo"),
    }
    parts = []
    for op in OPERATIONS:
        names = operations.get(op) or []
        if names:
            parts.append(f"{titles[op]}: {', '.join(sorted(map(str, names)))}")
    return "\n".join(parts)


class PleoSyncPreviewLine(models.TransientModel):
    _name = "pleo.sync.preview.line"
    _description = "Pleo First Sync Preview Line"
    _order = "id"

    preview_id = fields.Many2one(
        comodel_name="pleo.sync.preview", required=True, ondelete="cascade"
    )
    kind = fields.Selection(selection=PLEO_KINDS, required=True, readonly=True)
    adopt_count = fields.Integer(string="Adopt", readonly=True)
    create_count = fields.Integer(string="Create", readonly=True)
    update_count = fields.Integer(string="Update", readonly=True)
    archive_count = fields.Integer(string="Archive", readonly=True)
    details = fields.Text(readonly=True)
