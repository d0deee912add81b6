# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Queue records mirroring Pleo export jobs and their items, so people can see
what was booked, what failed and why, and retry."""

import json
import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .. import compat
from ..services.export_items import receipt_not_yet
from .pleo_access import PLEO_MANAGER, PLEO_USER, pleo_requires
from .pleo_export_labels import (
    BOOKKEEPING_METHODS,
    ITEM_FAILURE_TYPES,
    ITEM_TYPES,
    JOB_FAILURE_TYPES,
)

_logger = logging.getLogger(__name__)

JOB_STATES = [
    ("pending", "Pending"),
    ("in_progress", "In progress"),
    ("completed", "Completed"),
    ("completed_with_errors", "Completed with errors"),
    ("failed", "Failed"),
]
ITEM_STATES = [
    ("pending", "Pending"),
    ("in_progress", "In progress"),
    ("booked", "Booked, not yet reported"),
    ("booked_job_closed", "Booked after Pleo closed the job"),
    ("successful", "Successful"),
    ("failed", "Failed"),
    ("abandoned", "Abandoned"),
]


class PleoExportJob(models.Model):
    _name = "pleo.export.job"
    _description = "Pleo Export Job"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "pleo_created_at desc, id desc"
    _rec_name = "pleo_job_id"

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
    pleo_job_id = fields.Char(
        string="Pleo Job ID", required=True, readonly=True, index=True
    )
    state = fields.Selection(
        selection=JOB_STATES,
        default="pending",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    pleo_created_at = fields.Datetime(string="Created in Pleo", readonly=True)
    started_at = fields.Datetime(readonly=True)
    completed_at = fields.Datetime(readonly=True)
    number_of_items = fields.Integer(readonly=True)
    resume_cursor = fields.Char(
        readonly=True,
        copy=False,
        help="Pleo's cursor of the first page of items not yet all reported: "
        "a run stopped by Odoo's time limit resumes there instead of reading "
        "the job again from its start.",
    )
    vendor_based_bookkeeping = fields.Boolean(readonly=True)
    item_ids = fields.One2many(
        comodel_name="pleo.export.item", inverse_name="job_id", readonly=True
    )
    item_count = fields.Integer(compute="_compute_counters")
    successful_count = fields.Integer(compute="_compute_counters")
    failed_count = fields.Integer(compute="_compute_counters")
    pending_count = fields.Integer(compute="_compute_counters")
    booked_job_closed_count = fields.Integer(
        string="Booked After Close",
        compute="_compute_counters",
        help="Booked by a retry after Pleo closed this job: Pleo hears of them "
        "when the expenses are exported again.",
    )
    abandoned_count = fields.Integer(compute="_compute_counters")
    failure_reason = fields.Text(readonly=True)
    failure_reason_type = fields.Selection(
        selection=JOB_FAILURE_TYPES, string="Kind of Failure", readonly=True
    )

    locals().update(
        compat.sql_constraints(
            (
                "pleo_job_uniq",
                "unique(connection_id, pleo_job_id)",
                "This Pleo export job is already known.",
            )
        )
    )

    @api.depends("item_ids.state")
    def _compute_counters(self):
        data = {
            (job.id, state): count
            for job, state, count in self.env["pleo.export.item"]._read_group(
                [("job_id", "in", self.ids)], ["job_id", "state"], ["__count"]
            )
        }
        for job in self:
            counts = {s: data.get((job.id, s), 0) for s, _label in ITEM_STATES}
            job.item_count = sum(counts.values())
            job.successful_count = counts["successful"]
            job.failed_count = counts["failed"]
            job.pending_count = (
                counts["pending"] + counts["in_progress"] + counts["booked"]
            )
            job.booked_job_closed_count = counts["booked_job_closed"]
            job.abandoned_count = counts["abandoned"]

    @pleo_requires(PLEO_MANAGER, "read")
    def action_sync_now(self):
        """Run the export of every connection of the selected jobs (or all)."""
        connections = (
            self.connection_id
            or self.env["pleo.connection"]._pleo_connections_for_cron()
        )
        return connections.action_pleo_export_sync_now()

    @pleo_requires(PLEO_USER, "read")
    def action_view_items(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "pleo_connector.pleo_export_item_action"
        )
        action["domain"] = [("job_id", "=", self.id)]
        action["context"] = {}
        return action


class PleoExportItem(models.Model):
    _name = "pleo.export.item"
    _description = "Pleo Export Item"
    _order = "id desc"
    _rec_name = "accounting_entry_id"

    job_id = fields.Many2one(
        comodel_name="pleo.export.job",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    connection_id = fields.Many2one(
        related="job_id.connection_id", store=True, index=True
    )
    company_id = fields.Many2one(related="job_id.company_id", store=True, index=True)
    accounting_entry_id = fields.Char(
        string="Pleo Expense ID", required=True, readonly=True, index=True
    )
    state = fields.Selection(
        selection=ITEM_STATES,
        default="pending",
        required=True,
        readonly=True,
        copy=False,
        index=True,
    )
    item_type = fields.Selection(selection=ITEM_TYPES, string="Type", readonly=True)
    bookkeeping_method = fields.Selection(
        selection=BOOKKEEPING_METHODS, string="Booked As", readonly=True
    )
    date = fields.Date(readonly=True)
    description = fields.Char(readonly=True)
    # Each currency with its own decimals (JPY 0, KWD 3); no total across
    # currencies, not even in a grouped list.
    amount = fields.Monetary(
        readonly=True, currency_field="currency_id", aggregator=None
    )
    currency_code = fields.Char(string="Currency Code", readonly=True)
    currency_id = fields.Many2one(
        comodel_name="res.currency",
        string="Currency",
        compute="_compute_currency_id",
        store=True,
    )
    reconciliation_id = fields.Char(
        string="Pleo Reference",
        readonly=True,
        help="Pleo's book ID of the expense, also the reference of the entry.",
    )
    move_id = fields.Many2one(
        comodel_name="account.move", string="Odoo Entry", readonly=True, index=True
    )
    receipt_missing = fields.Boolean(
        string="No Receipt",
        related="move_id.pleo_receipt_missing",
        help="Pleo exported this expense without a receipt.",
    )
    exported_at = fields.Datetime(readonly=True)
    reported_at = fields.Datetime(string="Reported to Pleo", readonly=True)
    failure_reason = fields.Text(readonly=True)
    failure_reason_type = fields.Selection(
        selection=ITEM_FAILURE_TYPES, string="Kind of Failure", readonly=True
    )
    report_error = fields.Char(
        string="Pleo refused the report", readonly=True, help="From Pleo's answer."
    )
    payload = fields.Text(
        readonly=True,
        help="Pleo's data of a failed item, kept so Retry can book it.",
    )
    download_attempts = fields.Integer(
        string="Receipt Attempts",
        readonly=True,
        copy=False,
        help="Runs that could not fetch a receipt because Pleo was unavailable "
        "for a while; the item fails once they reach the limit.",
    )
    waiting_reason = fields.Char(
        string="Waiting For",
        readonly=True,
        copy=False,
        help="Why the item waits for the next run.",
    )

    locals().update(
        compat.sql_constraints(
            (
                "job_entry_uniq",
                "unique(job_id, accounting_entry_id)",
                "An expense appears once per export job.",
            )
        )
    )

    @api.depends("currency_code")
    def _compute_currency_id(self):
        codes = set(self.mapped("currency_code")) - {False}
        currencies = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "in", list(codes))])
        )
        by_code = {c.name: c for c in currencies}
        for item in self:
            item.currency_id = by_code.get(item.currency_code)

    @pleo_requires(PLEO_MANAGER, "write")
    def action_retry(self):
        """Book failed items again; returns a notification saying what happens.

        While the job is still open in Pleo the next run books and reports them.
        Once it is closed Pleo accepts no more reports: the item is booked from
        the data kept at failure, and Pleo learns the outcome when the expense is
        exported again (the next job finds the booked entry and reports it).
        """
        failed = self.filtered(lambda i: i.state == "failed")
        if not failed:
            raise UserError(_("Only failed items can be retried."))
        open_jobs = failed.filtered(lambda i: i.job_id.state == "in_progress")
        open_jobs.write(
            {
                "state": "pending",
                "failure_reason": False,
                "failure_reason_type": False,
                "download_attempts": 0,
            }
        )
        closed = failed - open_jobs
        for connection in closed.connection_id:
            closed.filtered(
                lambda i, c=connection: i.connection_id == c
            )._pleo_book_after_close()
        if open_jobs:
            self.env.ref("pleo_connector.ir_cron_pleo_export")._trigger()
        return self._pleo_retry_notification(open_jobs, closed)

    def _pleo_book_after_close(self):
        """Book items of closed jobs (one connection) from their kept data."""
        connection = self.connection_id
        payloads = [json.loads(i.payload) for i in self if i.payload]
        if not payloads:
            raise UserError(
                _(
                    "The data of these items was not kept: export the "
                    "expenses again from Pleo."
                )
            )
        client = connection._pleo_client()
        try:
            outcomes = connection._pleo_export_book_page(client, payloads)
        finally:
            client.close()
        by_entry = {p["accountingEntryId"]: p for p in payloads}
        for item in self:
            outcome = outcomes.get(item.accounting_entry_id)
            if not outcome:
                continue
            if outcome["status"] == "deferred":
                payload = by_entry[item.accounting_entry_id]
                outcome = receipt_not_yet(outcome["error"], payload)
            item._pleo_apply_outcome(outcome, reported=False)
        booked = self.filtered(lambda i: i.state == "booked")
        booked.write({"state": "booked_job_closed"})
        for job in booked.job_id:
            job.message_post(
                body=_(
                    "%(count)s item(s) booked by a retry after Pleo closed this "
                    "job. Pleo hears of them when the expenses are exported "
                    "again from Pleo.",
                    count=len(booked.filtered(lambda i, j=job: i.job_id == j)),
                )
            )

    def _pleo_retry_notification(self, open_jobs, closed):
        booked = closed.filtered(lambda i: i.state == "booked_job_closed")
        still_failed = closed.filtered(lambda i: i.state == "failed")
        parts = []
        if open_jobs:
            parts.append(
                _(
                    "%s item(s) will be booked by the next run and reported to Pleo.",
                    len(open_jobs),
                )
            )
        if booked:
            parts.append(
                _(
                    "%s item(s) booked. Their export job is already closed in "
                    "Pleo: Pleo hears of them when the expenses are exported "
                    "again from Pleo.",
                    len(booked),
                )
            )
        if still_failed:
            parts.append(
                _("%s item(s) failed again: each one says why.", len(still_failed))
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Retry"),
                "message": " ".join(parts),
                "type": "warning" if still_failed else "success",
                "sticky": bool(booked or still_failed),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _pleo_apply_outcome(self, outcome, reported):
        """Write a booking outcome {status, move, failure_type, message}."""
        self.ensure_one()
        self.write(self._pleo_outcome_vals(outcome, reported))

    @api.model
    def _pleo_outcome_vals(self, outcome, reported=False):
        """A queue record's values for a booking outcome."""
        if outcome["status"] == "successful":
            vals = {
                "state": "successful" if reported else "booked",
                "move_id": outcome["move"].id,
                "exported_at": outcome["move"].create_date,
                "failure_reason": False,
                "failure_reason_type": False,
                "payload": False,
                "waiting_reason": False,
            }
        elif outcome["status"] == "deferred":
            vals = {
                "state": "pending",
                "download_attempts": outcome["attempts"],
                "waiting_reason": outcome["message"],
            }
        else:
            vals = {
                "state": "failed",
                "failure_reason": outcome["message"],
                "failure_reason_type": outcome["failure_type"],
                "waiting_reason": False,
            }
            if outcome.get("payload_json"):
                vals["payload"] = outcome["payload_json"]
        if reported:
            vals["reported_at"] = fields.Datetime.now()
        return vals

    def _pleo_mark_reported(self):
        """Pleo took these items' outcomes: booked ones become successful."""
        now = fields.Datetime.now()
        self.filtered(lambda i: i.state == "booked").write(
            {"state": "successful", "reported_at": now}
        )
        self.filtered(lambda i: i.state == "failed").write({"reported_at": now})

    @pleo_requires(PLEO_USER, "read")
    def action_open_move(self):
        self.ensure_one()
        return self.move_id._get_records_action()
