# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The queue glue: the crons enqueue, one job per connection and kind runs at a
time, connections run side by side, and Pleo outages become queue_job retries.

HttpCase puts the registry in test mode, so the jobs' own cursor (allow_commit)
wraps the test's transaction instead of committing to the database.
"""

from contextlib import contextmanager

from odoo import fields
from odoo.addons.pleo_connector.models.pleo_connection_export import (
    EXPORT_LOCK_CLASS,
)
from odoo.addons.pleo_connector.tests.common_export import (
    PleoExportCase,
    SandboxServer,
)
from odoo.addons.pleo_connector.tests.test_access_matrix import (
    MATRIX,
    _addon_public_methods,
)
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.sql_db import db_connect
from odoo.tests import HttpCase, tagged

from ..models.pleo_connection import SYNC_LOCK_CLASS


@tagged("post_install", "-at_install")
class TestQueueJob(PleoExportCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The scheduled actions run as the superuser.
        cls.Connection = cls.env["pleo.connection"].sudo()
        cls.company_b = cls.env["res.company"].create({"name": "Pleo Queue B"})
        # Connection B is another Pleo company: a Pleo of its own.
        cls.sandbox_b = SandboxServer(
            port=0, seed="none", company_id="5b1c0e52-0c0e-4c1b-9f3e-00000000000b"
        )
        cls.sandbox_b.start()
        cls.addClassCleanup(cls.sandbox_b.stop)
        cls.connection_b = cls.Connection.create(
            {
                "name": "Pleo B",
                "company_id": cls.company_b.id,
                "environment": "custom",
                "custom_url": cls.sandbox_b.url,
                "auth_method": "api_key",
                "api_key": cls.sandbox_b.api_key,
                "pleo_company_id": cls.sandbox_b.company_id,
                "state": "connected",
                "integration_level": "1",
            }
        )
        cls.connections = cls.connection | cls.connection_b

    def jobs(self, connection, what="export", kind=None):
        return (
            self.env["queue.job"]
            .sudo()
            .search([("identity_key", "=", connection._pleo_queue_key(what, kind))])
        )

    def perform(self, trap):
        """Perform the trapped jobs, then read what they wrote afresh."""
        try:
            trap.perform_enqueued_jobs()
        finally:
            self.env.invalidate_all()

    @staticmethod
    @contextmanager
    def other_session_lock(lock_class, connection):
        """A second database session holding `connection`'s lock, as another
        worker running its job would."""
        cr = db_connect(connection.env.cr.dbname).cursor()
        try:
            cr.execute("SELECT pg_advisory_lock(%s, %s)", [lock_class, connection.id])
            yield
        finally:
            # The session goes back to Odoo's pool: it must not keep the lock.
            cr.execute("SELECT pg_advisory_unlock_all()")
            cr.close()

    def test_cron_enqueues_one_job_per_connection_and_kind(self):
        self.connections.write(
            {"integration_level": "4", "pleo_sync_confirmed_at": fields.Datetime.now()}
        )
        before = self.sandbox.request_counts()["total"]
        with trap_jobs() as trap:
            self.Connection._cron_pleo_export()
            self.Connection._cron_pleo_sync("vendors")
            for connection in self.connections:
                trap.assert_enqueued_job(
                    connection._pleo_queue_export,
                    properties={"identity_key": connection._pleo_queue_key("export")},
                )
                trap.assert_enqueued_job(
                    connection._pleo_queue_sync,
                    args=("vendors",),
                    properties={
                        "identity_key": connection._pleo_queue_key("sync", "vendors")
                    },
                )
            mine = [j for j in trap.enqueued_jobs if j.recordset in self.connections]
            self.assertEqual(len(mine), 4)
            self.assertEqual({j.channel for j in mine}, {"root.pleo"})
        # Enqueuing sends nothing to Pleo: the jobs do.
        self.assertEqual(self.sandbox.request_counts()["total"], before)

    def test_cron_skips_a_sync_whose_preview_is_unconfirmed(self):
        self.connection.integration_level = "4"
        self.connection.pleo_sync_confirmed_at = False
        with trap_jobs() as trap:
            self.Connection._cron_pleo_sync("vendors")
            self.assertEqual(trap.jobs_count(only=self.connection._pleo_queue_sync), 0)

    def test_second_trigger_enqueues_no_duplicate(self):
        self.Connection._cron_pleo_export()
        self.Connection._cron_pleo_export()
        self.assertEqual(len(self.jobs(self.connection)), 1)
        # While that one runs, one more waits behind it, never two.
        Job = self.env["queue.job"].sudo()
        self.jobs(self.connection).with_context(
            _job_edit_sentinel=Job.EDIT_SENTINEL
        ).state = "started"
        self.Connection._cron_pleo_export()
        self.Connection._cron_pleo_export()
        jobs = self.jobs(self.connection)
        self.assertEqual(sorted(jobs.mapped("state")), ["pending", "started"])

    def test_one_job_per_connection_at_a_time_two_connections_in_parallel(self):
        self.new_job(["card_meal_dkk"])
        with trap_jobs() as trap:
            self.Connection._cron_pleo_export()
            job_a, job_b = (
                next(j for j in trap.enqueued_jobs if j.recordset == connection)
                for connection in self.connections
            )
            self.assertNotEqual(job_a.identity_key, job_b.identity_key)
            with self.other_session_lock(EXPORT_LOCK_CLASS, self.connection):
                # Connection A is busy elsewhere: its job waits, uncounted...
                with self.assertRaises(RetryableJobError) as busy:
                    job_a.perform()
                self.assertTrue(busy.exception.ignore_retry)
                self.assertFalse(self.moves())
                # ...while connection B's runs beside it.
                job_b.perform()
            job_a.perform()
        self.env.invalidate_all()
        self.assertEqual(len(self.moves()), 1)

    def test_syncs_of_a_connection_wait_for_each_other(self):
        self.connection.write(
            {"integration_level": "4", "pleo_sync_confirmed_at": fields.Datetime.now()}
        )
        with self.other_session_lock(SYNC_LOCK_CLASS, self.connection):
            with self.assertRaises(RetryableJobError) as busy:
                self.connection._pleo_queue_sync("vendors")
        self.assertTrue(busy.exception.ignore_retry)
        # Accounts name tax codes: they wait while a tax-code sync is queued.
        self.connection._pleo_queue_enqueue("sync", "Pleo sync", "tax_codes")
        with self.assertRaises(RetryableJobError):
            self.connection._pleo_queue_sync("accounts")

    def test_job_runs_the_real_export(self):
        job = self.new_job(["card_meal_dkk", "refund_dkk", "out_of_pocket_dkk"])
        with trap_jobs() as trap:
            self.Connection._cron_pleo_export()
            self.perform(trap)
        self.assertEqual(len(self.moves()), 3)
        self.assertEqual(self.sandbox_job(job["id"])["status"], "completed")

    def test_pleo_outage_in_the_job_is_retried(self):
        job = self.new_job(["card_meal_dkk"])
        self.sandbox.add_fault(
            status=429, path_prefix="/v3/export-jobs", count=None, retry_after=0
        )
        with trap_jobs() as trap:
            self.Connection._cron_pleo_export()
            with self.assertRaises(RetryableJobError) as outage:
                self.perform(trap)
            self.assertFalse(outage.exception.ignore_retry)
        self.assertFalse(self.moves())
        # Back up: the next attempt books the job.
        self.sandbox.clear_faults()
        self.connection._pleo_queue_export()
        self.assertEqual(len(self.moves()), 1)
        self.assertEqual(self.sandbox_job(job["id"])["status"], "completed")

    def test_the_glue_adds_no_public_method_outside_the_access_matrix(self):
        # pleo_connector's matrix finds this module too (same name prefix).
        missing = _addon_public_methods(self.registry) - set(MATRIX)
        self.assertFalse(missing, "public methods nobody decided about")
