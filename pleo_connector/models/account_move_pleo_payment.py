# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Level 1: a Pleo vendor bill's wallet payment follows the bill when posted.

The export books an accounts payable item as a vendor bill plus a wallet payment
entry (``pleo_settlement_move_id``). With the connection's posting set to draft
both stay draft; when an accountant posts the bill later, its wallet payment is
posted and reconciled with it here, by the very method the "posted" mode uses.
Resetting the bill to draft keeps Odoo's standard behaviour (it unreconciles).
"""

from odoo import _, models
from odoo.exceptions import UserError, ValidationError


class AccountMove(models.Model):
    _inherit = "account.move"  # pylint: disable=consider-merging-classes-inherited

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        # Only the moves really posted: with soft=True, future-dated ones wait.
        bills = posted.filtered(
            lambda m: (
                m.pleo_settlement_move_id
                and m.pleo_settlement_move_id.state != "cancel"
            )
        )
        # A wallet payment of a bill that was already posted when Pleo paid it
        # (a bill found in Odoo), posted by hand: it settles that bill now.
        # (Wallet payments are the connection's entries of no Pleo expense.)
        settlements = posted.filtered(
            lambda m: m.pleo_connection_id and not m.pleo_accounting_entry_id
        )
        if settlements:
            bills |= self.search(
                [
                    ("pleo_settlement_move_id", "in", settlements.ids),
                    ("state", "=", "posted"),
                ]
            )
        if bills:
            bills._pleo_post_wallet_payment()
        return posted

    def _pleo_post_wallet_payment(self):
        """Post each bill's Pleo wallet payment entry (if still draft) and reconcile
        their payable lines, so the bill is paid and not left open.

        Used by the export in "posted" mode and when a user posts a draft bill.
        If the payment entry cannot be posted, a UserError is raised on purpose,
        which also undoes the bill's posting: a posted but open Pleo bill would
        look unpaid and could be paid a second time, while the wallet already
        paid it. The user fixes the cause (e.g. the wallet journal) and posts again.
        """
        drafts = self.pleo_settlement_move_id.filtered(lambda m: m.state == "draft")
        if drafts:
            try:
                # One call for the page's payments; savepoint so a refusal
                # can be traced to its bill below.
                with self.env.cr.savepoint():
                    drafts.action_post()
            except (UserError, ValidationError):
                self._pleo_post_payments_one_by_one()
        plan = []
        for bill in self:
            settlement = bill.pleo_settlement_move_id
            if settlement.state != "posted":
                continue
            term = bill.line_ids.filtered(lambda x: x.display_type == "payment_term")
            lines = (term + settlement.line_ids).filtered(
                lambda x, a=term.account_id: x.account_id in a and not x.reconciled
            )
            if lines & term and lines - term:
                plan.append(lines)
        if plan:
            # One reconciliation for all: each bill with its own payment.
            self.env["account.move.line"]._reconcile_plan(plan)

    def _pleo_post_payments_one_by_one(self):
        """The batch was refused: post each payment alone, so the error names
        the bill whose payment cannot be posted."""
        for bill in self:
            settlement = bill.pleo_settlement_move_id
            if settlement.state != "draft":
                continue
            try:
                settlement.action_post()
            except (UserError, ValidationError) as exc:
                raise UserError(
                    _(
                        "The bill %(bill)s was paid from the Pleo wallet, but "
                        "its wallet payment entry %(payment)s could not be "
                        "posted, so the bill is not posted either: %(error)s",
                        bill=bill.display_name,
                        payment=settlement.display_name,
                        error=exc.args[0] if exc.args else exc,
                    )
                ) from exc
