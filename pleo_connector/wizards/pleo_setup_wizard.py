# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Guided setup: from nothing to a working, tested Pleo connection."""

import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.pleo_access import PLEO_MANAGER, SYSTEM, pleo_requires
from ..models.pleo_connection import LEVELS
from ..pleo import errors

_logger = logging.getLogger(__name__)

# What the first run after setup calls, level by level, when the export and sync
# code provides it (method names on pleo.connection).
FIRST_RUN_METHODS = [
    ("2", "action_sync_tags"),
    ("3", "action_sync_tax_codes"),
    ("3", "action_sync_accounts"),
    ("4", "action_sync_vendors"),
]


class PleoSetupWizard(models.TransientModel):
    _name = "pleo.setup.wizard"
    _description = "Pleo Setup"

    step = fields.Selection(
        selection=[("connect", "Connect"), ("level", "Level"), ("done", "Done")],
        default="connect",
        required=True,
    )
    connection_id = fields.Many2one(comodel_name="pleo.connection", readonly=True)
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        default=lambda self: self.env.company,
    )
    name = fields.Char(default="Pleo", required=True)
    environment = fields.Selection(
        selection=[
            ("production", "Production"),
            ("staging", "Staging"),
            ("custom", "Custom URL (sandbox)"),
        ],
        default="production",
        required=True,
    )
    custom_url = fields.Char(string="Custom URL")
    auth_method = fields.Selection(
        selection=[("oauth", "OAuth 2.0"), ("api_key", "API key")],
        default="oauth",
        required=True,
    )
    client_id = fields.Char(string="OAuth Client ID", groups="base.group_system")
    client_secret = fields.Char(
        string="OAuth Client Secret", groups="base.group_system"
    )
    api_key = fields.Char(string="API Key", groups="base.group_system")
    pleo_company_id = fields.Char(string="Pleo Company ID")
    redirect_uri = fields.Char(
        string="Redirect URL to register with Pleo", compute="_compute_redirect_uri"
    )
    connection_state = fields.Selection(related="connection_id.state")
    pleo_company_name = fields.Char(related="connection_id.pleo_company_name")
    integration_level = fields.Selection(selection=LEVELS, default="1", required=True)
    responsible_user_id = fields.Many2one(
        comodel_name="res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        domain=[("share", "=", False)],
    )
    run_first_sync = fields.Boolean(
        default=True,
        help="Push the master data of the chosen level to Pleo now, then tell "
        "Pleo the integration is ready (activate the installation).",
    )
    result = fields.Text(readonly=True)
    connect_error = fields.Text(readonly=True)

    # Level 1 (export): written straight to the connection.
    export_journal_id = fields.Many2one(
        related="connection_id.export_journal_id", readonly=False
    )
    export_purchase_journal_id = fields.Many2one(
        related="connection_id.export_purchase_journal_id", readonly=False
    )
    export_posting = fields.Selection(
        related="connection_id.export_posting", readonly=False
    )
    export_closed_period = fields.Selection(
        related="connection_id.export_closed_period", readonly=False
    )
    export_match_bills = fields.Boolean(
        related="connection_id.export_match_bills", readonly=False
    )
    export_out_of_pocket_account_id = fields.Many2one(
        related="connection_id.export_out_of_pocket_account_id", readonly=False
    )
    # Levels 2-4 (master data)
    pleo_analytic_plan_ids = fields.Many2many(
        related="connection_id.pleo_analytic_plan_ids", readonly=False
    )
    pleo_account_domain = fields.Char(
        related="connection_id.pleo_account_domain", readonly=False
    )
    pleo_tax_type_policy = fields.Selection(
        related="connection_id.pleo_tax_type_policy", readonly=False
    )
    pleo_archive_unmatched = fields.Boolean(
        related="connection_id.pleo_archive_unmatched", readonly=False
    )
    wallet_account_id = fields.Many2one(
        comodel_name="account.account",
        string="Wallet Account",
        compute="_compute_wallet_account_id",
        store=True,
        readonly=False,
        help="Account of the Pleo wallet in the company currency. Suggested: an "
        "existing account named Pleo; leave empty to create one.",
    )
    create_wallet_account = fields.Boolean(
        string="Create a Pleo Wallet account",
        compute="_compute_wallet_account_id",
        store=True,
        readonly=False,
    )

    # The last step's configuration check (read calls only to Pleo).
    config_check_id = fields.Many2one(comodel_name="pleo.config.check", readonly=True)
    config_check_state = fields.Selection(
        related="config_check_id.state", string="Configuration Check Result"
    )
    config_check_line_ids = fields.One2many(related="config_check_id.line_ids")

    @api.depends("company_id")
    def _compute_redirect_uri(self):
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url")
        for wizard in self:
            wizard.redirect_uri = f"{base_url}/pleo/oauth/callback"

    @api.depends("connection_id", "company_id")
    def _compute_wallet_account_id(self):
        for wizard in self:
            account = wizard._suggest_wallet_account()
            wizard.wallet_account_id = account
            wizard.create_wallet_account = not account

    def _suggest_wallet_account(self):
        """The company-currency wallet already mapped, else an account called Pleo."""
        self.ensure_one()
        company = self.company_id
        wallet = self.connection_id.export_wallet_ids.filtered(
            lambda w: w.currency_id == company.currency_id
        )[:1]
        if wallet:
            return wallet.account_id
        Account = self.env["account.account"].with_company(company)
        return Account.search(
            [
                *Account._check_company_domain(company),
                ("name", "ilike", "pleo"),
                ("account_type", "in", ("asset_cash", "asset_current")),
            ],
            limit=1,
        )

    def _pleo_wallet_account(self):
        """The chosen wallet account, or a new 'Pleo Wallet' bank account."""
        self.ensure_one()
        if self.wallet_account_id or not self.create_wallet_account:
            return self.wallet_account_id
        company = self.company_id
        Account = self.env["account.account"].with_company(company)
        prefix = company.bank_account_code_prefix or "1"
        code = Account._search_new_account_code(prefix.ljust(6, "0")[:6])
        return Account.create(
            {
                "name": _("Pleo Wallet"),
                "code": code,
                "account_type": "asset_cash",
                "company_ids": [(6, 0, company.ids)],
            }
        )

    def _apply_level_settings(self, connection):
        """Write what the level needs that related fields do not carry."""
        self.ensure_one()
        account = self._pleo_wallet_account()
        if not account:
            return
        currency = self.company_id.currency_id
        wallet = connection.export_wallet_ids.filtered(
            lambda w: w.currency_id == currency
        )
        if wallet:
            wallet.account_id = account
        else:
            self.env["pleo.export.wallet"].create(
                {
                    "connection_id": connection.id,
                    "currency_id": currency.id,
                    "account_id": account.id,
                }
            )

    # ------------------------------------------------------------------
    # Opening
    # ------------------------------------------------------------------
    @api.model
    def _pleo_action_open(self, connection=None):
        company = connection.company_id if connection else self.env.company
        connection = connection or self.env["pleo.connection"]._pleo_company_connection(
            company
        )
        vals = {"company_id": company.id}
        if connection:
            vals.update(
                {
                    "connection_id": connection.id,
                    "name": connection.name,
                    "environment": connection.environment,
                    "custom_url": connection.custom_url,
                    "auth_method": connection.auth_method,
                    "pleo_company_id": connection.pleo_company_id,
                    "integration_level": connection.integration_level,
                    "responsible_user_id": connection.responsible_user_id.id,
                    "step": "level"
                    if connection.state in ("connected", "attention")
                    else "connect",
                }
            )
        return self.create(vals)._reopen()

    def _reopen(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Set up Pleo"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    # ------------------------------------------------------------------
    # Step 1: connect
    # ------------------------------------------------------------------
    def _connection_vals(self):
        self.ensure_one()
        vals = {
            "name": self.name,
            "company_id": self.company_id.id,
            "environment": self.environment,
            "custom_url": self.custom_url if self.environment == "custom" else False,
            "auth_method": self.auth_method,
            "responsible_user_id": self.responsible_user_id.id,
        }
        if self.pleo_company_id:
            vals["pleo_company_id"] = self.pleo_company_id.strip()
        sudo = self.sudo()
        if self.auth_method == "oauth":
            if sudo.client_id:
                vals["client_id"] = sudo.client_id.strip()
            if sudo.client_secret:
                vals["client_secret"] = sudo.client_secret.strip()
        elif sudo.api_key:
            vals["api_key"] = sudo.api_key.strip()
        return vals

    def _ensure_connection(self):
        """Create or update the company's connection from the wizard."""
        self.ensure_one()
        if not self.env.is_system():
            raise UserError(_("Only administrators can connect Pleo."))
        if self.environment == "custom" and not self.custom_url:
            raise UserError(_("Enter the custom URL, e.g. http://127.0.0.1:8900."))
        Connection = self.env["pleo.connection"].with_context(active_test=False)
        connection = self.connection_id or Connection._pleo_company_connection(
            self.company_id
        )
        vals = self._connection_vals()
        if connection:
            connection.write(vals)
        else:
            connection = Connection.create(vals)
        self.connection_id = connection
        # Secrets were copied to the connection; keep none on the transient record.
        self.sudo().write({"client_secret": False, "api_key": False})
        return connection

    @pleo_requires(SYSTEM, "write")
    def action_connect_oauth(self):
        """Connect to Pleo: the browser goes to Pleo's consent page."""
        self.ensure_one()
        if self.auth_method != "oauth":
            raise UserError(_("Choose OAuth 2.0 to connect through Pleo's consent."))
        connection = self._ensure_connection()
        if not connection._pleo_secret("client_id") or not connection._pleo_secret(
            "client_secret"
        ):
            raise UserError(_("Enter the OAuth client ID and secret Pleo issued."))
        connection.write({"integration_level": self.integration_level})
        return connection.action_pleo_oauth_start()

    @pleo_requires(SYSTEM, "write")
    def action_connect_api_key(self):
        """API key: store key and company id, test, and move on to the level.

        A key Pleo refuses is forgotten at once, here and on the connection, and
        the reason is shown on this step (no exception: it would roll the
        forgetting back along with everything else).
        """
        self.ensure_one()
        if self.auth_method != "api_key":
            raise UserError(_("Choose API key to connect with a key."))
        connection = self._ensure_connection()
        if not connection._pleo_secret("api_key"):
            raise UserError(_("Paste the API key Pleo generated."))
        try:
            connection._pleo_test_connection()
        except UserError as exc:
            connection.sudo().write({"api_key": False})
            self.write({"connect_error": str(exc)})
            return self._reopen()
        self.write(
            {
                "step": "level",
                "connect_error": False,
                "pleo_company_id": connection.pleo_company_id,
                "integration_level": connection.integration_level,
            }
        )
        return self._reopen()

    @pleo_requires(PLEO_MANAGER, "write")
    def action_test_connection(self):
        self.ensure_one()
        if not self.connection_id:
            raise UserError(_("Connect first."))
        self.connection_id._pleo_test_connection()
        self.step = "level"
        return self._reopen()

    @pleo_requires(PLEO_MANAGER, "write")
    def action_back(self):
        self.ensure_one()
        self.step = "connect"
        return self._reopen()

    # ------------------------------------------------------------------
    # Step 2: level and its settings, first run
    # ------------------------------------------------------------------
    @pleo_requires(PLEO_MANAGER, "write")
    def action_check_configuration(self):
        """Check the configuration as this step sets it, and show the result
        here: the wallet account chosen is applied (Finish would apply it),
        the level is the one chosen."""
        self.ensure_one()
        connection = self.connection_id
        if not connection:
            raise UserError(_("Connect to Pleo first."))
        self._apply_level_settings(connection)
        wallet = connection.export_wallet_ids.filtered(
            lambda w: w.currency_id == self.company_id.currency_id
        )[:1]
        if wallet:  # made now: Finish must not make a second one
            self.write(
                {
                    "wallet_account_id": wallet.account_id.id,
                    "create_wallet_account": False,
                }
            )
        self.config_check_id = self.env["pleo.config.check"]._pleo_run(
            connection, self.integration_level
        )
        return self._reopen()

    def _first_run(self, connection):
        """Push the level's master data once, then activate the installation."""
        lines = []
        for level, method in FIRST_RUN_METHODS:
            if not connection._level_at_least(level):
                continue
            if not hasattr(connection, method):
                lines.append(_("%s: not available in this version, skipped.", method))
                continue
            # No savepoint: the sync commits as it goes outside tests.
            try:
                getattr(connection, method)()
                lines.append(_("%s: done.", method))
            except (UserError, errors.PleoError) as exc:
                lines.append(
                    _("%(method)s failed: %(error)s", method=method, error=exc)
                )
        # The activation says so in the chatter itself, once.
        connection._pleo_activate_installation()
        return lines

    @pleo_requires(PLEO_MANAGER, "write")
    def action_finish(self):
        self.ensure_one()
        connection = self.connection_id
        if not connection:
            raise UserError(_("Connect to Pleo first."))
        if connection.state not in ("connected", "attention"):
            raise UserError(_("The connection is not working yet: test it first."))
        if self.run_first_sync and connection.auth_method == "oauth":
            # Refresh (in its own transaction) before this one writes the row.
            connection._pleo_access_token()
        connection.write(
            {
                "integration_level": self.integration_level,
                "responsible_user_id": self.responsible_user_id.id,
            }
        )
        self._apply_level_settings(connection)
        if (
            self.run_first_sync
            and connection._pleo_sync_kinds()
            and not connection.pleo_sync_adopted
        ):
            # The last step: what the first sync will do, confirmed by the user;
            # confirming syncs and then activates the installation.
            connection.message_post(
                body=_(
                    "Setup finished at level %s; the first sync waits for its "
                    "preview to be confirmed.",
                    dict(LEVELS)[self.integration_level],
                )
            )
            preview = self.env["pleo.sync.preview"]._pleo_build(
                connection, activate_after=True
            )
            return preview._pleo_action()
        lines = self._first_run(connection) if self.run_first_sync else []
        connection.message_post(
            body=_(
                "Setup finished at level %(level)s. %(details)s",
                level=dict(LEVELS)[self.integration_level],
                details=" ".join(str(line) for line in lines),
            )
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "pleo.connection",
            "res_id": connection.id,
            "view_mode": "form",
            "target": "current",
        }
