# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Correcting a booked expense: an accountant cancels, reverses or deletes its
entry, fixes the category in Pleo and exports the expense again.

An expense whose entry is live (draft or posted, not fully reversed) is never
booked twice; one whose entry is gone or undone is booked again, linked to the
old entry in the chatter. The database enforces it.
"""

import psycopg2

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_export import PleoExportCase


@tagged("post_install", "-at_install")
class TestExportCorrections(PleoExportCase):
    def _booked(self):
        job = self.new_job(["card_meal_dkk"])
        self.run_export()
        (move,) = self.moves()
        return job, move

    def _export_again(self, job):
        exports = self.sandbox.state.exports
        again = exports.create(None, refs=[(exports.get(job["id"]), 0)])
        self.run_export()
        return again

    def test_a_live_entry_is_never_booked_twice(self):
        job, move = self._booked()
        again = self._export_again(job)
        self.assertEqual(self.moves(), move)
        (row,) = self.reported(again.id)
        self.assertEqual(
            (row["status"], row["externalId"]), ("successful", str(move.id))
        )

    def test_a_reversed_entry_is_booked_again_and_linked(self):
        job, move = self._booked()
        move._reverse_moves(cancel=True)
        self.assertFalse(move.pleo_live)
        again = self._export_again(job)
        new = self.moves().filtered(lambda m: m.pleo_live)
        self.assertEqual(len(new), 1)
        self.assertNotEqual(new, move)
        self.assertEqual(new.pleo_accounting_entry_id, move.pleo_accounting_entry_id)
        (row,) = self.reported(again.id)
        self.assertEqual(row["externalId"], str(new.id))
        self.assertRegex(new.message_ids[0].body, f"data-oe-id=[\"']{move.id}[\"']")
        self.assertRegex(move.message_ids[0].body, f"data-oe-id=[\"']{new.id}[\"']")

    def test_a_cancelled_entry_is_booked_again(self):
        self.connection.export_posting = "draft"
        job, move = self._booked()
        move.button_cancel()
        self._export_again(job)
        live = self.moves().filtered("pleo_live")
        self.assertEqual(len(live), 1)
        self.assertNotEqual(live, move)
        self.assertEqual(move.state, "cancel")

    def test_a_deleted_draft_is_booked_again(self):
        self.connection.export_posting = "draft"
        job, move = self._booked()
        entry = move.pleo_accounting_entry_id
        move.unlink()
        self._export_again(job)
        (new,) = self.moves()
        self.assertEqual(new.pleo_accounting_entry_id, entry)

    def test_a_partly_reversed_entry_stays_live(self):
        job, move = self._booked()
        reversal = move._reverse_moves()
        reversal.line_ids.filtered(lambda x: x.debit).debit -= 1  # not the whole
        reversal.line_ids.filtered(lambda x: x.credit)[:1].credit -= 1
        reversal.action_post()
        self.assertTrue(move.pleo_live)
        self._export_again(job)
        self.assertEqual(self.moves().filtered("pleo_live"), move)

    def test_the_database_refuses_a_second_live_entry(self):
        _job, move = self._booked()
        with (
            self.assertRaises(psycopg2.IntegrityError),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            move.copy(
                {
                    "pleo_connection_id": self.connection.id,
                    "pleo_accounting_entry_id": move.pleo_accounting_entry_id,
                }
            ).flush_recordset()
        if move.state == "posted":
            move.button_draft()
        move.button_cancel()
        copy = move.copy(
            {
                "pleo_connection_id": self.connection.id,
                "pleo_accounting_entry_id": move.pleo_accounting_entry_id,
            }
        )
        copy.flush_recordset()
        self.assertTrue(copy.pleo_live)
