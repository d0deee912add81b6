# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Level 1 export run: claim and lock, validate, job lifecycle, paging, reporting.

One job at a time, oldest first, under a session advisory lock; Pleo's pages
are grouped into batches (services/export_batches.py), each booked
(pleo_connection_export_booking.py), recorded, committed, then reported to Pleo.
"""

import itertools
import logging
import time
from contextlib import contextmanager

import psycopg2

from odoo import _, fields, models, modules, tools

from ..pleo import errors
from ..services.export_batches import (
    MAX_BATCH_ITEMS,
    BatchSizer,
    booking_batches,
    receipt_urls,
)
from ..services.export_items import (
    MAX_DOWNLOAD_ATTEMPTS,
    deferred_outcome,
    download_given_up,
    item_summary,
    pleo_datetime,
    pleo_iso,
)
from .pleo_connection_export import EXPORT_LOCK_CLASS
from .pleo_connection_export_booking import PleoBatchRefused
from .pleo_export_labels import KNOWN_ITEM_TYPES

_logger = logging.getLogger(__name__)

MAX_JOBS_PER_RUN = 20


class PleoConnection(models.Model):
    _inherit = "pleo.connection"  # pylint: disable=consider-merging-classes-inherited

    # Items booked in one create and post: Odoo's own batch size.
    _pleo_export_batch_items = MAX_BATCH_ITEMS

    # ------------------------------------------------------------------
    # The run: one job at a time, oldest first, under a lock
    # ------------------------------------------------------------------
    def _pleo_export_commit(self):
        if not (tools.config["test_enable"] or modules.module.current_test):
            self.env.cr.commit()  # pylint: disable=invalid-commit
            if self.env.context.get("pleo_cron"):
                # Pages are committed as they go: a run the worker limit stops
                # resumes from them, and Odoo reschedules it at once.
                self._pleo_cron_progress(remaining=1)

    @contextmanager
    def _pleo_export_lock(self):
        """Session advisory lock: concurrent workers never run the same connection.

        A session lock survives the commits made after each batch, and Postgres
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
                self._pleo_notify_failure(_("Pleo export interrupted"), message)
                self._pleo_export_job_note(seen, message)
                self._pleo_run_stopped(exc)
            finally:
                if client is not None:
                    client.close()
            self.export_last_run = fields.Datetime.now()
            self._pleo_export_commit()
            return handled

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
            # Booked but never reported: Pleo hears of them at the next export.
            job.item_ids.filtered(lambda i: i.state == "booked").write(
                {"state": "booked_job_closed"}
            )
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
                    "pleo_created_at": pleo_datetime(job_data.get("createdAt")),
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
            self._pleo_export_fail_job(client, job, *problem)
            return

        pages, done = self._pleo_export_todo(client, job, resumed)
        if done:
            self._pleo_export_catch_up(job, done)
        statuses = set(done.values())
        ctx = self._pleo_export_context()
        sizer = BatchSizer(_worker_time_limit(), self._pleo_export_batch_items)
        for batch, upcoming, next_cursor in booking_batches(pages, done, sizer):
            # The next batch's receipts download while this one is booked.
            client.start_downloads(receipt_urls(itertools.chain(*upcoming)))
            started = time.monotonic()
            batch_statuses = self._pleo_export_batch(client, job, batch, ctx)
            sizer.booked(sum(map(len, batch)), time.monotonic() - started)
            client.drop_downloads(receipt_urls(itertools.chain(*batch)))
            # Resume after this batch only while every item so far is reported:
            # an expense waiting for its receipt must be read again. Committed
            # with the next batch's bookings (or the job's end).
            if next_cursor and "deferred" not in statuses | batch_statuses:
                job.resume_cursor = next_cursor
            statuses |= batch_statuses
        if "deferred" in statuses:
            self._pleo_export_keep_open(job)
            return
        self._pleo_export_finish(client, job, "failed" in statuses)

    def _pleo_export_fail_job(self, client, job, reason_type, reason):
        """The job cannot be exported: Pleo and the job's record say why."""
        client.post_export_job_event(
            job.pleo_job_id,
            "failed",
            failure_reason=reason,
            failure_reason_type=reason_type,
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
        self._pleo_notify_failure(_("Pleo export job failed"), reason)
        self._pleo_export_commit()

    def _pleo_export_finish(self, client, job, failed_any):
        """Every item is final: close the job in Pleo and in Odoo."""
        final = "completed_with_errors" if failed_any else "completed"
        client.post_export_job_event(job.pleo_job_id, final)
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

    def _pleo_export_todo(self, client, job, resumed):
        """The job's (cursor, page) pairs still to read, and {entry: status} of
        the items Pleo already has a final status for (the control layer).

        A resumed job with a saved cursor starts at that page; without one
        (stopped on its first page, or Pleo no longer accepts the cursor) it is
        read from its start. Either way the items Pleo already holds final are
        skipped: a run stopped after reporting a page but before saving the
        cursor must not report that page twice."""
        done = {}
        if resumed:
            for status in ("successful", "failed"):
                for row in client.iter_export_job_items(job.pleo_job_id, status=status):
                    done[row["accountingEntryId"]] = status
        if resumed and job.resume_cursor:
            pages = client.iter_export_item_pages_from(
                job.pleo_job_id, after=job.resume_cursor
            )
            try:
                first = next(pages)
            except errors.PleoError as exc:
                if exc.retryable:
                    raise
                _logger.info("Pleo job %s: cursor refused (%s)", job.pleo_job_id, exc)
                job.resume_cursor = False
            else:
                return itertools.chain([first], pages), done
        return client.iter_export_item_pages_from(job.pleo_job_id), done

    def _pleo_export_keep_open(self, job):
        """Items wait for a receipt: the job stays open in Pleo (nothing is
        reported as failed) and the next run resumes it."""
        self._pleo_export_commit()
        waiting = job.item_ids.filtered(lambda i: i.state == "pending")
        job.message_post(
            body=_(
                "%(count)s expense(s) wait for a receipt that Pleo could not "
                "serve yet; the next run tries again. The job stays open.",
                count=len(waiting),
            )
        )
        self._pleo_export_commit()

    def _pleo_export_bound_attempts(self, outcomes, known, payloads):
        """Deferred outcomes -> wait again, or fail once the bound is reached."""
        for payload in payloads:
            entry = payload["accountingEntryId"]
            outcome = outcomes[entry]
            if outcome["status"] != "deferred":
                continue
            item = known.get(entry)
            attempts = (item.download_attempts if item else 0) + 1
            if attempts >= MAX_DOWNLOAD_ATTEMPTS:
                outcomes[entry] = download_given_up(outcome["error"], attempts, payload)
            else:
                outcomes[entry] = deferred_outcome(outcome["error"], attempts)

    def _pleo_export_batch(self, client, job, pages, ctx):
        """Book a batch of pages of items (services/export_batches.py), record
        it, commit, report it to Pleo.

        One commit a batch: Odoo empties its record cache at every commit, and
        the next batch's booking reads accounts, taxes and journals again. What
        Pleo answers is written after the commit and committed with the next
        batch (or the job's end); a run stopped before that is caught up from
        Pleo's final items when the job resumes (`_pleo_export_catch_up`).

        A batch of several pages that Odoo refuses is undone and booked again
        page by page, each page committed and reported on its own: only one
        page is ever booked item by item, so a run that Odoo's time limit stops
        keeps its progress.

        Returns the set of the batch's outcome statuses."""
        payloads = list(itertools.chain(*pages))
        try:
            with self.env.cr.savepoint():
                outcomes = self._pleo_export_book_page(
                    client, payloads, ctx, one_by_one=len(pages) == 1
                )
        except PleoBatchRefused as exc:
            _logger.info(
                "Pleo batch of %s pages refused (%s); booking it page by page",
                len(pages),
                exc,
            )
            statuses = set()
            for page in pages:
                statuses |= self._pleo_export_batch(client, job, [page], ctx)
            return statuses
        entry_ids = [p["accountingEntryId"] for p in payloads]
        known = {
            i.accounting_entry_id: i
            for i in self.env["pleo.export.item"].search(
                [("job_id", "=", job.id), ("accounting_entry_id", "in", entry_ids)]
            )
        }
        self._pleo_export_bound_attempts(outcomes, known, payloads)
        # Record what was booked before telling Pleo: a crash from here on leaves
        # 'booked' items that the next run finds and reports.
        items = self._pleo_export_record(job, payloads, outcomes, known, ctx)
        self._pleo_export_commit()
        self._pleo_export_report(client, job, payloads, outcomes, items)
        return {o["status"] for o in outcomes.values()}

    def _pleo_export_record(self, job, payloads, outcomes, known, ctx):
        """The batch's queue records: `known` ones updated, the others created."""
        Item = self.env["pleo.export.item"]
        new_vals = []
        for payload in payloads:
            entry = payload["accountingEntryId"]
            outcome = outcomes[entry]
            if entry in known:
                known[entry]._pleo_apply_outcome(outcome, reported=False)
                continue
            vals = item_summary(payload, ctx, KNOWN_ITEM_TYPES)
            vals.update(job_id=job.id, accounting_entry_id=entry)
            vals.update(Item._pleo_outcome_vals(outcome))
            new_vals.append(vals)
        return Item.create(new_vals) + Item.browse([i.id for i in known.values()])

    def _pleo_export_report(self, client, job, payloads, outcomes, items):
        """Tell Pleo each final outcome of the batch (in calls of at most 100
        items); mark the items Pleo took as reported."""
        base_url = self.get_base_url()
        updates = [
            _item_update(payload["accountingEntryId"], outcomes, base_url)
            for payload in payloads
        ]
        updates = [u for u in updates if u]
        answer = {}
        if updates:
            answer = client.update_export_job_items(job.pleo_job_id, updates) or {}
        refused = {
            e.get("accountingEntryId"): e for e in answer.get("errors") or [] if e
        }
        taken = items.filtered(lambda i: i.accounting_entry_id not in refused)
        taken._pleo_mark_reported()
        for item in items - taken:
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

    def _pleo_export_catch_up(self, job, done):
        """Items Pleo already holds final that the queue still shows unreported:
        the run that reported them stopped before it could commit. The queue
        takes Pleo's word; nothing is booked or reported again."""
        unreported = self.env["pleo.export.item"].search(
            [
                ("job_id", "=", job.id),
                ("accounting_entry_id", "in", list(done)),
                ("state", "in", ("booked", "failed")),
                ("reported_at", "=", False),
            ]
        )
        agreed = {"booked": "successful", "failed": "failed"}
        unreported.filtered(
            lambda i: done[i.accounting_entry_id] == agreed[i.state]
        )._pleo_mark_reported()


def _worker_time_limit():
    """The seconds after which Odoo stops a worker (its real-time limits for
    scheduled actions and requests), or None."""
    limits = (tools.config.get(k) for k in ("limit_time_real_cron", "limit_time_real"))
    return min((x for x in limits if x and x > 0), default=None)


def _item_update(entry, outcomes, base_url):
    """Pleo's item update for a final outcome, or None (deferred)."""
    outcome = outcomes[entry]
    if outcome["status"] == "successful":
        move = outcome["move"]
        return {
            "accountingEntryId": entry,
            "status": "successful",
            "externalId": str(move.id),
            "externalUrl": f"{base_url}/odoo/account.move/{move.id}",
            "exportedAt": pleo_iso(move.create_date),
        }
    if outcome["status"] == "failed":
        return {
            "accountingEntryId": entry,
            "status": "failed",
            "failureReasonType": outcome["failure_type"],
            "failureReason": outcome["message"][:1000],
        }
    return None
