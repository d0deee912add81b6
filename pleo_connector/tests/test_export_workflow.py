# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Level 1 workflow: exactly once, resume, locks, periods, faults, tokens."""

from contextlib import contextmanager, suppress
from datetime import date, timedelta
from unittest.mock import patch

import requests

from odoo.addons.pleo_connector.models.pleo_connection_export import (
    EXPORT_LOCK_CLASS,
)
from odoo.addons.pleo_connector.pleo import PleoClient, errors
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_export import PleoExportCase


@tagged("post_install", "-at_install")
class TestExportWorkflow(PleoExportCase):
    def test_rerun_books_nothing_twice(self):
        job = self.new_job(["card_meal_dkk", "refund_dkk", "out_of_pocket_dkk"])
        self.run_export()
        first = self.moves()
        self.assertEqual(len(first), 3)
        # A second run finds no job; booking the same payloads again finds the
        # existing moves through the idempotency key.
        self.assertEqual(self.run_export(), 0)
        store = self.sandbox.state.exports
        payloads = [
            store.build(store.get(job["id"]), n, self.sandbox.url) for n in range(3)
        ]
        client = self.connection._pleo_client()
        outcomes = self.connection._pleo_export_book_page(client, payloads)
        self.assertEqual(
            {o["move"] for o in outcomes.values()}, set(first), "same moves"
        )
        self.assertEqual(self.moves(), first)
        for move in first:
            self.assertEqual(
                len(self.attachments(move)), len(move.pleo_accounting_entry_id and [1])
            )

    def test_crash_between_booking_and_report_resumes_without_duplicates(self):
        job = self.new_job(["card_meal_dkk", "card_hotel_eur", "wallet_topup_dkk"])
        real = PleoClient.update_export_job_items
        calls = {"n": 0}

        def crash_once(client, job_id, updates):
            calls["n"] += 1
            if calls["n"] == 1:
                raise errors.PleoServerError("gateway died", status=502)
            return real(client, job_id, updates)

        with patch.object(PleoClient, "update_export_job_items", crash_once):
            self.run_export()
            booked = self.moves()
            items = self.env["pleo.export.item"].search([])
            self.assertEqual(len(booked), 3, items.mapped("failure_reason"))
            items = self.env["pleo.export.item"].search([])
            self.assertEqual(set(items.mapped("state")), {"booked"})
            self.assertEqual(self.sandbox_job(job["id"])["status"], "in_progress")
            self.assertEqual(self.connection.state, "attention")
            started = self.sandbox.request_counts()
            # Resume: no second 'started', the moves are found and reported.
            self.run_export()
        self.assertEqual(self.moves(), booked)
        self.assertEqual(self.sandbox_job(job["id"])["status"], "completed")
        rows = self.reported(job["id"])
        self.assertEqual(
            sorted(r["externalId"] for r in rows), sorted(str(m.id) for m in booked)
        )
        self.assertEqual(set(items.mapped("state")), {"successful"})
        self.assertEqual(self.connection.state, "connected")
        after = self.sandbox.request_counts()
        self.assertEqual(
            _count(after, "POST /v3/export-job-events"),
            _count(started, "POST /v3/export-job-events") + 1,  # only 'completed'
        )

    def test_report_taken_but_answer_lost_is_caught_up_on_resume(self):
        """Pleo took the page's report but its answer never arrived (the run
        stopped before it could note it): the resumed run takes Pleo's final
        items as reported, and books and reports nothing again."""
        job = self.new_job(["card_meal_dkk", "refund_dkk", "fee_fx_dkk"])
        real = PleoClient.update_export_job_items

        def taken_then_lost(client, job_id, updates):
            real(client, job_id, updates)
            raise errors.PleoConnectionError("read timed out")

        with patch.object(PleoClient, "update_export_job_items", taken_then_lost):
            self.run_export()
        booked = self.moves()
        items = self.env["pleo.export.item"].search([])
        self.assertEqual(set(items.mapped("state")), {"booked"})
        self.assertEqual(self.sandbox_job(job["id"])["status"], "in_progress")
        before = self.sandbox.request_counts()
        self.assertEqual(_count(before, "PUT /v3/export-jobs"), 1)
        self.run_export()
        after = self.sandbox.request_counts()
        self.assertEqual(self.moves(), booked)
        self.assertEqual(set(items.mapped("state")), {"successful"})
        self.assertTrue(all(items.mapped("reported_at")))
        self.assertEqual(self.sandbox_job(job["id"])["status"], "completed")
        self.assertEqual(
            _count(after, "PUT /v3/export-jobs"), _count(before, "PUT /v3/export-jobs")
        )
        self.assertEqual(len(self.reported(job["id"])), 3)

    def test_refused_batch_is_booked_page_by_page_keeping_its_progress(self):
        """Odoo refuses an entry of a batch of three pages: the batch is booked
        again page by page, each page reported on its own, and only the
        refused page item by item. A worker stopped during that page has the
        first one in Pleo already; the next run books the rest, none twice."""
        job = self.new_job(["card_meal_dkk", "refund_dkk", "fee_fx_dkk"])
        store = self.sandbox.state.exports
        entries = [
            store.build(store.get(job["id"]), n, self.sandbox.url)["accountingEntryId"]
            for n in range(3)
        ]
        Connection = type(self.connection)
        real = Connection._pleo_export_create_moves

        def refuse_second(connection, prepared, ctx):
            if any(p["accountingEntryId"] == entries[1] for p, _v, _f in prepared):
                raise UserError(connection.env._("The partner is blocked."))
            return real(connection, prepared, ctx)

        def stopped(*args):
            raise _WorkerStopped

        with (
            _one_item_pages(self.connection, batch_items=3),
            patch.object(Connection, "_pleo_export_create_moves", refuse_second),
        ):
            # Not assertRaises: Odoo's rolls back what the block did, which
            # the run had committed page by page.
            with (
                patch.object(Connection, "_pleo_export_create_one", stopped),
                suppress(_WorkerStopped),
            ):
                self.run_export()
            first = [
                (r["accountingEntryId"], r["status"]) for r in self.reported(job["id"])
            ]
            self.assertEqual(first, [(entries[0], "successful")])
            self.run_export()
        booked = self.moves()
        self.assertEqual(
            booked.mapped("pleo_accounting_entry_id"), [entries[0], entries[2]]
        )
        reports = self.reported(job["id"])
        self.assertEqual(
            [(r["accountingEntryId"], r["status"]) for r in reports],
            [
                (entries[0], "successful"),
                (entries[1], "failed"),
                (entries[2], "successful"),
            ],
        )
        self.assertIn("The partner is blocked.", reports[1]["failureReason"])
        self.assertEqual(self.sandbox_job(job["id"])["status"], "completed_with_errors")
        # Each receipt was downloaded once, though its batch was booked twice.
        downloads = _count(self.sandbox.request_counts(), "GET /_files")
        self.assertEqual(downloads, 3)

    def test_job_expired_in_pleo_is_mirrored(self):
        job = self.new_job(["card_meal_dkk", "fee_fx_dkk"])
        with patch.object(
            PleoClient,
            "update_export_job_items",
            side_effect=errors.PleoServerError("down", status=503),
        ):
            self.run_export()
        requests.post(
            f"{self.sandbox.url}/_sandbox/jobs/{job['id']}/expire", timeout=10
        ).raise_for_status()
        self.assertEqual(self.sandbox_job(job["id"])["status"], "failed")
        self.run_export()
        local = self.env["pleo.export.job"].search([("pleo_job_id", "=", job["id"])])
        self.assertEqual(local.state, "failed")
        self.assertEqual(local.failure_reason_type, "job_expired")
        # Booked entries stay booked, shown as booked after the close (found and
        # reported by the next export), never twice.
        self.assertEqual(set(local.item_ids.mapped("state")), {"booked_job_closed"})
        self.assertEqual(len(self.moves()), 2)

    def test_crash_mid_job_resumes_remaining_items(self):
        kinds = ["card_meal_dkk", "refund_dkk", "fee_fx_dkk", "wallet_unload_dkk"]
        job = self.new_job(kinds)
        # One page and batch per item; the crash happens after the second one
        # is booked.
        with _one_item_pages(self.connection):
            with _report_fails_on_call(2):
                self.run_export()
            self.assertEqual(len(self.moves()), 2)
            self.run_export()
        self.assertEqual(len(self.moves()), 4)
        rows = self.reported(job["id"])
        self.assertEqual([r["status"] for r in rows], ["successful"] * 4)
        self.assertEqual(self.sandbox_job(job["id"])["status"], "completed")

    def test_resumed_job_reads_on_from_its_saved_cursor(self):
        """A run stopped after two of four pages resumes at the third: the
        pages already reported are not read again."""
        kinds = ["card_meal_dkk", "refund_dkk", "fee_fx_dkk", "wallet_unload_dkk"]
        job = self.new_job(kinds)
        with _one_item_pages(self.connection):
            with _report_fails_on_call(3):
                self.run_export()
            local = self.env["pleo.export.job"].search(
                [("pleo_job_id", "=", job["id"])]
            )
            self.assertTrue(local.resume_cursor)
            before = self.sandbox.request_counts()
            self.run_export()
        after = self.sandbox.request_counts()
        self.assertEqual(len(self.moves()), 4)
        rows = self.reported(job["id"])
        self.assertEqual([r["status"] for r in rows], ["successful"] * 4)
        self.assertEqual(self.sandbox_job(job["id"])["status"], "completed")
        # Pages 3 and 4 only: pages 1 and 2 are not read again.
        self.assertEqual(
            _count(after, "GET /v3/export-items")
            - _count(before, "GET /v3/export-items"),
            2,
        )

    def test_refused_cursor_reads_the_job_from_its_start(self):
        job = self.new_job(["card_meal_dkk", "refund_dkk"])
        with patch.object(
            PleoClient,
            "update_export_job_items",
            side_effect=errors.PleoServerError("down", status=503),
        ):
            self.run_export()
        local = self.env["pleo.export.job"].search([("pleo_job_id", "=", job["id"])])
        local.resume_cursor = "AAAA"  # a cursor Pleo does not know
        self.run_export()
        self.assertEqual(len(self.moves()), 2)
        self.assertEqual(self.sandbox_job(job["id"])["status"], "completed")
        self.assertNotEqual(local.resume_cursor, "AAAA")

    def test_closed_period_first_open_date(self):
        lock = date.today() - timedelta(days=1)
        self.company.sudo().fiscalyear_lock_date = lock
        self.new_job(["card_hotel_eur"])  # dated 9 days ago
        self.run_export()
        move = self.moves()
        self.assertEqual(len(move), 1)
        self.assertGreater(move.date, lock)

    def test_closed_period_fail_strategy(self):
        self.connection.export_closed_period = "fail"
        self.company.sudo().fiscalyear_lock_date = date.today() - timedelta(days=1)
        job = self.new_job(["card_hotel_eur"])
        self.run_export()
        self.assertFalse(self.moves())
        row = self.reported(job["id"])[0]
        self.assertEqual(row["status"], "failed")
        self.assertEqual(row["failureReasonType"], "validation_failure")
        self.assertIn("closed", row["failureReason"])

    def test_posted_entries(self):
        self.connection.export_posting = "posted"
        self.new_job(["card_meal_dkk", "wallet_topup_dkk"])
        self.run_export()
        self.assertEqual(set(self.moves().mapped("state")), {"posted"})

    def test_rate_limited_then_success(self):
        self.sandbox.add_fault(
            status=429, path_prefix="/v3/export-items", count=1, retry_after=0
        )
        job = self.new_job(["card_meal_dkk"])
        self.run_export()
        self.assertEqual(len(self.moves()), 1)
        self.assertEqual(self.sandbox_job(job["id"])["status"], "completed")
        self.assertEqual(self.sandbox.request_counts()["statuses"].get("429"), 1)

    def test_revoked_authorisation_stops_in_reauth(self):
        job = self.new_job(["card_meal_dkk"])
        self.connection.sudo().write(
            {
                "auth_method": "oauth",
                "client_id": self.sandbox.client_id,
                "client_secret": self.sandbox.client_secret,
                "access_token": "expired",
                "refresh_token": "spent-refresh-token",
                "token_expires_at": 0,
            }
        )
        self.run_export()
        self.assertEqual(self.connection.state, "reauth")
        self.assertFalse(self.moves())
        self.assertEqual(self.sandbox_job(job["id"])["status"], "pending")
        # Not a loop of failures: the cron skips the connection now.
        self.assertEqual(self.run_export(), 0)

    def test_concurrent_run_finds_the_lock_taken(self):
        job = self.new_job(["card_meal_dkk"])
        with self.env.registry.cursor() as other:
            other.execute(
                "SELECT pg_try_advisory_lock(%s, %s)",
                [EXPORT_LOCK_CLASS, self.connection.id],
            )
            self.assertTrue(other.fetchone()[0])
            self.assertEqual(self.run_export(), 0)
            other.execute(
                "SELECT pg_advisory_unlock(%s, %s)",
                [EXPORT_LOCK_CLASS, self.connection.id],
            )
        self.assertEqual(self.sandbox_job(job["id"])["status"], "pending")
        self.assertFalse(self.moves())

    def test_company_mismatch_fails_the_job_and_books_nothing(self):
        job = self.new_job(["card_meal_dkk"])
        with patch.object(PleoClient, "list_export_jobs", _other_company_jobs):
            self.run_export()
        remote = self.sandbox_job(job["id"])
        self.assertEqual(remote["status"], "failed")
        self.assertEqual(remote["failureReasonType"], "invalid_configuration")
        self.assertFalse(self.moves())
        self.assertEqual(self.connection.state, "attention")
        local = self.env["pleo.export.job"].search([("pleo_job_id", "=", job["id"])])
        self.assertEqual(local.state, "failed")

    def test_missing_journal_fails_with_missing_configuration(self):
        self.connection.export_journal_id = False
        job = self.new_job(["card_meal_dkk"])
        self.run_export()
        remote = self.sandbox_job(job["id"])
        self.assertEqual(remote["status"], "failed")
        self.assertEqual(remote["failureReasonType"], "missing_configuration")
        self.assertIn("Journal", remote["failureReason"])

    def test_webhook_triggers_the_cron_and_sync_now(self):
        cron = self.env.ref("pleo_connector.ir_cron_pleo_export")
        before = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        handled = self.connection._pleo_handle_webhook(
            "v1.export-job.created", {"id": "x", "status": "pending"}
        )
        self.assertTrue(handled)
        after = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        self.assertEqual(after, before + 1)
        self.new_job(["fee_fx_dkk"])
        action = self.connection.action_pleo_export_sync_now()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(len(self.moves()), 1)


