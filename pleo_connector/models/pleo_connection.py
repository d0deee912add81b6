# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The Pleo backend: one record links one Odoo company to one Pleo company."""

import logging
import secrets
import time
from contextlib import contextmanager

from odoo import _, api, fields, models, modules, tools
from odoo.exceptions import UserError, ValidationError

from .. import compat
from ..pleo import (
    ApiKeyAuth,
    BearerTokenAuth,
    PleoClient,
    PleoOAuth,
    environment_for,
    errors,
    is_loopback_url,
)
from .pleo_access import PLEO_MANAGER, SYSTEM, check_pleo_access

_logger = logging.getLogger(__name__)

# Refresh a little before Pleo's expiry so a slow request never carries a dead token.
TOKEN_EXPIRY_MARGIN = 60
# Advisory lock key (with the connection id) serialising token refreshes.
TOKEN_LOCK_KEY = "pleo_connector.token_refresh"
# Token fields of the connection -> columns of pleo.connection.token.
TOKEN_COLUMNS = {
    "access_token": "access_token",
    "refresh_token": "refresh_token",
    "token_expires_at": "expires_at",
}

# System parameter an administrator switches on to allow a custom URL that is
# not this machine (a sandbox elsewhere); production and staging are fixed.
ALLOW_REMOTE_URL_PARAM = "pleo_connector.allow_remote_custom_url"
# Fields that choose where the connection points.
PLACE_FIELDS = ("environment", "custom_url")
# Credentials and identities issued by one place: forgotten when it changes.
PLACE_BOUND_VALS = {
    "api_key": False,
    "client_secret": False,
    "oauth_code_verifier": False,
    "webhook_secret": False,
    "webhook_subscription_id": False,
    "pleo_company_id": False,
    "pleo_company_name": False,
    "state": "draft",
}
# What a revoked authorisation leaves in the token row.
REVOKED_TOKEN_VALS = {"access_token": False, "refresh_token": False, "expires_at": 0}

LEVELS = [
    ("1", "1 - Export"),
    ("2", "2 - Export and tags"),
    ("3", "3 - Export, tags, categories and tax codes"),
    ("4", "4 - Export, tags, categories, tax codes and vendors"),
]


