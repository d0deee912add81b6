# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Which Odoo record was pushed to which Pleo record, and with what values."""

from psycopg2.extras import execute_values

from odoo import _, api, fields, models

from .. import compat

PLEO_KINDS = [
    ("tag_group", "Tag group"),
    ("tag", "Tag"),
    ("account", "Account"),
    ("tax_code", "Tax code"),
    ("vendor", "Vendor"),
]
KIND_MODELS = {
    "tag_group": "account.analytic.plan",
    "tag": "account.analytic.account",
    "account": "account.account",
    "tax_code": "account.tax",
    "vendor": "res.partner",
}


class PleoBinding(models.Model):
    _name = "pleo.binding"
    _description = "Pleo Binding"
    _order = "connection_id, pleo_kind, res_id"
    _rec_name = "external_key"

    connection_id = fields.Many2one(
        comodel_name="pleo.connection", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        related="connection_id.company_id", store=True, index=True
    )
    pleo_kind = fields.Selection(
        selection=PLEO_KINDS, string="Kind", required=True, index=True
    )
    res_model = fields.Char(string="Odoo Model", required=True, index=True)
    res_id = fields.Integer(string="Odoo Record ID", required=True, index=True)
    record_name = fields.Char(string="Odoo Record", compute="_compute_record_name")
    pleo_id = fields.Char(string="Pleo ID", required=True, index=True)
    pleo_parent_id = fields.Char(
        string="Pleo Parent ID", help="The tag group of a tag."
    )
    external_key = fields.Char(
        help="The ERP key sent to Pleo: tag/tax code, account or vendor externalId."
    )
    pushed_hash = fields.Char(help="Hash of the values last pushed to Pleo.")
    sync_date = fields.Datetime(string="Last Sync")
    archived = fields.Boolean(help="Archived in Pleo.")
    origin = fields.Selection(
        selection=[("odoo", "Odoo"), ("pleo", "Pleo")],
        default="odoo",
        required=True,
        help="Where the record was created. Vendors created in Pleo keep the "
        "bookkeeper's edits until the partner changes in Odoo.",
    )

    @api.depends("res_model", "res_id")
    def _compute_record_name(self):
        for binding in self:
            model = binding.res_model
            # The name only: the binding is already restricted to its company.
            record = (
                self.env[model].sudo().browse(binding.res_id).exists()
                if model in self.env
                else None
            )
            binding.record_name = (
                record.display_name
                if record
                else _("Deleted record (id %s)", binding.res_id)
            )

    @api.depends("pleo_kind", "record_name")
    def _compute_display_name(self):
        kinds = dict(self._fields["pleo_kind"]._description_selection(self.env))
        for binding in self:
            binding.display_name = (
                f"{kinds.get(binding.pleo_kind, '')}: {binding.record_name}"
            )

    locals().update(
        compat.sql_constraints(
            (
                "record_uniq",
                "unique(connection_id, pleo_kind, res_id)",
                "An Odoo record is bound once per connection and kind.",
            ),
            (
                "pleo_uniq",
                "unique(connection_id, pleo_kind, pleo_id)",
                "A Pleo record is bound once per connection and kind.",
            ),
        )
    )

    def _pleo_upsert(self, connection, kind, rows):
        """Create or update the bindings of ``rows`` in two statements.

        ``rows``: dicts with res_id, pleo_id and optionally pleo_parent_id,
        external_key, pushed_hash, archived, origin. One binding per res_id.
        """
        if not rows:
            return
        by_res = {row["res_id"]: row for row in rows}
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT res_id, id FROM pleo_binding "
            "WHERE connection_id = %s AND pleo_kind = %s AND res_id = ANY(%s)",
            [connection.id, kind, list(by_res)],
        )
        existing = dict(self.env.cr.fetchall())
        now = fields.Datetime.now()
        # A Pleo id moving to another Odoo record: drop the stale binding first.
        self.env.cr.execute(
            "DELETE FROM pleo_binding WHERE connection_id = %s AND pleo_kind = %s "
            "AND pleo_id = ANY(%s) AND NOT res_id = ANY(%s)",
            [
                connection.id,
                kind,
                [row["pleo_id"] for row in rows],
                list(by_res),
            ],
        )
        updates = [
            (
                existing[res_id],
                row["pleo_id"],
                row.get("pleo_parent_id"),
                row.get("external_key"),
                row.get("pushed_hash"),
                bool(row.get("archived")),
                row.get("origin") or "odoo",
                now,
                self.env.uid,
            )
            for res_id, row in by_res.items()
            if res_id in existing
        ]
        if updates:
            # Clear the Pleo ids first so swapped ids never trip the unique index.
            self.env.cr.execute(
                "UPDATE pleo_binding SET pleo_id = 'moving-' || id WHERE id = ANY(%s)",
                [[u[0] for u in updates]],
            )
            execute_values(
                self.env.cr._obj,
                "UPDATE pleo_binding b SET pleo_id = v.pleo_id, "
                "pleo_parent_id = v.parent, external_key = v.key, "
                "pushed_hash = v.hash, archived = v.archived, origin = v.origin, "
                "sync_date = v.sync_date, write_date = v.sync_date, "
                "write_uid = v.uid "
                "FROM (VALUES %s) AS v(id, pleo_id, parent, key, hash, archived, "
                "origin, sync_date, uid) WHERE b.id = v.id",
                updates,
                template="(%s, %s, %s, %s, %s, %s, %s, %s::timestamp, %s)",
                page_size=1000,
            )
        creates = [
            {
                "connection_id": connection.id,
                "pleo_kind": kind,
                "res_model": KIND_MODELS[kind],
                "res_id": res_id,
                "pleo_id": row["pleo_id"],
                "pleo_parent_id": row.get("pleo_parent_id"),
                "external_key": row.get("external_key"),
                "pushed_hash": row.get("pushed_hash"),
                "archived": bool(row.get("archived")),
                "origin": row.get("origin") or "odoo",
                "sync_date": now,
            }
            for res_id, row in by_res.items()
            if res_id not in existing
        ]
        if creates:
            self.sudo().create(creates)
        self.invalidate_model()

    def _pleo_forget(self, connection, kind, res_ids):
        if not res_ids:
            return
        self.env.flush_all()
        self.env.cr.execute(
            "DELETE FROM pleo_binding WHERE connection_id = %s AND pleo_kind = %s "
            "AND res_id = ANY(%s)",
            [connection.id, kind, list(res_ids)],
        )
        self.invalidate_model()
