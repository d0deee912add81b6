# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The connection's overview: health, crons, queue and sync counts, last errors."""

from markupsafe import Markup, escape

from odoo import _, fields, models

from .pleo_access import PLEO_USER, pleo_requires

# (model, what it is, field holding the error text candidates, failed states)
QUEUE_MODELS = {
    "job": "pleo.export.job",
    "item": "pleo.export.item",
    "binding": "pleo.binding",
    "log": "pleo.sync.log",
}
FAILED_STATES = ("failed", "error", "partial")
ERROR_FIELDS = ("error", "error_message", "failure_reason", "message", "last_error")
LIST_LIMIT = 5


class PleoConnection(models.Model):
    _inherit = "pleo.connection"  # pylint: disable=consider-merging-classes-inherited

    export_job_count = fields.Integer(compute="_compute_pleo_overview")
    export_job_failed_count = fields.Integer(compute="_compute_pleo_overview")
    export_item_count = fields.Integer(compute="_compute_pleo_overview")
    export_item_failed_count = fields.Integer(compute="_compute_pleo_overview")
    binding_count = fields.Integer(compute="_compute_pleo_overview")
    sync_log_count = fields.Integer(compute="_compute_pleo_overview")
    sync_error_count = fields.Integer(compute="_compute_pleo_overview")
    move_count = fields.Integer(
        string="Entries from Pleo", compute="_compute_pleo_move_count"
    )
    overview_html = fields.Html(
        string="Overview", compute="_compute_pleo_overview", sanitize=False
    )

    # ------------------------------------------------------------------
    # Counting
    # ------------------------------------------------------------------
    def _pleo_model(self, key):
        return self.env[QUEUE_MODELS[key]]

    def _pleo_counts_by_state(self, key):
        """{connection id: {state: count}} for one of the queue/sync models."""
        Model = self._pleo_model(key)
        result = {conn.id: {} for conn in self}
        if not self.ids:
            return result
        groupby = ["connection_id", self._pleo_count_field(key)]
        rows = Model._read_group(
            [("connection_id", "in", self.ids)], groupby, ["__count"]
        )
        for conn, state, count in rows:
            result[conn.id][state] = result[conn.id].get(state, 0) + count
        return result

    def _pleo_count_field(self, key):
        """What the overview counts by: the state, or for synchronised records
        (which have none) their kind."""
        Model = self._pleo_model(key)
        return "state" if "state" in Model._fields else "pleo_kind"

    def _pleo_state_labels(self, key):
        field = self._pleo_model(key)._fields[self._pleo_count_field(key)]
        return dict(field._description_selection(self.env))

    def _pleo_local_time(self, value):
        """A UTC datetime as the reader's clock shows it."""
        if not value:
            return "—"
        local = fields.Datetime.context_timestamp(self, value)
        return local.strftime("%Y-%m-%d %H:%M")

    def _pleo_cron_rows(self):
        """The addon's scheduled actions with their last and next run."""
        data = (
            self.env["ir.model.data"]
            .sudo()
            .search([("module", "=", "pleo_connector"), ("model", "=", "ir.cron")])
        )
        crons = (
            self.env["ir.cron"]
            .sudo()
            .with_context(active_test=False)
            .browse(data.mapped("res_id"))
            .exists()
        )
        return crons.sorted("name")

    def _pleo_last_errors(self, key, limit=LIST_LIMIT):
        Model = self._pleo_model(key)
        if "state" not in Model._fields:
            return []
        field = next((f for f in ERROR_FIELDS if f in Model._fields), None)
        records = Model.search(
            [("connection_id", "=", self.id), ("state", "in", FAILED_STATES)],
            limit=limit,
            order="write_date desc, id desc",
        )
        return [(rec.display_name, field and rec[field] or "") for rec in records]

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    def _compute_pleo_overview(self):
        jobs = self._pleo_counts_by_state("job")
        items = self._pleo_counts_by_state("item")
        bindings = self._pleo_counts_by_state("binding")
        logs = self._pleo_counts_by_state("log")
        crons = self._pleo_cron_rows()
        for conn in self:
            cid = conn.id
            conn.export_job_count = sum(jobs.get(cid, {}).values())
            conn.export_job_failed_count = sum(
                jobs.get(cid, {}).get(s, 0) for s in FAILED_STATES
            )
            conn.export_item_count = sum(items.get(cid, {}).values())
            conn.export_item_failed_count = sum(
                items.get(cid, {}).get(s, 0) for s in FAILED_STATES
            )
            conn.binding_count = sum(bindings.get(cid, {}).values())
            conn.sync_log_count = sum(logs.get(cid, {}).values())
            conn.sync_error_count = sum(
                logs.get(cid, {}).get(s, 0) for s in FAILED_STATES
            )
            conn.overview_html = (
                conn._pleo_overview_html(jobs, items, bindings, logs, crons)
                if isinstance(cid, int)
                else False
            )

    def _compute_pleo_move_count(self):
        Move = self.env["account.move"]
        if "pleo_connection_id" not in Move._fields or not self.ids:
            self.move_count = 0
            return
        counts = dict(
            Move._read_group(
                [("pleo_connection_id", "in", self.ids)],
                ["pleo_connection_id"],
                ["__count"],
            )
        )
        for conn in self:
            conn.move_count = counts.get(conn, 0)

    # ------------------------------------------------------------------
    # Rendering
    # ------------------------------------------------------------------
    @staticmethod
    def _pleo_html_table(headers, rows):
        head = Markup("").join(Markup("<th>%s</th>") % h for h in headers)
        body = Markup("").join(
            Markup("<tr>%s</tr>")
            % Markup("").join(Markup("<td>%s</td>") % cell for cell in row)
            for row in rows
        )
        return Markup(
            "<table class='table table-sm o_pleo_overview_table'>"
            "<thead><tr>%s</tr></thead><tbody>%s</tbody></table>"
        ) % (head, body)

    def _pleo_state_rows(self, key, counts):
        labels = self._pleo_state_labels(key)
        by_state = counts.get(self.id, {})
        return [
            (labels.get(state, state), by_state[state]) for state in sorted(by_state)
        ]

    def _pleo_health(self):
        self.ensure_one()
        advice = {
            "draft": _("Not connected: use Set up / Connect to Pleo."),
            "connected": _("Working."),
            "attention": _(
                "Something failed: read the errors below, fix them, then use Mark "
                "as resolved."
            ),
            "reauth": _(
                "Pleo refused the authorisation: an administrator must use "
                "Connect to Pleo again."
            ),
        }
        label = dict(self._fields["state"]._description_selection(self.env))[self.state]
        return label, advice.get(self.state, "")

    def _pleo_overview_html(self, jobs, items, bindings, logs, crons):
        self.ensure_one()
        parts = []
        label, advice = self._pleo_health()
        level = dict(self._fields["integration_level"]._description_selection(self.env))
        parts.append(
            Markup(
                "<h3>%s</h3><p><strong class='o_pleo_health'>%s</strong> — %s<br/>"
                "%s: %s<br/>%s: %s</p>"
            )
            % (
                _("Connection health"),
                label,
                advice,
                _("Level"),
                level.get(self.integration_level, ""),
                _("Pleo company"),
                self.pleo_company_name or self.pleo_company_id or "—",
            )
        )
        if self.last_error and self.state != "connected":
            parts.append(Markup("<p class='text-danger'>%s</p>") % self.last_error)
        parts.append(Markup("<h3>%s</h3>") % _("Scheduled actions"))
        if crons:
            rows = [
                (
                    cron.name,
                    _("active") if cron.active else _("inactive"),
                    self._pleo_local_time(cron.lastcall),
                    self._pleo_local_time(cron.nextcall),
                )
                for cron in crons
            ]
            parts.append(
                self._pleo_html_table(
                    [
                        _("Action"),
                        _("Status"),
                        _("Last run (%s)", self.env.user.tz or "UTC"),
                        _("Next run (%s)", self.env.user.tz or "UTC"),
                    ],
                    rows,
                )
            )
        else:
            parts.append(Markup("<p>%s</p>") % _("No scheduled action installed."))
        sections = [
            ("job", jobs, _("Export jobs")),
            ("item", items, _("Export items")),
            ("binding", bindings, _("Synchronised records")),
            ("log", logs, _("Sync runs")),
        ]
        for key, counts, title in sections:
            rows = self._pleo_state_rows(key, counts)
            parts.append(Markup("<h3>%s</h3>") % title)
            if rows:
                head = _("Kind") if key == "binding" else _("Status")
                parts.append(self._pleo_html_table([head, _("Count")], rows))
            else:
                parts.append(Markup("<p>%s</p>") % _("None yet."))
        errors = [
            (name, message, self._pleo_retry_advice())
            for name, message in self._pleo_last_errors("item")
        ]
        errors += [
            (name, message, self._pleo_job_advice())
            for name, message in self._pleo_last_errors("job")
        ]
        errors += [
            (name, message, self._pleo_sync_advice())
            for name, message in self._pleo_last_errors("log")
        ]
        parts.append(Markup("<h3>%s</h3>") % _("Last errors"))
        if errors:
            parts.append(
                self._pleo_html_table(
                    [_("Record"), _("Error"), _("What to do")], errors
                )
            )
        else:
            parts.append(Markup("<p>%s</p>") % _("No errors."))
        return Markup("<div class='o_pleo_overview'>%s</div>") % Markup("").join(
            escape(p) for p in parts
        )

    # ------------------------------------------------------------------
    # Smart buttons
    # ------------------------------------------------------------------
    def _pleo_open(self, key, xmlid, extra_domain=None, name=None):
        self.ensure_one()
        Model = self._pleo_model(key)
        action = (
            self.env["ir.actions.act_window"]._for_xml_id(xmlid)
            if (self.env.ref(xmlid, raise_if_not_found=False))
            else {
                "type": "ir.actions.act_window",
                "res_model": Model._name,
                "view_mode": "list,form",
                "name": name or Model._description,
            }
        )
        action["domain"] = [("connection_id", "=", self.id)] + (extra_domain or [])
        action["context"] = {"default_connection_id": self.id}
        return action

    @pleo_requires(PLEO_USER, "read")
    def action_pleo_open_export_jobs(self):
        return self._pleo_open("job", "pleo_connector.pleo_export_job_action")

    @pleo_requires(PLEO_USER, "read")
    def action_pleo_open_export_items(self):
        return self._pleo_open("item", "pleo_connector.pleo_export_item_action")

    @pleo_requires(PLEO_USER, "read")
    def action_pleo_open_failed_items(self):
        return self._pleo_open(
            "item",
            "pleo_connector.pleo_export_item_action",
            [("state", "in", FAILED_STATES)],
        )

    def _pleo_to_post_domain(self):
        """Draft entries booked from Pleo expenses (wallet payments follow
        their bills when those are posted)."""
        self.ensure_one()
        return [
            ("pleo_connection_id", "=", self.id),
            ("pleo_accounting_entry_id", "!=", False),
            ("state", "=", "draft"),
        ]

    @pleo_requires(PLEO_USER, "read")
    def action_pleo_open_moves(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_journal_line"
        )
        action.update(
            {
                "name": _("Entries from Pleo"),
                "domain": [("pleo_connection_id", "=", self.id)],
                "context": {"create": False},
            }
        )
        return action

    @pleo_requires(PLEO_USER, "read")
    def action_pleo_open_bindings(self):
        return self._pleo_open("binding", "pleo_connector.pleo_binding_action")

    @pleo_requires(PLEO_USER, "read")
    def action_pleo_open_sync_logs(self):
        return self._pleo_open("log", "pleo_connector.pleo_sync_log_action")
