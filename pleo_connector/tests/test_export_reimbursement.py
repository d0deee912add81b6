# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Level 1: an out-of-pocket expense and its reimbursement are reconciled on the
employee's account when both are booked, whichever arrives first."""

from odoo.tests import tagged

from .common_export import PleoExportCase


@tagged("post_install", "-at_install")
class TestExportReimbursement(PleoExportCase):
    def _employee_lines(self, moves):
        return moves.line_ids.filtered(lambda x: x.account_id.code == "230000")

    def _assert_settled(self, expense, reimbursement):
        lines = self._employee_lines(expense | reimbursement)
        self.assertEqual(len(lines), 2)
        self.assertTrue(all(lines.mapped("reconciled")))
        self.assertTrue(lines.full_reconcile_id)
        self.assertEqual(len(lines.full_reconcile_id), 1)
        self.assertEqual(lines.partner_id.name, "Lars Nielsen")
        self.assertEqual(sum(lines.mapped("balance")), 0.0)

    def _payloads(self, job):
        exports = self.sandbox.state.exports
        data = exports.get(job["id"])
        return [exports.build(data, n, self.sandbox.url) for n in range(data.count)]

    def test_same_job_posted(self):
        self.connection.export_posting = "posted"
        self.new_job(["out_of_pocket_dkk", "reimbursement_dkk"])
        self.run_export()
        expense, reimbursement = self.moves()
        self.assertEqual(
            reimbursement.pleo_reconciled_entries, expense.pleo_reconciliation_id
        )
        self._assert_settled(expense, reimbursement)

    def test_reimbursement_booked_before_the_expense(self):
        self.connection.export_posting = "posted"
        job = self.new_job(["out_of_pocket_dkk", "reimbursement_dkk"])
        expense_payload, reimbursement_payload = self._payloads(job)
        client = self.connection._pleo_client()
        self.addCleanup(client.close)
        first = self.connection._pleo_export_book_page(client, [reimbursement_payload])
        reimbursement = first[reimbursement_payload["accountingEntryId"]]["move"]
        # Nothing to settle yet: the employee line waits, open.
        self.assertFalse(self._employee_lines(reimbursement).reconciled)
        later = self.connection._pleo_export_book_page(client, [expense_payload])
        expense = later[expense_payload["accountingEntryId"]]["move"]
        self._assert_settled(expense, reimbursement)

    def test_draft_entries_reconcile_when_both_are_posted(self):
        self.new_job(["out_of_pocket_dkk", "reimbursement_dkk"])
        self.run_export()
        expense, reimbursement = self.moves()
        reimbursement.action_post()
        self.assertFalse(self._employee_lines(reimbursement).reconciled)
        expense.action_post()
        self._assert_settled(expense, reimbursement)

    def test_only_the_settled_expense_is_reconciled(self):
        self.connection.export_posting = "posted"
        self.new_job(["out_of_pocket_dkk", "out_of_pocket_dkk", "reimbursement_dkk"])
        self.run_export()
        unrelated, expense, reimbursement = self.moves()
        self._assert_settled(expense, reimbursement)
        self.assertFalse(self._employee_lines(unrelated).reconciled)