def _count(counts, key):
    return sum(n for name, n in counts["counts"].items() if name.startswith(key))


def _report_fails_on_call(n):
    """Pleo times out on the n-th item report of the run (one per page)."""
    real = PleoClient.update_export_job_items
    calls = {"n": 0}

    def fail_nth(client, job_id, updates):
        calls["n"] += 1
        if calls["n"] == n:
            raise errors.PleoServerError("timeout", status=504)
        return real(client, job_id, updates)

    return patch.object(PleoClient, "update_export_job_items", fail_nth)


@contextmanager
def _one_item_pages(connection, batch_items=1):
    """Pages of one item, booked in batches of `batch_items` pages."""
    init = PleoClient.__init__

    def small_pages(self, *args, **kwargs):
        kwargs["page_size"] = 1
        init(self, *args, **kwargs)

    with (
        patch.object(PleoClient, "__init__", small_pages),
        patch.object(type(connection), "_pleo_export_batch_items", batch_items),
    ):
        yield


class _WorkerStopped(BaseException):
    """Odoo's time limit stopping the worker: nothing in the run catches it."""


_real_list_jobs = PleoClient.list_export_jobs


def _other_company_jobs(client, statuses=("pending",)):
    """The jobs as if Pleo had sent another company's."""
    for job in _real_list_jobs(client, statuses=statuses):
        yield dict(job, companyId="00000000-0000-0000-0000-000000000001")
