# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Level 1: an out-of-pocket expense and the reimbursement that settles it.

Both are booked on the out-of-pocket account with the employee as partner; Pleo
names the settled expenses in the reimbursement's
``additionalInformation.reconciledEntries`` (their book IDs). The two entries
arrive in any order, in the same job or months apart, and may be posted by
hand later: whenever one of them is posted, the open employee lines of both
are reconciled, so the employee's balance shows what is really still owed.
"""

from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"  # pylint: disable=consider-merging-classes-inherited

    pleo_reconciliation_id = fields.Char(
        string="Pleo Book ID",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Pleo's reconciliationId (the book ID of the expense).",
    )
    pleo_reconciled_entries = fields.Char(
        string="Settles Pleo Expenses",
        readonly=True,
        copy=False,
        help="Book IDs of the expenses this reimbursement settles, comma-separated.",
    )

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted.filtered("pleo_reconciliation_id")._pleo_reconcile_reimbursements()
        return posted

    def _pleo_settled_book_ids(self):
        return {b for b in (self.pleo_reconciled_entries or "").split(",") if b}

    def _pleo_reimbursement_partners(self, employees):
        """The other side of each move: the expenses a reimbursement settles,
        or the reimbursements that settle an expense (among the entries of
        the same employees, which keeps the text search small)."""
        others = self.browse()
        for move in self:
            domain = [
                ("pleo_connection_id", "=", move.pleo_connection_id.id),
                ("state", "=", "posted"),
                ("line_ids.partner_id", "in", employees.ids),
            ]
            settled = move._pleo_settled_book_ids()
            if settled:
                others |= self.search(
                    [*domain, ("pleo_reconciliation_id", "in", list(settled))]
                )
            book_id = move.pleo_reconciliation_id
            candidates = self.search(
                [*domain, ("pleo_reconciled_entries", "ilike", book_id)]
            )
            others |= candidates.filtered(
                lambda m, b=book_id: b in m._pleo_settled_book_ids()
            )
        return others

    def _pleo_reconcile_reimbursements(self):
        """Reconcile the open out-of-pocket lines of these moves with those of
        their counterparts, per employee."""
        for move in self.filtered(lambda m: m.state == "posted"):
            account = move.pleo_connection_id.export_out_of_pocket_account_id
            if not account.reconcile:
                continue
            # Only an entry with an open employee line has something to settle
            # (card purchases have none): no search for the others.
            open_lines = move.line_ids.filtered(
                lambda x, a=account: x.account_id == a and not x.reconciled
            )
            if not open_lines:
                continue
            others = move._pleo_reimbursement_partners(open_lines.partner_id)
            if not others:
                continue
            lines = (move | others).line_ids.filtered(
                lambda x, a=account: x.account_id == a and not x.reconciled
            )
            for partner in lines.partner_id:
                mine = lines.filtered(lambda x, p=partner: x.partner_id == p)
                if mine.filtered(lambda x: x.balance > 0) and mine.filtered(
                    lambda x: x.balance < 0
                ):
                    mine.reconcile()
