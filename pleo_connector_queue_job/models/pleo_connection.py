# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Each connection's export run and each sync as a queue job on root.pleo.

The scheduled actions only enqueue; queue_job's runner spreads the jobs over
the server's workers, so connections run in parallel. One connection never runs
two exports (or two syncs) at once:

- an identity key per connection and kind: a trigger while a job waits adds
  none;
- a session advisory lock per connection while a job runs (the export's is
  pleo_connector's own): a job that finds it taken is postponed without
  spending a retry, so it runs after the other instead of beside it;
- the syncs of a connection run in the order of `_pleo_sync_kinds()` (Pleo
  refuses accounts naming a tax code it does not know yet).

A Pleo outage or rate limit that stops a run raises RetryableJobError after
the run has recorded (and committed) what it did, so queue_job retries with the
job function's retry pattern, or after the delay Pleo asked for.
"""

from contextlib import contextmanager

import psycopg2

from odoo import _, api, models
from odoo.addons.pleo_connector.models.pleo_connection_export import (
    EXPORT_LOCK_CLASS,
)
from odoo.addons.queue_job.exception import RetryableJobError

# Key class of the advisory lock held while one of a connection's syncs runs.
SYNC_LOCK_CLASS = 0x504C5359  # "PLSY"
# Seconds a job waits when its connection is busy; not counted as a retry.
BUSY_DELAY = 30
# Job states in which a job still has to run, or is running.
UNFINISHED = ("wait_dependencies", "pending", "enqueued", "started")


class PleoConnection(models.Model):
    _inherit = "pleo.connection"

    @api.model
    def _pleo_queue_allow_commit(self):
        """Both jobs commit their progress as they go (page by page, binding
        rows). queue_job 18.0.2 and later refuse a commit inside a job unless its
        job function allows it; earlier releases have no such field and allow it.
        """
        functions = self.env.ref(
            "pleo_connector_queue_job.job_function_pleo_export"
        ) | self.env.ref("pleo_connector_queue_job.job_function_pleo_sync")
        if "allow_commit" in functions._fields:
            functions.allow_commit = True

    # ------------------------------------------------------------------
    # The scheduled actions: enqueue, one job per connection and kind
    # ------------------------------------------------------------------
    @api.model
    def _cron_pleo_export(self):
        for connection in self._pleo_connections_for_cron():
            if connection._level_at_least("1"):
                connection._pleo_queue_enqueue("export", _("Pleo export"))

    @api.model
    def _cron_pleo_sync(self, kind):
        for connection in self._pleo_connections_due_for_sync(kind):
            connection._pleo_queue_enqueue("sync", _("Pleo sync"), kind)

    def _pleo_queue_key(self, what, kind=None):
        """Identity key of this connection's job of `what` (and sync `kind`)."""
        return f"pleo:{self.id}:{what}" + (f":{kind}" if kind else "")

    def _pleo_queue_enqueue(self, what, label, kind=None):
        self.ensure_one()
        delayable = self.with_delay(
            description=f"{label}: {self.name}" + (f" ({kind})" if kind else ""),
            identity_key=self._pleo_queue_key(what, kind),
        )
        if kind:
            return delayable._pleo_queue_sync(kind)
        return delayable._pleo_queue_export()

    # ------------------------------------------------------------------
    # The jobs
    # ------------------------------------------------------------------
    def _pleo_queue_export(self):
        """Job: this connection's export run."""
        self.ensure_one()
        stops = []
        with self._pleo_queue_lock(EXPORT_LOCK_CLASS):
            handled = (
                self._pleo_unattended()
                .with_context(pleo_queue_stops=stops)
                ._pleo_export_run()
            )
        self._pleo_queue_retry_after(stops)
        return _("%s export job(s) processed.", handled or 0)

    def _pleo_queue_sync(self, kind):
        """Job: one sync of this connection, after the syncs it needs."""
        self.ensure_one()
        if not (
            self._pleo_usable()
            and kind in self._pleo_sync_kinds()
            and self.pleo_sync_adopted
        ):
            return _("Nothing to do: the connection no longer runs this sync.")
        if self._pleo_queue_earlier_syncs(kind):
            raise RetryableJobError(
                _("Waiting for this connection's earlier syncs."),
                seconds=BUSY_DELAY,
                ignore_retry=True,
            )
        stops = []
        with self._pleo_queue_lock(SYNC_LOCK_CLASS):
            log = (
                self._pleo_unattended()
                .with_context(pleo_cron=True, pleo_queue_stops=stops)
                ._pleo_sync(kind)
            )
            # What was pushed is bound before a retry rolls anything back.
            self.with_context(pleo_cron=True)._pleo_commit()
        self._pleo_queue_retry_after(stops)
        return _("Sync %(kind)s: %(state)s.", kind=kind, state=log.state)

    def _pleo_queue_earlier_syncs(self, kind):
        """How many syncs that must run before `kind` are still queued."""
        kinds = self._pleo_sync_kinds()
        keys = [self._pleo_queue_key("sync", k) for k in kinds[: kinds.index(kind)]]
        if not keys:
            return 0
        return (
            self.env["queue.job"]
            .sudo()
            .search_count([("identity_key", "in", keys), ("state", "in", UNFINISHED)])
        )

    @contextmanager
    def _pleo_queue_lock(self, lock_class):
        """Session advisory lock of this connection, or a postponed job.

        pleo_connector's export run takes the same lock again inside: Postgres
        counts a session's locks, so the nested take succeeds.
        """
        cr = self.env.cr
        cr.execute("SELECT pg_try_advisory_lock(%s, %s)", [lock_class, self.id])
        if not cr.fetchone()[0]:
            raise RetryableJobError(
                _("Another worker is running this connection; trying again later."),
                seconds=BUSY_DELAY,
                ignore_retry=True,
            )
        unlock = "SELECT pg_advisory_unlock(%s, %s)"
        try:
            yield
        finally:
            try:
                cr.execute(unlock, [lock_class, self.id])
            except psycopg2.Error:
                # An aborted transaction refuses queries; the session lock must
                # not outlive the job on a pooled connection.
                cr.rollback()
                cr.execute(unlock, [lock_class, self.id])

    # ------------------------------------------------------------------
    # Retries
    # ------------------------------------------------------------------
    def _pleo_run_stopped(self, exc):
        stops = self.env.context.get("pleo_queue_stops")
        # Outages and rate limits pass; a refused credential or a bad
        # request needs a person, and is already in front of one.
        if stops is not None and getattr(exc, "retryable", False):
            stops.append(exc)
        return super()._pleo_run_stopped(exc)

    @api.model
    def _pleo_queue_retry_after(self, stops):
        if not stops:
            return
        exc = stops[-1]
        raise RetryableJobError(
            _("Pleo is unavailable (%s); the job is retried.", exc),
            # Pleo's Retry-After when it sent one, else the job's retry pattern.
            seconds=getattr(exc, "retry_after", None) or None,
        )
