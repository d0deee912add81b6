# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Level 1: Pleo export jobs become Odoo journal entries and vendor bills.

Exactly once: `account.move` carries (pleo_connection_id,
pleo_accounting_entry_id) under a unique constraint; every page of export items
is checked against it in one search before anything is booked, so a rerun after
a crash at any point finds the moves already booked and only reports them.

Split by job: this file holds the export settings and the entry points (cron,
Sync now, webhook); the run (claim, lock, validation, job lifecycle, paging,
reporting) is in pleo_connection_export_run.py, booking a page in
pleo_connection_export_booking.py, the mapping lookups in
pleo_connection_export_mapping.py and the wallet model in pleo_export_wallet.py.
"""

import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .pleo_access import PLEO_MANAGER, pleo_requires

_logger = logging.getLogger(__name__)

# Key of the session advisory lock: one export worker per connection.
EXPORT_LOCK_CLASS = 0x504C454F  # "PLEO"


class PleoConnection(models.Model):
    _inherit = "pleo.connection"  # pylint: disable=consider-merging-classes-inherited

    export_journal_id = fields.Many2one(
        comodel_name="account.journal",
        string="Pleo Journal",
        check_company=True,
        domain="[('type', '=', 'general')]",
        help="Journal of the entries booked from Pleo.",
    )
    export_purchase_journal_id = fields.Many2one(
        comodel_name="account.journal",
        string="Vendor Bills Journal",
        check_company=True,
        domain="[('type', '=', 'purchase')]",
        help="Journal of the vendor bills of the accounts payable method.",
    )
    export_wallet_ids = fields.One2many(
        comodel_name="pleo.export.wallet",
        inverse_name="connection_id",
        string="Wallet Accounts",
    )
    export_out_of_pocket_account_id = fields.Many2one(
        comodel_name="account.account",
        string="Out-of-Pocket Account",
        check_company=True,
        help="What the company owes employees for expenses they paid themselves.",
    )
    export_contra_account_id = fields.Many2one(
        comodel_name="account.account",
        string="Contra Account",
        check_company=True,
        help="Balancing account when neither a wallet account nor Pleo's contra "
        "account applies.",
    )
    export_expense_account_id = fields.Many2one(
        comodel_name="account.account",
        string="Default Expense Account",
        check_company=True,
        help="For expense lines Pleo sends without a category.",
    )
    export_payable_account_id = fields.Many2one(
        comodel_name="account.account",
        string="Payable Account",
        check_company=True,
        help="Payable account of vendor bills; the vendor's own when empty.",
    )
    export_posting = fields.Selection(
        selection=[("draft", "Draft"), ("posted", "Posted")],
        string="Posting",
        default="draft",
        required=True,
        help="Pleo's default is draft.",
    )
    export_closed_period = fields.Selection(
        selection=[
            ("first_open", "Book on the first open date"),
            ("fail", "Fail the item"),
        ],
        string="Closed Period",
        default="first_open",
        required=True,
    )
    export_job_ids = fields.One2many(
        comodel_name="pleo.export.job", inverse_name="connection_id"
    )
    export_last_run = fields.Datetime(readonly=True, copy=False)

    @api.model_create_multi
    def create(self, vals_list):
        connections = super().create(vals_list)
        for connection in connections:
            if not connection.export_journal_id:
                connection.export_journal_id = connection._pleo_export_journal()
            if not connection.export_purchase_journal_id:
                connection.export_purchase_journal_id = self.env[
                    "account.journal"
                ].search(
                    [
                        *self.env["account.journal"]._check_company_domain(
                            connection.company_id
                        ),
                        ("type", "=", "purchase"),
                    ],
                    limit=1,
                )
        return connections

    def _pleo_export_journal(self):
        """The company's 'PLEO' general journal, created when missing."""
        self.ensure_one()
        Journal = self.env["account.journal"].sudo()
        domain = [
            *Journal._check_company_domain(self.company_id),
            ("code", "=", "PLEO"),
        ]
        journal = Journal.search(domain, limit=1)
        if not journal:
            journal = Journal.create(
                {
                    "name": _("Pleo"),
                    "code": "PLEO",
                    "type": "general",
                    "company_id": self.company_id.id,
                }
            )
        return journal

    @pleo_requires(PLEO_MANAGER, "write")
    def action_pleo_create_export_journal(self):
        for connection in self:
            connection.export_journal_id = connection._pleo_export_journal()
        return True

    # ------------------------------------------------------------------
    # Triggers: cron, button, webhook
    # ------------------------------------------------------------------
    @api.model
    def _cron_pleo_export(self):
        for connection in self._pleo_connections_for_cron():
            if not connection._level_at_least("1"):
                continue
            try:
                connection._pleo_unattended().with_context(
                    pleo_cron=True
                )._pleo_export_run()
            except Exception:  # one connection never stops the others
                _logger.exception("Pleo export of connection %s failed", connection.id)
                self.env.cr.rollback()
        self._pleo_cron_progress(remaining=0)

    @pleo_requires(PLEO_MANAGER, "write")
    def action_pleo_export_sync_now(self):
        done = 0
        for connection in self:
            if connection.state not in ("connected", "attention"):
                raise UserError(
                    _("Connection %s is not connected to Pleo.", connection.name)
                )
            done += connection._pleo_export_run() or 0
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Pleo export"),
                "message": _("%s export job(s) processed.", done),
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _pleo_webhook_handlers(self):
        handlers = super()._pleo_webhook_handlers()
        handlers["v1.export-job.created"] = "_pleo_on_export_job_created"
        return handlers

    def _pleo_on_export_job_created(self, data):
        """A webhook is only a trigger: the cron re-reads the job from Pleo."""
        _logger.info(
            "Pleo connection %s: export job %s created", self.id, data.get("id")
        )
        self.env.ref("pleo_connector.ir_cron_pleo_export").sudo()._trigger()
