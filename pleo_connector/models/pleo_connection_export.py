# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Level 1: Pleo export jobs become Odoo journal entries and vendor bills.

Exactly once: `account.move` carries (pleo_connection_id,
pleo_accounting_entry_id) under a unique constraint; every page of export items
is checked against it in one search before anything is booked, so a rerun after
a crash at any point finds the moves already booked and only reports them.
"""

import json
import logging
from contextlib import contextmanager
from datetime import datetime

import psycopg2
import pytz

from odoo import _, api, fields, models, modules, tools
from odoo.exceptions import UserError, ValidationError

from ..pleo import errors
from ..services.export_mapping import (
    MappingContext,
    MappingError,
    TaxInfo,
    map_export_item,
    move_type_for,
    wallet_account,
)

_logger = logging.getLogger(__name__)

# Key of the session advisory lock: one export worker per connection.
EXPORT_LOCK_CLASS = 0x504C454F  # "PLEO"
MAX_JOBS_PER_RUN = 20


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

    _sql_constraints = [
        (
            "currency_uniq",
            "unique(connection_id, currency_id)",
            "A wallet currency has one account per connection.",
        )
    ]


class PleoConnection(models.Model):
    _inherit = "pleo.connection"

    export_journal_id = fields.Many2one(
        comodel_name="account.journal",
        string="Pleo Journal",
        check_company=True,
        domain="[('type', '=', 'general')]",
        help="Journal of the entries booked from Pleo.",
    )
    export_purchase_journal_id = fields.Many2one(
        comodel_name="account.journal",
        string="Vendor Bills Journal",
        check_company=True,
        domain="[('type', '=', 'purchase')]",
        help="Journal of the vendor bills of the accounts payable method.",
    )
    export_wallet_ids = fields.One2many(
        comodel_name="pleo.export.wallet",
        inverse_name="connection_id",
        string="Wallet Accounts",
    )
    export_out_of_pocket_account_id = fields.Many2one(
        comodel_name="account.account",
        string="Out-of-Pocket Account",
        check_company=True,
        help="What the company owes employees for expenses they paid themselves.",
    )
    export_contra_account_id = fields.Many2one(
        comodel_name="account.account",
        string="Contra Account",
        check_company=True,
        help="Balancing account when neither a wallet account nor Pleo's contra "
        "account applies.",
    )
    export_expense_account_id = fields.Many2one(
        comodel_name="account.account",
        string="Default Expense Account",
        check_company=True,
        help="For expense lines Pleo sends without a category.",
    )
    export_payable_account_id = fields.Many2one(
        comodel_name="account.account",
        string="Payable Account",
        check_company=True,
        help="Payable account of vendor bills; the vendor's own when empty.",
    )
    export_posting = fields.Selection(
        selection=[("draft", "Draft"), ("posted", "Posted")],
        string="Posting",
        default="draft",
        required=True,
        help="Pleo's default is draft.",
    )
    export_closed_period = fields.Selection(
        selection=[
            ("first_open", "Book on the first open date"),
            ("fail", "Fail the item"),
        ],
        string="Closed Period",
        default="first_open",
        required=True,
    )
    export_job_ids = fields.One2many(
        comodel_name="pleo.export.job", inverse_name="connection_id"
    )
    export_last_run = fields.Datetime(readonly=True, copy=False)

    @api.model_create_multi
    def create(self, vals_list):
        connections = super().create(vals_list)
        for connection in connections:
            if not connection.export_journal_id:
                connection.export_journal_id = connection._pleo_export_journal()
            if not connection.export_purchase_journal_id:
                connection.export_purchase_journal_id = self.env[
                    "account.journal"
                ].search(
                    [
                        *self.env["account.journal"]._check_company_domain(
                            connection.company_id
                        ),
                        ("type", "=", "purchase"),
                    ],
                    limit=1,
                )
        return connections

    def _pleo_export_journal(self):
        """The company's 'PLEO' general journal, created when missing."""
        self.ensure_one()
        Journal = self.env["account.journal"].sudo()
        domain = [
            *Journal._check_company_domain(self.company_id),
            ("code", "=", "PLEO"),
        ]
        journal = Journal.search(domain, limit=1)
        if not journal:
            journal = Journal.create(
                {
                    "name": _("Pleo"),
                    "code": "PLEO",
                    "type": "general",
                    "company_id": self.company_id.id,
                }
            )
        return journal

    def action_pleo_create_export_journal(self):
        for connection in self:
            connection.export_journal_id = connection._pleo_export_journal()
        return True

    # ------------------------------------------------------------------
    # Triggers: cron, button, webhook
    # ------------------------------------------------------------------
    @api.model
    def _cron_pleo_export(self):
        for connection in self._pleo_connections_for_cron():
            if not connection._level_at_least("1"):
                continue
            try:
                connection._pleo_export_run()
            except Exception:  # one connection never stops the others
                _logger.exception("Pleo export of connection %s failed", connection.id)
                self.env.cr.rollback()

    def action_pleo_export_sync_now(self):
        done = 0
        for connection in self:
            if connection.state not in ("connected", "attention"):
                raise UserError(
                    _("Connection %s is not connected to Pleo.", connection.name)
                )
            done += connection._pleo_export_run() or 0
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Pleo export"),
                "message": _("%s export job(s) processed.", done),
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _pleo_webhook_handlers(self):
        handlers = super()._pleo_webhook_handlers()
        handlers["v1.export-job.created"] = "_pleo_on_export_job_created"
        return handlers

    def _pleo_on_export_job_created(self, data):
        """A webhook is only a trigger: the cron re-reads the job from Pleo."""
        _logger.info(
            "Pleo connection %s: export job %s created", self.id, data.get("id")
        )
        self.env.ref("pleo_connector.ir_cron_pleo_export").sudo()._trigger()

    # ------------------------------------------------------------------
    # The run: one job at a time, oldest first, under a lock
    # ------------------------------------------------------------------
    def _pleo_export_commit(self):
        if not (tools.config["test_enable"] or modules.module.current_test):
            self.env.cr.commit()  # pylint: disable=invalid-commit

    @contextmanager
    def _pleo_export_lock(self):
        """Session advisory lock: concurrent workers never run the same connection.

        A session lock survives the commits made after each page, and Postgres
        releases it if the worker dies.
        """
        cr = self.env.cr
        cr.execute("SELECT pg_try_advisory_lock(%s, %s)", [EXPORT_LOCK_CLASS, self.id])
        acquired = cr.fetchone()[0]
        try:
            yield acquired
        finally:
            if acquired:
                unlock = "SELECT pg_advisory_unlock(%s, %s)"
                try:
                    cr.execute(unlock, [EXPORT_LOCK_CLASS, self.id])
                except psycopg2.Error:
                    # An aborted transaction refuses queries; the session lock
                    # must not outlive the run on a pooled connection.
                    cr.rollback()
                    cr.execute(unlock, [EXPORT_LOCK_CLASS, self.id])

    def _pleo_export_run(self):
        """Process this connection's export jobs; returns how many were handled."""
        self.ensure_one()
        if not self._pleo_usable():
            return 0
        with self._pleo_export_lock() as acquired:
            if not acquired:
                _logger.info("Pleo connection %s: another worker is exporting", self.id)
                return 0
            handled = 0
            seen = set()
            client = None
            try:
                client = self._pleo_client()
                while handled < MAX_JOBS_PER_RUN:
                    job_data = self._pleo_export_next_job(client, seen)
                    if not job_data:
                        break
                    seen.add(job_data["id"])
                    self._pleo_export_process_job(client, job_data)
                    handled += 1
                self._pleo_export_mirror_stale(client, seen)
            except errors.PleoTokenRevoked as exc:
                # The connection is already in 'reauth'; the job stays resumable.
                self._pleo_export_job_note(
                    seen,
                    _(
                        "Pleo refused the authorisation (%s). The job resumes once "
                        "the connection is authorised again.",
                        exc,
                    ),
                )
            except errors.PleoError as exc:
                message = _(
                    "Pleo could not be reached (%s). The job resumes on the next run.",
                    exc,
                )
                self._pleo_export_attention(_("Pleo export interrupted"), message)
                self._pleo_export_job_note(seen, message)
            finally:
                if client is not None:
                    client.close()
            self.export_last_run = fields.Datetime.now()
            self._pleo_export_commit()
            return handled

    def _pleo_export_attention(self, summary, message):
        """Job-level failure: the connection needs attention, people are told."""
        if hasattr(self, "_pleo_notify_failure"):
            self._pleo_notify_failure(summary, message)
        else:
            self.write({"state": "attention", "last_error": message})

    def _pleo_export_mirror_stale(self, client, seen):
        """Local jobs still open that Pleo closed meanwhile (expired, failed by a
        person): mirror Pleo's status; unreported items become abandoned."""
        stale = self.env["pleo.export.job"].search(
            [
                ("connection_id", "=", self.id),
                ("state", "in", ("pending", "in_progress")),
                ("pleo_job_id", "not in", list(seen)),
            ]
        )
        for job in stale:
            try:
                remote = client.get_export_job(job.pleo_job_id)
            except errors.PleoNotFound:
                remote = {"status": "failed", "failureReason": _("Unknown to Pleo.")}
            status = remote.get("status")
            if status in ("pending", "in_progress") or status not in dict(
                job._fields["state"].selection
            ):
                continue
            job.write(
                {
                    "state": status,
                    "failure_reason": remote.get("failureReason"),
                    "failure_reason_type": remote.get("failureReasonType"),
                    "completed_at": fields.Datetime.now(),
                }
            )
            job.item_ids.filtered(
                lambda i: i.state in ("pending", "in_progress")
            ).write({"state": "abandoned"})
            job.message_post(
                body=_(
                    "Pleo closed this job as %(status)s: %(reason)s",
                    status=status,
                    reason=remote.get("failureReason") or "-",
                )
            )

    def _pleo_export_job_note(self, pleo_job_ids, message):
        jobs = self.env["pleo.export.job"].search(
            [("connection_id", "=", self.id), ("pleo_job_id", "in", list(pleo_job_ids))]
        )
        for job in jobs.filtered(lambda j: j.state in ("pending", "in_progress")):
            job.message_post(body=message)

    def _pleo_export_next_job(self, client, seen):
        """The job to work on: an interrupted one first, else the oldest pending."""
        for statuses in (("in_progress",), ("pending",)):
            for job in client.list_export_jobs(statuses=statuses):
                if job["id"] not in seen:
                    return job
        return None

    def _pleo_export_local_job(self, job_data):
        Job = self.env["pleo.export.job"]
        job = Job.search(
            [("connection_id", "=", self.id), ("pleo_job_id", "=", job_data["id"])],
            limit=1,
        )
        if not job:
            job = Job.create(
                {
                    "connection_id": self.id,
                    "pleo_job_id": job_data["id"],
                    "pleo_created_at": _pleo_datetime(job_data.get("createdAt")),
                    "number_of_items": job_data.get("numberOfItems") or 0,
                    "vendor_based_bookkeeping": bool(
                        job_data.get("vendorBasedBookkeeping")
                    ),
                }
            )
        return job

    def _pleo_export_validate(self, job_data):
        """(failureReasonType, reason) when the job cannot be exported, else None."""
        if self.pleo_company_id and job_data.get("companyId") != self.pleo_company_id:
            return (
                "invalid_configuration",
                _(
                    "The export job belongs to Pleo company %(job)s but Odoo company "
                    "%(company)s is connected to Pleo company %(mine)s.",
                    job=job_data.get("companyId"),
                    company=self.company_id.name,
                    mine=self.pleo_company_id,
                ),
            )
        if not self.export_journal_id:
            return (
                "missing_configuration",
                _("Journal missing: set the Pleo journal on the connection in Odoo."),
            )
        if not self.export_wallet_ids and not self.export_contra_account_id:
            return (
                "missing_configuration",
                _(
                    "Account missing: set a wallet account or a contra account on "
                    "the Pleo connection in Odoo."
                ),
            )
        if job_data.get("vendorBasedBookkeeping") and not (
            self.export_purchase_journal_id
        ):
            return (
                "missing_configuration",
                _(
                    "Journal missing: vendor bills need a purchase journal on the "
                    "Pleo connection in Odoo."
                ),
            )
        return None

    def _pleo_export_process_job(self, client, job_data):
        job = self._pleo_export_local_job(job_data)
        job_id = job_data["id"]
        resumed = job_data.get("status") == "in_progress"
        if not resumed:
            client.post_export_job_event(job_id, "started")
            job.write({"state": "in_progress", "started_at": fields.Datetime.now()})
        else:
            job.state = "in_progress"
            job.message_post(body=_("Resuming the export of this job."))
        self._pleo_export_commit()

        problem = self._pleo_export_validate(job_data)
        if problem:
            reason_type, reason = problem
            client.post_export_job_event(
                job_id, "failed", failure_reason=reason, failure_reason_type=reason_type
            )
            job.write(
                {
                    "state": "failed",
                    "failure_reason": reason,
                    "failure_reason_type": reason_type,
                    "completed_at": fields.Datetime.now(),
                }
            )
            job.message_post(body=_("Export failed: %s", reason))
            self._pleo_export_attention(_("Pleo export job failed"), reason)
            self._pleo_export_commit()
            return

        # Control layer: on a resumed job, items Pleo already has a final status
        # for are skipped; a fresh job has none.
        done = {}
        if resumed:
            for status in ("successful", "failed"):
                for row in client.iter_export_job_items(job_id, status=status):
                    done[row["accountingEntryId"]] = status
        failed_any = "failed" in done.values()
        ctx = self._pleo_export_context()
        for page in client.iter_export_item_pages(job_id):
            todo = [p for p in page if p["accountingEntryId"] not in done]
            if not todo:
                continue
            failed_any |= self._pleo_export_page(client, job, todo, ctx)
        final = "completed_with_errors" if failed_any else "completed"
        client.post_export_job_event(job_id, final)
        job.write({"state": final, "completed_at": fields.Datetime.now()})
        job.message_post(
            body=_(
                "Export %(state)s: %(ok)s booked, %(ko)s failed.",
                state=dict(job._fields["state"].selection)[final],
                ok=job.successful_count,
                ko=job.failed_count,
            )
        )
        if final == "completed" and self.state == "attention":
            self.write({"state": "connected", "last_error": False})
        self._pleo_export_commit()

    def _pleo_export_page(self, client, job, payloads, ctx):
        """Book one page, record it, commit, report it to Pleo. True if any failed."""
        Item = self.env["pleo.export.item"]
        entry_ids = [p["accountingEntryId"] for p in payloads]
        known = {
            i.accounting_entry_id: i
            for i in Item.search(
                [("job_id", "=", job.id), ("accounting_entry_id", "in", entry_ids)]
            )
        }
        outcomes = self._pleo_export_book_page(client, payloads, ctx)
        # Record what was booked before telling Pleo: a crash from here on leaves
        # 'booked' items that the next run finds and reports.
        new_vals = []
        for payload in payloads:
            entry = payload["accountingEntryId"]
            outcome = outcomes[entry]
            if entry in known:
                known[entry]._pleo_apply_outcome(outcome, reported=False)
                continue
            vals = _item_summary(payload, ctx)
            vals.update(job_id=job.id, accounting_entry_id=entry)
            if outcome["status"] == "successful":
                vals.update(
                    state="booked",
                    move_id=outcome["move"].id,
                    exported_at=outcome["move"].create_date,
                )
            else:
                vals.update(
                    state="failed",
                    failure_reason=outcome["message"],
                    failure_reason_type=outcome["failure_type"],
                    payload=outcome.get("payload_json"),
                )
            new_vals.append(vals)
        items = Item.create(new_vals) + Item.browse([i.id for i in known.values()])
        self._pleo_export_commit()

        updates = []
        base_url = self.get_base_url()
        for payload in payloads:
            outcome = outcomes[payload["accountingEntryId"]]
            if outcome["status"] == "successful":
                move = outcome["move"]
                updates.append(
                    {
                        "accountingEntryId": payload["accountingEntryId"],
                        "status": "successful",
                        "externalId": str(move.id),
                        "externalUrl": f"{base_url}/odoo/account.move/{move.id}",
                        "exportedAt": _pleo_iso(move.create_date),
                    }
                )
            else:
                updates.append(
                    {
                        "accountingEntryId": payload["accountingEntryId"],
                        "status": "failed",
                        "failureReasonType": outcome["failure_type"],
                        "failureReason": outcome["message"][:1000],
                    }
                )
        answer = client.update_export_job_items(job.pleo_job_id, updates) or {}
        refused = {
            e.get("accountingEntryId"): e for e in answer.get("errors") or [] if e
        }
        now = fields.Datetime.now()
        booked = items.filtered(
            lambda i: i.state == "booked" and i.accounting_entry_id not in refused
        )
        booked.write({"state": "successful", "reported_at": now})
        reported_failed = items.filtered(
            lambda i: i.state == "failed" and i.accounting_entry_id not in refused
        )
        reported_failed.write({"reported_at": now})
        for item in items.filtered(lambda i: i.accounting_entry_id in refused):
            error = refused[item.accounting_entry_id]
            item.report_error = f"{error.get('type')}: {error.get('message')}"
        if refused:
            job.message_post(
                body=_(
                    "Pleo refused %(count)s item report(s), e.g. %(example)s",
                    count=len(refused),
                    example=next(iter(refused.values())).get("message"),
                )
            )
        self._pleo_export_commit()
        return any(o["status"] == "failed" for o in outcomes.values())

    # ------------------------------------------------------------------
    # Booking: (connection, item payloads) -> moves; no other state
    # ------------------------------------------------------------------
    def _pleo_export_book_page(self, client, payloads, ctx=None):
        """Book items; returns {accountingEntryId: outcome}.

        outcome: {"status": "successful", "move": move} or
        {"status": "failed", "failure_type": ..., "message": ...}.
        """
        self.ensure_one()
        ctx = ctx or self._pleo_export_context()
        Move = self.env["account.move"]
        entry_ids = [p["accountingEntryId"] for p in payloads]
        existing = {
            m.pleo_accounting_entry_id: m
            for m in Move.search(
                [
                    ("pleo_connection_id", "=", self.id),
                    ("pleo_accounting_entry_id", "in", entry_ids),
                ]
            )
        }
        outcomes = {}
        prepared = []
        self._pleo_export_partners(payloads, ctx)
        for payload in payloads:
            entry = payload["accountingEntryId"]
            if entry in existing:
                outcomes[entry] = {"status": "successful", "move": existing[entry]}
                continue
            try:
                vals = self._pleo_export_prepare(payload, ctx)
                files = self._pleo_export_download(client, payload)
            except MappingError as exc:
                outcomes[entry] = _failure(exc.failure_type, exc.message, payload)
                continue
            prepared.append((payload, vals, files))
        if not prepared:
            return outcomes
        try:
            with self.env.cr.savepoint():
                moves = self._pleo_export_create_moves(prepared, ctx)
            for (payload, _vals, _files), move in zip(prepared, moves, strict=True):
                outcomes[payload["accountingEntryId"]] = {
                    "status": "successful",
                    "move": move,
                }
            return outcomes
        except Exception as exc:  # fall back to one savepoint per item
            _logger.info("Pleo batch booking failed (%s); booking one by one", exc)
        for payload, vals, files in prepared:
            entry = payload["accountingEntryId"]
            try:
                with self.env.cr.savepoint():
                    move = self._pleo_export_create_moves([(payload, vals, files)], ctx)
                outcomes[entry] = {"status": "successful", "move": move}
            except psycopg2.IntegrityError:
                move = Move.search(
                    [
                        ("pleo_connection_id", "=", self.id),
                        ("pleo_accounting_entry_id", "=", entry),
                    ]
                )
                if move:
                    outcomes[entry] = {"status": "successful", "move": move}
                else:
                    outcomes[entry] = _failure(
                        "unexpected_failure",
                        _("Odoo refused the entry (database constraint)."),
                        payload,
                    )
            except MappingError as exc:
                outcomes[entry] = _failure(exc.failure_type, exc.message, payload)
            except (UserError, ValidationError) as exc:
                outcomes[entry] = _failure(
                    "accounting_system_validation_failure",
                    _("Odoo refused the entry: %s", exc.args[0] if exc.args else exc),
                    payload,
                )
            except Exception as exc:
                _logger.exception("Pleo item %s could not be booked", entry)
                outcomes[entry] = _failure(
                    "unexpected_failure",
                    _("Unexpected error while booking: %s", exc),
                    payload,
                )
        return outcomes

    def _pleo_export_create_moves(self, prepared, ctx):
        """Create, attach receipts, post and settle, for already valid values."""
        Move = self.env["account.move"].with_context(
            skip_invoice_sync=True, tracking_disable=True, mail_create_nolog=True
        )
        vals_list = []
        for _payload, vals, _files in prepared:
            vals_list.append(dict(vals, pleo_connection_id=self.id))
        moves = Move.create(vals_list)
        att_vals = []
        for move, (_payload, _vals, files) in zip(moves, prepared, strict=True):
            for name, mimetype, raw in files:
                att_vals.append(
                    {
                        "name": name,
                        "raw": raw,
                        "mimetype": mimetype,
                        "res_model": "account.move",
                        "res_id": move.id,
                        "company_id": self.company_id.id,
                    }
                )
        if att_vals:
            attachments = self.env["ir.attachment"].create(att_vals)
            first = {}
            for att in attachments:
                first.setdefault(att.res_id, att)
            for move in moves:
                if move.id in first:
                    move.message_main_attachment_id = first[move.id]
        if self.export_posting == "posted":
            moves.action_post()
        bills = moves.filtered(lambda m: m.move_type in ("in_invoice", "in_refund"))
        if bills:
            payloads = {p["accountingEntryId"]: p for p, _v, _f in prepared}
            self._pleo_export_settle(bills, payloads, ctx)
        return moves

    def _pleo_export_settle(self, bills, payloads, ctx):
        """Pay vendor bills from the Pleo wallet: a wallet entry reconciled with
        the bill's payable line, so the bill is not left open."""
        Move = self.env["account.move"].with_context(tracking_disable=True)
        vals_list = []
        for bill in bills:
            payload = payloads[bill.pleo_accounting_entry_id]
            wallet_currency = payload["amount"]["inWalletCurrency"]["currency"]
            account_id = wallet_account(payload, ctx, wallet_currency)
            journal = (
                self.export_wallet_ids.filtered(
                    lambda w, c=wallet_currency: w.currency_id.name == c
                ).journal_id
                or self.export_journal_id
            )
            term = bill.line_ids.filtered(lambda x: x.display_type == "payment_term")
            lines = []
            for line in term:
                lines.append(
                    (
                        0,
                        0,
                        {
                            "name": bill.ref or bill.name,
                            "account_id": line.account_id.id,
                            "partner_id": line.partner_id.id,
                            "currency_id": line.currency_id.id,
                            "amount_currency": -line.amount_currency,
                            "balance": -line.balance,
                        },
                    )
                )
                lines.append(
                    (
                        0,
                        0,
                        {
                            "name": bill.ref or bill.name,
                            "account_id": account_id,
                            "partner_id": line.partner_id.id,
                            "currency_id": line.currency_id.id,
                            "amount_currency": line.amount_currency,
                            "balance": line.balance,
                        },
                    )
                )
            vals_list.append(
                {
                    "move_type": "entry",
                    "journal_id": journal.id,
                    "date": bill.date,
                    "ref": _("Pleo payment of %s", bill.ref or bill.name),
                    "pleo_connection_id": self.id,
                    "line_ids": lines,
                }
            )
        settlements = Move.create(vals_list)
        for bill, settlement in zip(bills, settlements, strict=True):
            bill.pleo_settlement_move_id = settlement
        if self.export_posting == "posted":
            settlements.action_post()
            for bill, settlement in zip(bills, settlements, strict=True):
                term = bill.line_ids.filtered(
                    lambda x: x.display_type == "payment_term"
                )
                (term + settlement.line_ids).filtered(
                    lambda x, a=term.account_id: x.account_id in a
                ).reconcile()

    def _pleo_export_prepare(self, payload, ctx):
        """Move values for one item, with its accounting date decided."""
        ctx.accounting_date = self._pleo_export_local_date(payload.get("date"))
        vals = map_export_item(payload, ctx)
        if vals["move_type"] != "entry":  # paid from the wallet: known up front
            wallet_account(
                payload, ctx, payload["amount"]["inWalletCurrency"]["currency"]
            )
        journal = self.env["account.journal"].browse(vals["journal_id"])
        has_tax = any(
            cmd[2].get("display_type") == "tax" or cmd[2].get("tax_repartition_line_id")
            for cmd in vals["line_ids"]
        )
        day = vals["date"]
        locks = self.company_id._get_violated_lock_dates(day, has_tax, journal)
        if locks:
            lock_text = self.env["res.company"]._format_lock_dates(locks)
            if self.export_closed_period == "fail":
                raise MappingError(
                    "validation_failure",
                    _(
                        "The accounting period of %(day)s is closed in Odoo "
                        "(%(locks)s). Reopen it, or set the connection to book on "
                        "the first open date, then export again.",
                        day=day,
                        locks=lock_text,
                    ),
                )
            probe = self.env["account.move"].new(
                {
                    "move_type": vals["move_type"],
                    "journal_id": journal.id,
                    "company_id": self.company_id.id,
                    "date": day,
                }
            )
            new_day = probe._get_accounting_date(day, has_tax, lock_dates=locks)
            vals["date"] = new_day
            for cmd in vals["line_ids"]:
                if "date_maturity" in cmd[2]:
                    cmd[2]["date_maturity"] = new_day
        return vals

    def _pleo_export_local_date(self, value):
        """Pleo's UTC timestamp -> date in the company's timezone.

        The company's timezone is its partner's `tz`; else the user's; else UTC.
        """
        if not value:
            return fields.Date.context_today(self)
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
        tz_name = self.company_id.partner_id.tz or self.env.user.tz or "UTC"
        return stamp.astimezone(pytz.timezone(tz_name)).date()

    def _pleo_export_download(self, client, payload):
        """Every receipt of the item: [(name, mimetype, bytes)]; raise if one fails."""
        files = []
        for n, file in enumerate(payload.get("files") or [], start=1):
            url = file.get("url")
            try:
                raw = client.download_file(url)
            except errors.PleoTokenRevoked:
                raise
            except errors.PleoPayloadTooLarge as exc:
                raise MappingError(
                    "receipt_file_size_limit_exceeded",
                    _("Receipt %(n)s is too large: %(err)s", n=n, err=exc),
                ) from exc
            except errors.PleoError as exc:
                raise MappingError(
                    "receipt_download_failure",
                    _(
                        "Receipt %(n)s could not be downloaded from Pleo: %(err)s",
                        n=n,
                        err=exc,
                    ),
                ) from exc
            files.append((_file_name(payload, n, file), file.get("type"), raw))
        return files

    # ------------------------------------------------------------------
    # Lookups, gathered once per job into a plain MappingContext
    # ------------------------------------------------------------------
    def _pleo_export_context(self):
        self.ensure_one()
        company = self.company_id
        Account = self.env["account.account"].with_company(company)
        accounts = {}
        for account in Account.search_fetch(
            Account._check_company_domain(company), ["code"]
        ):
            accounts[str(account.id)] = account.id
            if account.code:
                accounts[account.code] = account.id
        taxes = {}
        Tax = self.env["account.tax"].with_context(active_test=True)
        all_taxes = Tax.search(
            [
                *Tax._check_company_domain(company),
                ("type_tax_use", "in", ("purchase", "none")),
            ]
        )
        # A Pleo tax code matches the tax whose Pleo code it is; Level 3 sends
        # taxes without one as TAX<id>; else a tax of the same name.
        for tax in all_taxes.sorted(lambda t: not t.pleo_code):
            info = _tax_info(tax)
            taxes[f"TAX{tax.id}"] = info
            if tax.pleo_code:
                taxes.setdefault(tax.pleo_code, info)
            else:
                taxes.setdefault(tax.name, info)
        analytic = {}
        for account in self.env["account.analytic.account"].search(
            [("company_id", "in", (False, company.id))]
        ):
            # Tag group code = the plan's name, or PLAN<id> as Level 2 syncs
            # it; tag code = the analytic account's code, or AA<id>.
            for plan in (account.plan_id, account.root_plan_id):
                for group in (plan.name, f"PLAN{plan.id}"):
                    for code in (account.code, f"AA{account.id}"):
                        analytic.setdefault((group, code), account.id)
        currencies = self.env["res.currency"].search([])
        wallets = {
            w.currency_id.name: (w.account_id.id, w.journal_id.id or None)
            for w in self.export_wallet_ids
        }
        return MappingContext(
            company_currency=company.currency_id.name,
            currency_digits={c.name: c.decimal_places for c in currencies},
            currency_ids={c.name: c.id for c in currencies},
            accounts=accounts,
            taxes=taxes,
            analytic=analytic,
            journal_id=self.export_journal_id.id or None,
            purchase_journal_id=self.export_purchase_journal_id.id or None,
            wallets=wallets,
            contra_account_id=self.export_contra_account_id.id or None,
            out_of_pocket_account_id=self.export_out_of_pocket_account_id.id or None,
            expense_account_id=self.export_expense_account_id.id or None,
            payable_account_id=self.export_payable_account_id.id or None,
        )

    def _pleo_export_partners(self, payloads, ctx):
        """Fill ctx.employees and ctx.vendors for a page, in a few searches.

        Employees (out-of-pocket) are matched by reference = employee code, then
        by name, and created when missing. Vendors are matched by reference =
        vendor code or external id, then by name; never created.
        """
        Partner = self.env["res.partner"].with_context(active_test=False)
        company_domain = [("company_id", "in", (False, self.company_id.id))]
        users = {}
        vendor_keys = set()
        for payload in payloads:
            user = payload.get("user") or {}
            if user.get("name"):
                users[user.get("code") or user["name"]] = user
            if move_type_for(payload) != "entry":
                for who in (payload.get("vendor"), payload.get("supplier")):
                    for key in ("code", "externalId", "name"):
                        if who and who.get(key):
                            vendor_keys.add(who[key])
        keys = set(users) | {u["name"] for u in users.values()} | vendor_keys
        keys -= set(ctx.employees) | set(ctx.vendors)
        if not keys:
            return
        keys = list(keys)
        found = Partner.search_fetch(
            company_domain + ["|", ("ref", "in", keys), ("name", "in", keys)],
            ["ref", "name", "property_account_payable_id"],
        )
        by_ref = {p.ref: p for p in found if p.ref}
        by_name = {p.name: p for p in found}
        # Level 4 sends Odoo's partner id as the vendor's externalId.
        ids = [int(k) for k in keys if k.isdigit()]
        by_id = (
            {
                str(p.id): p
                for p in Partner.search_fetch(
                    company_domain + [("id", "in", ids)],
                    ["ref", "name", "property_account_payable_id"],
                )
            }
            if ids
            else {}
        )
        for key in keys:
            partner = by_ref.get(key) or by_id.get(key) or by_name.get(key)
            if partner:
                ctx.employees.setdefault(key, partner.id)
                if key in vendor_keys:
                    ctx.vendors[key] = partner.id
                    ctx.vendor_payable[partner.id] = (
                        partner.property_account_payable_id.id
                    )
        missing = [
            u
            for key, u in users.items()
            if key not in ctx.employees and u["name"] not in ctx.employees
        ]
        if missing:
            created = Partner.create(
                [
                    {
                        "name": u["name"],
                        "ref": u.get("code"),
                        "company_id": self.company_id.id,
                    }
                    for u in missing
                ]
            )
            for u, partner in zip(missing, created, strict=True):
                ctx.employees[u.get("code") or u["name"]] = partner.id
                ctx.employees[u["name"]] = partner.id


