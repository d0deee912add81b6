# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Connecting, testing and disconnecting a Pleo connection, and telling people
when it needs them (activities, chatter)."""

import json
import logging

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.http import request
from odoo.tools import consteq, html_escape
from odoo.tools.misc import hmac

from ..pleo import BearerTokenAuth, PleoClient, PleoOAuth, errors
from .pleo_access import (
    PLEO_MANAGER,
    PLEO_USER,
    SYSTEM,
    check_pleo_access,
    pleo_requires,
)
from .pleo_connection import REVOKED_TOKEN_VALS

_logger = logging.getLogger(__name__)

OAUTH_CSRF_SCOPE = "pleo-oauth"
COMPANY_URN = "urn:pleo:company:"


def _unwrap(body):
    """Pleo wraps single resources in {"data": {...}}; the client may unwrap."""
    if isinstance(body, dict) and isinstance(body.get("data"), dict):
        return body["data"]
    return body or {}


class PleoConnection(models.Model):
    _inherit = "pleo.connection"  # pylint: disable=consider-merging-classes-inherited

    responsible_user_id = fields.Many2one(
        comodel_name="res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        domain=[("share", "=", False)],
        tracking=True,
        help="The accountant who gets an activity when an export job or item "
        "fails or when Pleo's authorisation is lost.",
    )
    environment = fields.Selection(tracking=True)
    auth_method = fields.Selection(tracking=True)
    connected_since = fields.Datetime(readonly=True, copy=False)

    # ------------------------------------------------------------------
    # OAuth: start and callback
    # ------------------------------------------------------------------
    def _pleo_oauth_csrf_token(self):
        """Anti-forgery token tying the OAuth `state` to this connection and to
        the browser session (or, outside a request, the user) that started it."""
        self.ensure_one()
        session = request.session if request else None
        binding = session.sid if session and session.sid else self.env.uid
        return hmac(self.env(su=True), OAUTH_CSRF_SCOPE, (self.id, binding))

    def _pleo_oauth_state(self):
        self.ensure_one()
        return json.dumps({"id": self.id, "csrf": self._pleo_oauth_csrf_token()})

    @pleo_requires(SYSTEM, "write")
    def action_pleo_oauth_start(self):
        """Send the browser to Pleo's consent page (authorization code + PKCE)."""
        self.ensure_one()
        if self.auth_method != "oauth":
            raise UserError(_("This connection uses an API key, not OAuth."))
        oauth = self._pleo_oauth()
        verifier = PleoOAuth.new_code_verifier()
        self.sudo().oauth_code_verifier = verifier
        url = oauth.authorization_url(self._pleo_oauth_state(), verifier)
        return {"type": "ir.actions.act_url", "url": url, "target": "self"}

    def _pleo_oauth_check_state(self, csrf):
        """True when `csrf` is the token this session would have sent."""
        self.ensure_one()
        return bool(csrf) and consteq(str(csrf), self._pleo_oauth_csrf_token())

    def _pleo_oauth_callback(self, code):
        """Exchange Pleo's authorization code, store the tokens, test the link.

        The code verifier is spent first: a replayed callback finds none and is
        refused before anything reaches Pleo.
        """
        self.ensure_one()
        check_pleo_access(self, SYSTEM, "write")
        sudo = self.sudo()
        verifier = sudo.oauth_code_verifier
        if not verifier:
            raise UserError(
                _(
                    "This authorisation was already used or never started. Use "
                    "Connect to Pleo again."
                )
            )
        sudo.oauth_code_verifier = False
        try:
            token = self._pleo_oauth().fetch_token(code, verifier)
        except errors.PleoError as exc:
            self._pleo_setup_failed(_("Pleo refused the authorisation: %s", exc))
            raise UserError(_("Pleo refused the authorisation: %s", exc)) from exc
        self._pleo_set_tokens(self._pleo_token_vals(token))
        self.message_post(body=_("Authorised with Pleo (OAuth 2.0)."))
        # The new token is used as it is: the refresh path locks the row from a
        # second transaction, which would wait on this one's uncommitted writes.
        self._pleo_test_connection(self._pleo_client_for_token(token["access_token"]))
        return True

    def _pleo_client_for_token(self, access_token):
        """A client using one access token as given (no refresh)."""
        self.ensure_one()
        return PleoClient(
            self._pleo_environment(),
            BearerTokenAuth(lambda: access_token),
            company_id=self.pleo_company_id or None,
            requests_per_minute=self.requests_per_minute,
        )

    def _pleo_oauth_denied(self, error, description=None):
        """Pleo sent the user back with `error` (e.g. access_denied)."""
        self.ensure_one()
        self.sudo().oauth_code_verifier = False
        message = _(
            "Pleo did not authorise the connection: %(error)s %(description)s",
            error=error,
            description=description or "",
        ).strip()
        self._pleo_setup_failed(message)
        return message

    def _pleo_setup_failed(self, message):
        self.ensure_one()
        self.sudo().last_error = message
        self.message_post(body=message)

    # ------------------------------------------------------------------
    # Test, connect, disconnect
    # ------------------------------------------------------------------
    def _pleo_discover_company_id(self, client):
        """The Pleo company id, read from the installation resource when unknown."""
        self.ensure_one()
        if self.pleo_company_id:
            return self.pleo_company_id
        installation = _unwrap(client.get_installation())
        resource = installation.get("resource") or ""
        if resource.startswith(COMPANY_URN):
            return resource[len(COMPANY_URN) :]
        return False

    def _pleo_test_connection(self, client=None):
        """Call Pleo, record the company reached, set the connection connected.

        Raises UserError with Pleo's reason when the call fails.
        """
        self.ensure_one()
        try:
            client = client or self._pleo_client()
            company_id = self._pleo_discover_company_id(client)
            if not company_id:
                raise UserError(
                    _(
                        "Pleo did not say which company this authorisation is "
                        "for: enter the Pleo company ID."
                    )
                )
            self._pleo_refuse_taken_company(company_id)
            company = _unwrap(client.get_company(company_id))
        except errors.PleoError as exc:
            message = _("Test connection failed: %s", exc)
            self._pleo_setup_failed(message)
            raise UserError(message) from exc
        name = company.get("name") or company_id
        vals = {
            "pleo_company_id": company_id,
            "pleo_company_name": name,
            "state": "connected",
            "last_error": False,
        }
        if not self.connected_since or self.state == "draft":
            vals["connected_since"] = fields.Datetime.now()
        self.sudo().write(vals)
        self.message_post(
            body=_("Connection tested: reached the Pleo company %s.", name)
        )
        return name

    def _pleo_company_holder(self, pleo_company_id):
        """The other connection of this database connected to that Pleo company."""
        self.ensure_one()
        return (
            self.sudo()
            .with_context(active_test=False)
            .search(
                [("pleo_company_id", "=", pleo_company_id), ("id", "!=", self.id)],
                limit=1,
            )
        )

    def _pleo_refuse_taken_company(self, pleo_company_id):
        """One Pleo company, one Odoo company: a second connection to the same
        Pleo company is refused before it writes anything, and forgets the
        tokens it just received, locally only (they share the other
        connection's installation in Pleo, so revoking them would cut it off)."""
        holder = self._pleo_company_holder(pleo_company_id)
        if not holder:
            return
        self._pleo_set_tokens(
            {"access_token": False, "refresh_token": False, "expires_at": 0}
        )
        message = _(
            "This Pleo company is already connected to the Odoo company "
            "%(company)s (connection %(connection)s). One Pleo company connects "
            "to one Odoo company: use that connection, or disconnect it first.",
            company=holder.company_id.name,
            connection=holder.name,
        )
        self._pleo_setup_failed(message)
        raise UserError(message)

    def _pleo_owns_installation(self, client):
        """Whether Pleo's installation behind this connection's credential is
        this connection's own, not the one of another connection here."""
        self.ensure_one()
        if self.pleo_company_id:
            return True  # unique in this database
        try:
            company_id = self._pleo_discover_company_id(client)
        except errors.PleoError:
            return True
        return not (company_id and self._pleo_company_holder(company_id))

    @pleo_requires(PLEO_MANAGER, "write")
    def action_pleo_test_connection(self):
        self.ensure_one()
        name = self._pleo_test_connection()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": _("Connected to Pleo"),
                "message": _("Reached the Pleo company %s.", name),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _pleo_activate_installation(self):
        """Tell Pleo the integration is configured (GUIDES §1.7); a 404 means
        there is no marketplace installation to activate, which is fine."""
        self.ensure_one()
        try:
            self._pleo_client().activate_installation()
        except errors.PleoNotFound:
            _logger.info("Pleo connection %s: no installation to activate", self.id)
            return False
        except errors.PleoError as exc:
            _logger.warning(
                "Pleo connection %s: activating the installation failed: %s",
                self.id,
                exc,
            )
            self.message_post(body=_("Pleo did not activate the installation: %s", exc))
            return False
        self.message_post(body=_("Installation activated in Pleo."))
        return True

    @pleo_requires(SYSTEM, "write")
    def action_pleo_disconnect(self):
        """Revoke every token in Pleo (delete the installation) and forget them."""
        for conn in self:
            revoked = _("Pleo revoked the authorisation.")
            if conn.state != "draft":
                try:
                    client = conn._pleo_client()
                    if conn._pleo_owns_installation(client):
                        client.delete_installation()
                except errors.PleoNotFound:
                    pass
                except (errors.PleoError, UserError) as exc:
                    revoked = _(
                        "Pleo could not be told (%s); revoke the integration in "
                        "Pleo's Settings > Integrations too.",
                        exc,
                    )
            conn.sudo().write(
                {
                    "state": "draft",
                    "oauth_code_verifier": False,
                    "last_error": False,
                    "connected_since": False,
                }
            )
            # In the token transaction: the call above may have refreshed them.
            conn._pleo_set_tokens(dict(REVOKED_TOKEN_VALS, revoked_reason=False))
            conn._pleo_close_activities()
            conn.message_post(
                body=_("Disconnected from Pleo; stored tokens deleted. %s", revoked)
            )
        return True

    # ------------------------------------------------------------------
    # People: activities and chatter
    # ------------------------------------------------------------------
    def _pleo_responsible(self):
        self.ensure_one()
        user = self.responsible_user_id
        if not user or not user.active or user.share:
            user = self.create_uid
        if not user or not user.active or user.share:
            user = self.env.ref("base.user_admin", raise_if_not_found=False)
        return user

    def _pleo_notify_failure(self, summary, note=None, attention=True):
        """Make a failure reach the responsible accountant.

        Posts a chatter note, puts the connection in "Needs attention" (unless
        `attention` is False) and schedules one activity per distinct summary:
        an identical open activity is not stacked again. Export and sync code
        call this for failed jobs and items. Never pass secrets in `note`.
        """
        activity_type = self.env.ref(
            "pleo_connector.mail_activity_pleo_attention", raise_if_not_found=False
        )
        for conn in self.sudo():
            vals = {"last_error": note or summary}
            if attention and conn.state == "connected":
                vals["state"] = "attention"
            conn.write(vals)
            body = Markup("<p><strong>%s</strong></p>") % summary
            if note:
                body += Markup("<p>%s</p>") % html_escape(note).replace(
                    "\n", Markup("<br/>")
                )
            conn.message_post(body=body, subtype_xmlid="mail.mt_note")
            open_same = conn.activity_ids.filtered(
                lambda a, s=summary: (
                    a.summary == s
                    and (not activity_type or a.activity_type_id == activity_type)
                )
            )
            if open_same:
                continue
            user = conn._pleo_responsible()
            conn.activity_schedule(
                activity_type_id=activity_type.id if activity_type else None,
                summary=summary,
                note=note or "",
                user_id=user.id if user else self.env.uid,
            )
        return True

    def _pleo_close_activities(self, feedback=None):
        activity_type = self.env.ref(
            "pleo_connector.mail_activity_pleo_attention", raise_if_not_found=False
        )
        for conn in self.sudo():
            activities = conn.activity_ids
            if activity_type:
                activities = activities.filtered(
                    lambda a: a.activity_type_id == activity_type
                )
            if activities:
                activities.action_feedback(feedback=feedback or _("Resolved"))

    @pleo_requires(PLEO_USER, "read")
    def action_pleo_mark_resolved(self):
        """The accountant has dealt with the problem: back to Connected."""
        for conn in self:
            if conn.state == "attention":
                conn.sudo().write({"state": "connected", "last_error": False})
            conn._pleo_close_activities(_("Marked as resolved"))
        return True

    def _pleo_lose_authorisation(self, reason):
        res = super()._pleo_lose_authorisation(reason)
        if not res:
            return res
        self._pleo_notify_failure(
            _("Pleo authorisation lost: connect to Pleo again"),
            _(
                "Pleo refused the stored authorisation (%s). Nothing is exported "
                "or synchronised until an administrator opens the connection and "
                "uses Connect to Pleo.",
                reason,
            ),
            attention=False,
        )
        return res

    # ------------------------------------------------------------------
    # Setup wizard
    # ------------------------------------------------------------------
    @pleo_requires(PLEO_MANAGER, "write")
    def action_pleo_open_setup(self):
        self.ensure_one()
        return self.env["pleo.setup.wizard"]._pleo_action_open(self)

    @api.model
    def _pleo_company_connection(self, company=None):
        company = company or self.env.company
        return self.with_context(active_test=False).search(
            [("company_id", "=", company.id)], limit=1
        )
