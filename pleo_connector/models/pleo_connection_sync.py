# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Levels 2-4: master data from Odoo to Pleo, and vendors from Pleo to Odoo.

This file: the sync settings, the buttons and crons, and the runner shared by
every sync (one ``pleo.sync.log`` per run). The syncs themselves:

- ``pleo_sync_tags``: level 2, analytic plans/accounts -> tag groups/tags;
- ``pleo_sync_accounts``: level 3, purchase taxes -> tax codes, then accounts;
- ``pleo_sync_vendors``: level 4, supplier partners -> vendors;
- ``pleo_vendor_webhook``: level 4, ``v1.vendor.created`` -> a partner;
- ``pleo_sync_apply``: performing a plan and reading the bindings.

What to call is decided by ``services.sync_planner`` from three lists read in
bulk (Odoo rows, Pleo rows, bindings); the bindings keep the hash of what was
pushed, so an unchanged record costs no write call. Conflict rule: Odoo is the
source of truth (see the planner's docstring and readme/USAGE.md).
"""

import logging

from odoo import _, api, fields, models, modules, tools
from odoo.exceptions import UserError, ValidationError

from .. import compat
from ..pleo import errors
from .pleo_access import PLEO_MANAGER, pleo_requires

_logger = logging.getLogger(__name__)

MAX_TAG_GROUPS = 5
DEFAULT_ACCOUNT_DOMAIN = (
    "[('account_type', 'in', ['expense', 'expense_direct_cost', "
    "'expense_depreciation'])]"
)
# Errors about one record: logged on the run, the others go on. Anything else
# (authorisation, network, Pleo down) stops the run.
RECORD_ERRORS = (
    errors.PleoValidationError,
    errors.PleoConflict,
    errors.PleoNotFound,
    errors.PleoPayloadTooLarge,
)
BINDING_FLUSH = 500


class SyncRun:
    """Counts, failure lines and pending binding rows of one sync run."""

    def __init__(self, connection, kind):
        self.connection = connection
        self.kind = kind
        self.counts = dict.fromkeys(
            ("created", "updated", "archived", "unchanged", "failed"), 0
        )
        self.lines = []
        self.bindings = {}  # binding kind -> list of rows
        self.forget = {}  # binding kind -> res_ids
        # Filled when previewing: binding kind -> {operation: [labels]}.
        self.preview = None

    def fail(self, label, exc):
        self.counts["failed"] += 1
        message = getattr(exc, "message", None) or str(exc)
        self.lines.append(f"{label}: {message}")
        _logger.info("Pleo sync %s: %s: %s", self.kind, label, message)

    def note_plan(self, kind, plan, label):
        """Keep what `plan` will do, by record, when previewing."""
        if self.preview is None:
            return
        adopted = plan.adopted
        updates = [a for a in plan.updates + plan.unarchives if not a.adopted]
        lines = self.preview.setdefault(kind, {})
        for operation, actions in (
            ("adopt", adopted),
            ("create", plan.creates),
            ("update", updates),
            ("archive", [a for a in plan.archives if not a.adopted]),
        ):
            lines.setdefault(operation, []).extend(label(a) for a in actions)

    def bind(self, kind, row):
        self.bindings.setdefault(kind, []).append(row)
        if len(self.bindings[kind]) >= BINDING_FLUSH:
            self.flush()

    def flush(self):
        Binding = self.connection.env["pleo.binding"]
        for kind, res_ids in self.forget.items():
            Binding._pleo_forget(self.connection, kind, res_ids)
        self.forget = {}
        for kind, rows in self.bindings.items():
            Binding._pleo_upsert(self.connection, kind, rows)
        self.bindings = {}
        if self.preview is None:  # a preview is rolled back, never committed
            self.connection._pleo_commit()


class PleoConnection(models.Model):
    _inherit = "pleo.connection"  # pylint: disable=consider-merging-classes-inherited

    pleo_analytic_plan_ids = fields.Many2many(
        comodel_name="account.analytic.plan",
        relation="pleo_connection_analytic_plan_rel",
        column1="connection_id",
        column2="plan_id",
        string="Analytic Plans as Tag Groups",
        domain=[("parent_id", "=", False)],
        help="Each selected plan becomes a Pleo tag group and its analytic accounts "
        "(sub-plans included) its tags. Pleo allows at most 5. A plan removed "
        "from this list has its tag group archived in Pleo.",
    )
    pleo_account_domain = fields.Char(
        string="Accounts Synced as Categories",
        default=DEFAULT_ACCOUNT_DOMAIN,
        help="Which accounts of the company are pushed to Pleo's chart of accounts. "
        "Accounts leaving this selection are archived in Pleo.",
    )
    pleo_tax_type_policy = fields.Selection(
        selection=[
            ("inclusive", "Inclusive (Pleo amounts include VAT)"),
            ("odoo", "As in Odoo: tax-included price -> inclusive, else exclusive"),
        ],
        string="Tax Code Type",
        default="inclusive",
        required=True,
        help="Pleo's expense amounts always include VAT and Pleo refuses "
        "'exclusive' tax codes today, so non-reverse-charge taxes are sent as "
        "'inclusive' by default. Reverse-charge taxes are always 'reverse'.",
    )
    pleo_archive_unmatched = fields.Boolean(
        string="Archive Pleo Records Unknown to Odoo",
        default=True,
        help="Pleo's reconcile rule: active tag groups, tags, accounts and tax "
        "codes that no Odoo record matches are archived. Vendors created in Pleo "
        "are never archived this way.",
    )
    pleo_sync_log_ids = fields.One2many(
        comodel_name="pleo.sync.log", inverse_name="connection_id", readonly=True
    )
    pleo_sync_confirmed_at = fields.Datetime(
        string="First Sync Confirmed",
        readonly=True,
        copy=False,
        help="When a Pleo manager confirmed the preview of the first sync. Until "
        "then the scheduled syncs wait and Sync now shows the preview.",
    )
    pleo_sync_adopted = fields.Boolean(
        string="First Sync Done", compute="_compute_pleo_sync_adopted"
    )

    def _compute_pleo_sync_adopted(self):
        bound = set(
            self.env["pleo.binding"]
            .sudo()
            ._read_group([("connection_id", "in", self.ids)], ["connection_id"])
        )
        bound_ids = {connection.id for (connection,) in bound}
        for connection in self:
            connection.pleo_sync_adopted = bool(
                connection.pleo_sync_confirmed_at or connection.id in bound_ids
            )

    @api.constrains("pleo_analytic_plan_ids")
    def _check_pleo_analytic_plans(self):
        for connection in self:
            if len(connection.pleo_analytic_plan_ids) > MAX_TAG_GROUPS:
                raise ValidationError(
                    _("Pleo accepts at most %s tag groups.", MAX_TAG_GROUPS)
                )

    @api.constrains("pleo_account_domain")
    def _check_pleo_account_domain(self):
        for connection in self:
            try:
                connection._pleo_account_domain()
            except Exception as exc:
                raise ValidationError(
                    _("The account selection is not a valid domain: %s", exc)
                ) from exc

    # ------------------------------------------------------------------
    # Entry points: buttons and crons
    # ------------------------------------------------------------------
    @pleo_requires(PLEO_MANAGER, "write")
    def action_sync_tags(self):
        return self._pleo_sync_button("2", ["tags"])

    @pleo_requires(PLEO_MANAGER, "write")
    def action_sync_tax_codes(self):
        return self._pleo_sync_button("3", ["tax_codes"])

    @pleo_requires(PLEO_MANAGER, "write")
    def action_sync_accounts(self):
        """Tax codes first: Pleo refuses accounts naming an unknown tax code."""
        return self._pleo_sync_button("3", ["tax_codes", "accounts"])

    @pleo_requires(PLEO_MANAGER, "write")
    def action_sync_vendors(self):
        return self._pleo_sync_button("4", ["vendors"])

    @pleo_requires(PLEO_MANAGER, "write")
    def action_pleo_sync_preview(self):
        """Show what the first sync will do in Pleo, to confirm it."""
        self.ensure_one()
        return self.env["pleo.sync.preview"]._pleo_build(self)._pleo_action()

    def _pleo_sync_kinds(self):
        """The syncs of this connection's level, in the order they must run."""
        self.ensure_one()
        return [
            kind
            for level, kind in (
                ("2", "tags"),
                ("3", "tax_codes"),
                ("3", "accounts"),
                ("4", "vendors"),
            )
            if self._level_at_least(level)
        ]

    def _pleo_sync_button(self, level, kinds):
        self.ensure_one()
        if not self._level_at_least(level):
            raise UserError(
                _(
                    "Connection %(name)s is not at integration level %(level)s.",
                    name=self.name,
                    level=level,
                )
            )
        if not self.pleo_sync_adopted:
            # Nothing is written before a manager has seen what will be.
            return self.action_pleo_sync_preview()
        logs = self.env["pleo.sync.log"]
        for kind in kinds:
            logs |= self._pleo_sync(kind)
        return self._pleo_sync_notification(logs)

    def _pleo_sync_notification(self, logs):
        """What the sync runs in `logs` did, as a notification."""
        message = "\n".join(
            self.env._(
                "%(kind)s: %(created)s created, %(updated)s updated, "
                "%(archived)s archived, %(unchanged)s unchanged, %(failed)s failed",
                kind=dict(log._fields["kind"].selection)[log.kind],
                created=log.count_created,
                updated=log.count_updated,
                archived=log.count_archived,
                unchanged=log.count_unchanged,
                failed=log.count_failed,
            )
            for log in logs
        )
        failed = any(log.state in ("failed", "partial") for log in logs)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Pleo sync"),
                "message": message,
                "type": "warning" if failed else "success",
                "sticky": failed,
            },
        }

    @api.model
    def _pleo_connections_due_for_sync(self, kind):
        """Connections whose scheduled `kind` sync may run: at a level that has
        it, and past their first sync's preview."""
        due = self.browse()
        for connection in self._pleo_connections_for_cron():
            if kind not in connection._pleo_sync_kinds():
                continue
            if not connection.pleo_sync_adopted:
                _logger.info(
                    "Pleo sync %s of connection %s waits for its first-sync preview "
                    "to be confirmed",
                    kind,
                    connection.id,
                )
                continue
            due |= connection
        return due

    @api.model
    def _cron_pleo_sync(self, kind):
        for connection in self._pleo_connections_due_for_sync(kind):
            try:
                connection._pleo_unattended().with_context(pleo_cron=True)._pleo_sync(
                    kind
                )
            except (UserError, errors.PleoError) as exc:
                _logger.error(
                    "Pleo sync %s of connection %s failed: %s", kind, connection.id, exc
                )
                continue
            connection.with_context(pleo_cron=True)._pleo_commit()
        self._pleo_cron_progress(remaining=0)

    def _pleo_commit(self):
        """In a scheduled run, keep what is done so far: a worker stopped by
        Odoo's limit_time_real_cron loses at most the chunk in hand, and the
        next run goes on from the bindings and items already committed."""
        if self.env.context.get("pleo_cron") and not (
            tools.config["test_enable"] or modules.module.current_test
        ):
            self.env.cr.commit()  # pylint: disable=invalid-commit
            self._pleo_cron_progress(remaining=1)

    @api.model
    def _pleo_cron_progress(self, remaining):
        """Tell Odoo's scheduler that this run committed progress: a run that
        the worker limit stops is then rescheduled at once instead of being
        counted as a failure, and `remaining=0` closes the run."""
        compat.cron_progress(self.env, 1, remaining)

    def _pleo_run_stopped(self, exc):
        """An export run or a sync stopped on `exc`, already recorded for people.

        Nothing more to do here: the next scheduled run resumes. The optional
        module pleo_connector_queue_job overrides it to retry its job when `exc`
        is a Pleo outage or rate limit.
        """

    def _pleo_sync(self, kind):
        """Run one sync (tags, tax_codes, accounts, vendors); returns its log."""
        self.ensure_one()
        log = self.env["pleo.sync.log"]._pleo_start(self, kind)
        run = SyncRun(self, kind)
        client, start_count, error = None, 0, None
        try:
            client = self._pleo_sync_client()
            start_count = client.request_count
            getattr(self, f"_pleo_sync_{kind}")(client, run)
        except (errors.PleoError, UserError) as exc:
            _logger.warning(
                "Pleo sync %s of connection %s stopped: %s", kind, self.id, exc
            )
            error = _("Sync stopped: %s", exc)
            self._pleo_run_stopped(exc)
        finally:
            run.flush()
        log._pleo_finish(
            run.counts,
            run.lines,
            request_count=client.request_count - start_count if client else 0,
            error=error,
        )
        return log

    def _pleo_sync_client(self):
        client = self._pleo_client()
        if hasattr(client, "page_size"):
            client.page_size = max(client.page_size or 0, 1000)
        return client