def _tax_info(tax):
    def reps(lines):
        return [
            (r.factor_percent, r.account_id.id or None, r.tag_ids.ids, r.id)
            for r in lines
            if r.repartition_type == "tax"
        ]

    return TaxInfo(
        id=tax.id,
        name=tax.name,
        amount=tax.amount,
        amount_type=tax.amount_type,
        price_include=tax.price_include,
        invoice_lines=reps(tax.invoice_repartition_line_ids),
        refund_lines=reps(tax.refund_repartition_line_ids),
    )


def _failure(failure_type, message, payload):
    return {
        "status": "failed",
        "failure_type": failure_type,
        "message": str(message),
        "payload_json": json.dumps(payload),
    }


def _file_name(payload, n, file):
    url = (file.get("url") or "").split("?")[0]
    tail = url.rstrip("/").rsplit("/", 1)[-1]
    if tail and "." in tail:
        return tail
    ext = {
        "application/pdf": "pdf",
        "image/jpeg": "jpg",
        "image/png": "png",
    }.get(file.get("type"), "bin")
    book = (payload.get("additionalInformation") or {}).get("reconciliationId")
    return f"pleo-{book or payload['accountingEntryId']}-{n}.{ext}"


def _pleo_datetime(value):
    if not value:
        return False
    stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return stamp.astimezone(pytz.utc).replace(tzinfo=None)


def _pleo_iso(value):
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def _item_summary(payload, ctx):
    amount = (payload.get("amount") or {}).get("inSupplierCurrency") or {}
    info = payload.get("additionalInformation") or {}
    supplier = (payload.get("supplier") or {}).get("name")
    return {
        "item_type": payload.get("type"),
        "bookkeeping_method": (payload.get("bookkeeping") or {}).get("method"),
        "date": (payload.get("date") or "")[:10] or False,
        "description": " - ".join(x for x in (supplier, payload.get("note")) if x),
        "currency_code": amount.get("currency"),
        "amount": (amount.get("value") or 0)
        / 10 ** ctx.currency_digits.get(amount.get("currency"), 2),
        "reconciliation_id": info.get("reconciliationId"),
    }
