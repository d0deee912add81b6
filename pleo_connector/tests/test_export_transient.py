# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Level 1: a receipt Pleo cannot serve for a while (5xx, 429, dropped
connection) keeps its item waiting for the next run, without telling Pleo it
failed, up to a bound; then the item fails with a sentence an accountant reads."""

from unittest.mock import patch

from odoo.addons.pleo_connector.pleo import PleoClient
from odoo.addons.pleo_connector.services.export_items import MAX_DOWNLOAD_ATTEMPTS
from odoo.tests import tagged

from .common_export import PleoExportCase


def _no_backoff(init):
    """The client still retries within a run, without the seconds of backoff."""

    def wrapper(self, *args, **kwargs):
        kwargs["backoff_factor"] = 0
        init(self, *args, **kwargs)

    return wrapper


@tagged("post_install", "-at_install")
class TestExportTransientReceipts(PleoExportCase):
    def setUp(self):
        super().setUp()
        patcher = patch.object(PleoClient, "__init__", _no_backoff(PleoClient.__init__))
        patcher.start()
        self.addCleanup(patcher.stop)

    def _item(self, job, index):
        entry = self.sandbox.state.exports.get(job["id"]).entry_id(index)
        return self.env["pleo.export.item"].search(
            [("accounting_entry_id", "=", entry)]
        )

    def _local_job(self, job):
        return self.env["pleo.export.job"].search([("pleo_job_id", "=", job["id"])])

    def _pleo_status(self, job, index):
        rows = {r["index"]: r for r in self.reported(job["id"])}
        return rows.get(index, {}).get("status", "pending")

    def _assert_waits_then_books(self, **fault):
        self.sandbox.add_fault(path_prefix="/_files/", count=None, **fault)
        job = self.new_job(["card_meal_dkk", "wallet_topup_dkk"])
        self.run_export()
        waiting = self._item(job, 0)
        self.assertEqual(waiting.state, "pending")
        self.assertEqual(waiting.download_attempts, 1)
        self.assertIn("next run tries again", waiting.waiting_reason)
        self.assertFalse(waiting.failure_reason)
        # Pleo heard nothing about it; the other item is reported as booked.
        self.assertEqual(self._pleo_status(job, 0), "pending")
        self.assertEqual(self._pleo_status(job, 1), "successful")
        self.assertEqual(self.sandbox_job(job["id"])["status"], "in_progress")
        self.assertEqual(self._local_job(job).state, "in_progress")
        self.assertEqual(len(self.moves()), 1)

        self.sandbox.clear_faults()
        self.run_export()
        self.assertEqual(waiting.state, "successful")
        self.assertFalse(waiting.waiting_reason)
        self.assertEqual(len(self.attachments(waiting.move_id)), 1)
        self.assertEqual(self._pleo_status(job, 0), "successful")
        self.assertEqual(self.sandbox_job(job["id"])["status"], "completed")
        local = self._local_job(job)
        self.assertEqual(local.state, "completed")
        self.assertEqual((local.successful_count, local.failed_count), (2, 0))

    def test_server_error_waits_for_the_next_run(self):
        self._assert_waits_then_books(status=503)

    def test_rate_limit_waits_for_the_next_run(self):
        self._assert_waits_then_books(status=429, retry_after=0)

    def test_dropped_connection_waits_for_the_next_run(self):
        self._assert_waits_then_books(kind="drop")

    def test_fails_in_plain_words_after_the_bound(self):
        self.sandbox.add_fault(status=503, path_prefix="/_files/", count=None)
        job = self.new_job(["card_meal_dkk"])
        for _run in range(MAX_DOWNLOAD_ATTEMPTS - 1):
            self.run_export()
            self.assertEqual(self._pleo_status(job, 0), "pending")
        item = self._item(job, 0)
        self.assertEqual(item.download_attempts, MAX_DOWNLOAD_ATTEMPTS - 1)
        self.run_export()
        self.assertEqual(item.state, "failed")
        self.assertEqual(item.failure_reason_type, "receipt_download_failure")
        reason = item.failure_reason
        self.assertIn("could not be fetched from Pleo after 5 attempts", reason)
        self.assertIn("file service was unavailable", reason)
        for raw in ("503", "SERVICE_UNAVAILABLE", "/_files/", "GET"):
            self.assertNotIn(raw, reason)
        row = self.reported(job["id"])[0]
        self.assertEqual(row["status"], "failed")
        self.assertEqual(row["failureReason"], reason)
        self.assertEqual(self.sandbox_job(job["id"])["status"], "completed_with_errors")
        self.assertFalse(self.moves())
