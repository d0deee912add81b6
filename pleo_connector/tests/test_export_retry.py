# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Level 1: Retry of an item whose export job Pleo already closed books it,
says so, shows it as such, and Pleo hears of it at the next export."""

from odoo.tests import tagged

from .common_export import PleoExportCase


@tagged("post_install", "-at_install")
class TestExportRetryAfterClose(PleoExportCase):
    def _failed_item_of_closed_job(self):
        self.taxes["VAT19"].pleo_code = False
        job = self.new_job(["card_hotel_eur", "card_meal_dkk"])
        self.run_export()
        self.assertEqual(self.sandbox_job(job["id"])["status"], "completed_with_errors")
        local = self.env["pleo.export.job"].search([("pleo_job_id", "=", job["id"])])
        item = local.item_ids.filtered(lambda i: i.state == "failed")
        self.assertEqual(len(item), 1)
        self.taxes["VAT19"].pleo_code = "VAT19"
        return job, local, item

    def _assert_counters_add_up(self, job):
        self.assertEqual(
            job.item_count,
            job.successful_count
            + job.failed_count
            + job.pending_count
            + job.booked_job_closed_count
            + job.abandoned_count,
        )

    def test_retry_tells_what_happens_and_shows_it(self):
        _job, local, item = self._failed_item_of_closed_job()
        action = item.action_retry()
        self.assertEqual(action["tag"], "display_notification")
        message = action["params"]["message"]
        self.assertIn("1 item(s) booked", message)
        self.assertIn("exported again from Pleo", message)
        self.assertEqual(item.state, "booked_job_closed")
        labels = dict(item._fields["state"]._description_selection(self.env))
        self.assertEqual(labels[item.state], "Booked after Pleo closed the job")
        self.assertTrue(item.move_id)
        local.invalidate_recordset()
        self.assertEqual(
            (local.successful_count, local.failed_count, local.pending_count),
            (1, 0, 0),
        )
        self.assertEqual(local.booked_job_closed_count, 1)
        self._assert_counters_add_up(local)
        self.assertIn("exported again", local.message_ids[0].body)

    def test_pleo_hears_of_it_when_exported_again(self):
        job, _local, item = self._failed_item_of_closed_job()
        item.action_retry()
        move = item.move_id
        exports = self.sandbox.state.exports
        again = exports.create(None, refs=[(exports.get(job["id"]), 0)])
        self.run_export()
        row = self.reported(again.id)[0]
        self.assertEqual(row["status"], "successful")
        self.assertEqual(row["externalId"], str(move.id))
        self.assertEqual(len(self.moves()), 2)  # nothing booked twice

    def test_counters_of_a_job_left_open_add_up(self):
        self.sandbox.add_fault(status=503, path_prefix="/_files/", count=None)
        job = self.new_job(["card_meal_dkk"])
        self.run_export()  # the receipt waits: the job stays open in Pleo
        self.sandbox.clear_faults()
        local = self.env["pleo.export.job"].search([("pleo_job_id", "=", job["id"])])
        self.assertEqual(local.state, "in_progress")
        self._assert_counters_add_up(local)
        self.assertEqual(local.pending_count, 1)