class PleoConnection(models.Model):
    _name = "pleo.connection"
    _description = "Pleo Connection"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "company_id, id"
    _check_company_auto = True

    name = fields.Char(required=True, default="Pleo", tracking=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        default=lambda self: self.env.company,
        index=True,
    )
    state = fields.Selection(
        selection=[
            ("draft", "Not connected"),
            ("connected", "Connected"),
            ("attention", "Needs attention"),
            ("reauth", "Re-authorisation needed"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    last_error = fields.Text(readonly=True, copy=False)
    environment = fields.Selection(
        selection=[
            ("production", "Production"),
            ("staging", "Staging"),
            ("custom", "Custom URL (sandbox)"),
        ],
        default="production",
        required=True,
    )
    custom_url = fields.Char(
        string="Custom URL",
        help="Base URL of a Pleo look-alike, e.g. the bundled sandbox "
        "http://127.0.0.1:8900",
    )
    auth_method = fields.Selection(
        selection=[("oauth", "OAuth 2.0"), ("api_key", "API key")],
        default="oauth",
        required=True,
        help="OAuth 2.0 is Pleo's standard. API keys are Pleo's documented "
        "exception for systems that cannot do OAuth.",
    )
    integration_level = fields.Selection(
        selection=LEVELS,
        default="1",
        required=True,
        tracking=True,
        help="A connection runs the syncs of its level and of every level below.",
    )
    pleo_company_id = fields.Char(
        string="Pleo Company ID", copy=False, tracking=True, index=True
    )
    pleo_company_name = fields.Char(string="Pleo Company", copy=False, readonly=True)
    requests_per_minute = fields.Integer(
        default=500,
        help="Client-side throttle. Pleo allows about 600 requests a minute and "
        "advises staying at 500.",
    )

    # Secrets: only administrators read or write them.
    client_id = fields.Char(string="OAuth Client ID", groups="base.group_system")
    client_secret = fields.Char(
        string="OAuth Client Secret", groups="base.group_system", copy=False
    )
    api_key = fields.Char(string="API Key", groups="base.group_system", copy=False)
    # Stored in pleo.connection.token (see there why): create() and write() pass
    # only the token values given to that row, so writing one never writes back
    # a stale copy of another.
    access_token = fields.Char(compute="_compute_tokens", groups="base.group_system")
    refresh_token = fields.Char(compute="_compute_tokens", groups="base.group_system")
    token_expires_at = fields.Integer(
        compute="_compute_tokens",
        help="Unix time at which the access token expires.",
        groups="base.group_system",
    )
    oauth_code_verifier = fields.Char(groups="base.group_system", copy=False)
    webhook_secret = fields.Char(
        groups="base.group_system",
        copy=False,
        help="Pleo's signing secret (whsec_...) of this connection's subscription.",
    )
    webhook_token = fields.Char(
        groups="base.group_system",
        copy=False,
        default=lambda self: secrets.token_urlsafe(24),
        help="Unguessable part of this connection's webhook URL.",
    )
    webhook_subscription_id = fields.Char(copy=False, readonly=True)

    locals().update(
        compat.sql_constraints(
            (
                "company_uniq",
                "unique(company_id)",
                "A company can have only one Pleo connection.",
            ),
            (
                "webhook_token_uniq",
                "unique(webhook_token)",
                "Webhook token must be unique.",
            ),
            # NULL (not connected yet) is never equal to NULL: only a real Pleo
            # company id is unique, in this database.
            (
                "pleo_company_uniq",
                "unique(pleo_company_id)",
                "This Pleo company is already connected to another Odoo company in "
                "this database: one Pleo company connects to one Odoo company.",
            ),
        )
    )

    def _token_rows(self):
        tokens = self.env["pleo.connection.token"].sudo()
        return tokens.search([("connection_id", "in", self.ids)])

    def _compute_tokens(self):
        by_connection = {t.connection_id.id: t for t in self._token_rows()}
        for conn in self:
            row = by_connection.get(conn.id)
            conn.access_token = row.access_token if row else False
            conn.refresh_token = row.refresh_token if row else False
            conn.token_expires_at = row.expires_at if row else 0

    @api.model
    def _pop_token_vals(self, vals):
        return {
            column: vals.pop(name)
            for name, column in TOKEN_COLUMNS.items()
            if name in vals
        }

    def _write_token_vals(self, token_vals):
        rows = {t.connection_id.id: t for t in self._token_rows()}
        for conn in self:
            if conn.id in rows:
                rows[conn.id].write(token_vals)
            else:
                self.env["pleo.connection.token"].sudo().create(
                    dict(token_vals, connection_id=conn.id)
                )
        self.invalidate_recordset(list(TOKEN_COLUMNS))

    @api.model_create_multi
    def create(self, vals_list):
        if any(
            vals.get("custom_url")
            or vals.get("environment", "production") != "production"
            for vals in vals_list
        ):
            check_pleo_access(self, SYSTEM, "create")
        token_vals_list = [self._pop_token_vals(vals) for vals in vals_list]
        records = super().create(vals_list)
        for record, token_vals in zip(records, token_vals_list, strict=True):
            if token_vals:
                record._write_token_vals(token_vals)
        return records

    def write(self, vals):
        vals = dict(vals)
        moved = self._pleo_moving(vals)
        if moved:
            check_pleo_access(moved, SYSTEM, "write")
        token_vals = self._pop_token_vals(vals)
        result = super().write(vals) if vals else True
        if token_vals:
            self._write_token_vals(token_vals)
        for conn in moved:
            conn._pleo_forget_place(keep=vals)
        return result

    # ------------------------------------------------------------------
    # Where the connection points: credentials are bound to it
    # ------------------------------------------------------------------
    def _pleo_moving(self, vals):
        """The connections of self that `vals` points somewhere else."""
        if not any(name in vals for name in PLACE_FIELDS):
            return self.browse()
        return self.filtered(
            lambda c: any(
                name in vals and (vals[name] or False) != (c[name] or False)
                for name in PLACE_FIELDS
            )
        )

    def _pleo_forget_place(self, keep=()):
        """Forget what the previous place issued (tokens, key, secrets) but
        what the same write gave anew (`keep`): they belong to the new place."""
        self.ensure_one()
        forget = {k: v for k, v in PLACE_BOUND_VALS.items() if k not in keep}
        self.sudo().write(forget)
        self._pleo_set_tokens(dict(REVOKED_TOKEN_VALS, revoked_reason=False))
        self.message_post(
            body=_(
                "The connection now points to another Pleo: its stored "
                "authorisation, API key, client secret and webhook secret were "
                "forgotten. Connect to Pleo again."
            )
        )

    @api.constrains("environment", "custom_url")
    def _check_pleo_place(self):
        for conn in self:
            conn._pleo_check_place()

    def _pleo_check_place(self):
        """A custom URL is this machine, unless an administrator allowed others."""
        self.ensure_one()
        if self.environment != "custom":
            return
        try:
            loopback = is_loopback_url(self.custom_url)
        except ValueError as exc:
            raise ValidationError(
                _("The custom URL must be an http(s) URL: %s", exc)
            ) from exc
        allowed = (
            self.env["ir.config_parameter"].sudo().get_param(ALLOW_REMOTE_URL_PARAM)
        )
        if not loopback and str(allowed).lower() not in ("1", "true"):
            raise ValidationError(
                _(
                    "A custom URL must be on this machine (localhost or 127.0.0.1), "
                    "e.g. the bundled sandbox. To use a sandbox elsewhere, an "
                    "administrator sets the system parameter %s to True.",
                    ALLOW_REMOTE_URL_PARAM,
                )
            )

    # ------------------------------------------------------------------
    # Levels
    # ------------------------------------------------------------------
    def _level_at_least(self, level):
        self.ensure_one()
        return int(self.integration_level or 0) >= int(level)

    # ------------------------------------------------------------------
    # Client factory and OAuth
    # ------------------------------------------------------------------
    def _pleo_environment(self):
        self.ensure_one()
        if self.environment == "custom" and not self.custom_url:
            raise UserError(_("Set the custom URL of connection %s.", self.name))
        # Checked again at use: the system parameter may have been switched off.
        self._pleo_check_place()
        return environment_for(self.environment, self.custom_url)

    def _pleo_redirect_uri(self):
        base_url = self.get_base_url()
        return f"{base_url}/pleo/oauth/callback"

    def _pleo_secret(self, name):
        """One secret of this connection, for a caller already checked.

        Read through sudo() and dropped from the record cache at once: a cached
        copy would be returned to a later unprivileged read without its check.
        """
        self.ensure_one()
        value = self.sudo()[name]
        self.invalidate_recordset([name])
        return value

    def _pleo_oauth(self):
        """The OAuth client; it carries the client secret, so only the
        superuser (token refresh, cron) and administrators get it."""
        self.ensure_one()
        if not self.env.su:
            check_pleo_access(self, SYSTEM)
        client_id = self._pleo_secret("client_id")
        client_secret = self._pleo_secret("client_secret")
        if not client_id or not client_secret:
            raise UserError(
                _("Enter the OAuth client ID and secret of connection %s.", self.name)
            )
        return PleoOAuth(
            client_id,
            client_secret,
            self._pleo_environment(),
            self._pleo_redirect_uri(),
        )

    def _pleo_client(self):
        """A Pleo API client authenticated for this connection.

        Every request to Pleo starts here, so the caller's right to spend the
        connection's credentials is checked here, before a secret is read.
        """
        self.ensure_one()
        check_pleo_access(self, PLEO_MANAGER)
        if self.auth_method == "api_key":
            api_key = self._pleo_secret("api_key")
            if not api_key:
                raise UserError(_("Enter the API key of connection %s.", self.name))
            auth = ApiKeyAuth(api_key)
        else:
            if not self._pleo_secret("refresh_token") and not self._pleo_secret(
                "access_token"
            ):
                raise UserError(
                    _(
                        "Connection %s is not authorised: use Connect to Pleo.",
                        self.name,
                    )
                )
            auth = BearerTokenAuth(
                self._pleo_access_token,
                lambda: self._pleo_access_token(force_refresh=True),
            )
        return PleoClient(
            self._pleo_environment(),
            auth,
            company_id=self.pleo_company_id or None,
            requests_per_minute=self.requests_per_minute,
        )

    def _pleo_set_tokens(self, token_vals):
        """Write the token row in the token transaction, the only one that
        ever writes it after creation (see _pleo_token_env).

        A connection without a token row yet (first authorisation) gets it in
        the caller's transaction: nothing can refresh it meanwhile, and the
        connection itself may not be committed yet.
        """
        self.ensure_one()
        if not self._token_rows():
            self._write_token_vals(token_vals)
            return
        with self._pleo_token_env() as env:
            env["pleo.connection"].sudo().browse(self.id)._write_token_vals(token_vals)
        self.invalidate_recordset(list(TOKEN_COLUMNS))

    @contextmanager
    def _pleo_token_env(self):
        """Environment in which rotated tokens are stored, under a token lock.

        Pleo rotates refresh tokens and revokes the whole authorisation when a
        spent one is presented again, so a new pair must be committed at once, in
        its own transaction, whatever happens to the caller's. The lock is an
        advisory lock, not a row lock: the caller may already have written this
        connection's row and would then wait on itself. After waiting, the
        transaction is committed so the next read sees what another worker
        stored. Tests run in one transaction, where a savepoint stands in for it.
        """
        lock_args = [TOKEN_LOCK_KEY, self.id]
        if tools.config["test_enable"] or modules.module.current_test:
            with self.env.cr.savepoint():
                yield self.env
            return
        with self.env.registry.cursor() as cr:
            cr.execute("SELECT pg_advisory_lock(hashtext(%s), %s)", lock_args)
            try:
                # A new snapshot, taken after the wait.
                cr.commit()  # pylint: disable=invalid-commit
                yield self.env(cr=cr)
                cr.commit()  # pylint: disable=invalid-commit
            finally:
                cr.rollback()
                cr.execute("SELECT pg_advisory_unlock(hashtext(%s), %s)", lock_args)

    def _pleo_access_token(self, force_refresh=False):
        """A valid access token, refreshed under the token lock when needed."""
        self.ensure_one()
        check_pleo_access(self, PLEO_MANAGER)
        stale = self._pleo_secret("access_token")
        if (
            stale
            and not force_refresh
            and self._pleo_secret("token_expires_at") - TOKEN_EXPIRY_MARGIN
            > time.time()
        ):
            return stale
        revoked = None
        with self._pleo_token_env() as env:
            conn = env["pleo.connection"].sudo().browse(self.id)
            conn.invalidate_recordset()
            fresh = conn.token_expires_at - TOKEN_EXPIRY_MARGIN > time.time()
            if conn.access_token and fresh and conn.access_token != stale:
                return conn.access_token  # another worker refreshed while we waited
            if conn.access_token and fresh and not force_refresh:
                return conn.access_token
            try:
                if not conn.refresh_token:
                    raise errors.PleoTokenRevoked("No refresh token is stored.")
                token = conn._pleo_oauth().refresh(conn.refresh_token)
            except errors.PleoTokenRevoked as exc:
                # Only the token row is written here, and committed: the
                # caller's transaction may hold the connection row, and records
                # the lost authorisation there itself.
                conn._write_token_vals(
                    dict(REVOKED_TOKEN_VALS, revoked_reason=str(exc))
                )
                revoked = exc
            else:
                conn._pleo_store_token(token)
        self.invalidate_recordset()
        if revoked:
            self._pleo_lose_authorisation(str(revoked))
            raise revoked
        return token["access_token"]

    def _pleo_token_vals(self, token):
        """Token-row values of an OAuth token answer; a new pair clears any
        earlier revocation."""
        self.ensure_one()
        expires_at = token.get("expires_at") or time.time() + int(
            token.get("expires_in") or 0
        )
        return {
            "access_token": token["access_token"],
            "refresh_token": token.get("refresh_token")
            or self._pleo_secret("refresh_token"),
            "expires_at": int(expires_at),
            "revoked_reason": False,
        }

    def _pleo_store_token(self, token):
        """Store a refreshed pair; called inside the token transaction."""
        vals = self._pleo_token_vals(token)
        self.sudo()._write_token_vals(vals)
        _logger.info(
            "Pleo connection %s: access token stored, valid %ss",
            self.id,
            int(vals["expires_at"] - time.time()),
        )

    def _pleo_lose_authorisation(self, reason):
        """Stop using the connection until a person authorises it again.

        Writes the connection row only, never the token row (the token
        transaction cleared it), so it can run in the caller's transaction.
        Returns False when the loss was already recorded.
        """
        self.ensure_one()
        if self.state == "reauth":
            return False
        self.sudo().write(
            {
                "state": "reauth",
                "last_error": _(
                    "Pleo refused the stored authorisation (%s). Use Connect to "
                    "Pleo to authorise again.",
                    reason,
                ),
            }
        )
        return True

    def _pleo_usable(self):
        """Connections the crons may call: authorised and active."""
        return self.filtered(
            lambda c: c.active and c.state in ("connected", "attention")
        )

    @api.model
    def _pleo_connections_for_cron(self):
        self._pleo_record_revocations()
        return self.search([("state", "in", ("connected", "attention"))])

    @api.model
    def _pleo_record_revocations(self):
        """Record a revocation whose caller rolled back before it could."""
        rows = (
            self.env["pleo.connection.token"]
            .sudo()
            .search([("revoked_reason", "!=", False)])
        )
        for row in rows.filtered(lambda r: r.connection_id.state != "reauth"):
            row.connection_id._pleo_lose_authorisation(row.revoked_reason)

    # ------------------------------------------------------------------
    # Webhooks: the controller verifies, this dispatches.
    # ------------------------------------------------------------------
    def _pleo_webhook_handlers(self):
        """Map of Pleo event type -> method name; levels extend it."""
        return {}

    def _pleo_handle_webhook(self, event_type, data):
        self.ensure_one()
        handler = self._pleo_webhook_handlers().get(event_type)
        if not handler:
            _logger.info("Pleo connection %s: event %s ignored", self.id, event_type)
            return False
        getattr(self._pleo_unattended(), handler)(data)
        return True

    def _pleo_unattended(self):
        """This connection for a run nobody watches (scheduled action, webhook,
        queue job): it speaks its responsible's language, else its company's,
        so failure reasons, sync logs and activities read in the language of
        whoever reads them, not in the scheduler's."""
        self.ensure_one()
        lang = self.responsible_user_id.lang or self.company_id.partner_id.lang
        return self.with_context(lang=lang) if lang else self
