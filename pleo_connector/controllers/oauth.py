# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pleo's OAuth 2.0 redirect target: checks `state`, exchanges the code."""

import json
import logging

from markupsafe import Markup
from werkzeug.exceptions import Forbidden

from odoo import _, http
from odoo.exceptions import UserError
from odoo.http import request

_logger = logging.getLogger(__name__)


class PleoOAuthController(http.Controller):
    @http.route(
        "/pleo/oauth/callback", type="http", auth="user", methods=["GET"], csrf=False
    )
    def pleo_oauth_callback(
        self, code=None, state=None, error=None, error_description=None, **_kwargs
    ):
        if not request.env.user.has_group("base.group_system"):
            _logger.warning("Pleo OAuth callback refused: user is not an administrator")
            raise Forbidden()
        try:
            payload = json.loads(state or "")
            connection_id = int(payload["id"])
            csrf = str(payload["csrf"])
        except (ValueError, TypeError, KeyError):
            _logger.warning("Pleo OAuth callback refused: malformed state")
            raise Forbidden() from None
        connection = request.env["pleo.connection"].browse(connection_id).exists()
        if not connection or not connection._pleo_oauth_check_state(csrf):
            _logger.warning("Pleo OAuth callback refused: state does not match")
            raise Forbidden()
        if error:
            message = connection._pleo_oauth_denied(error, error_description)
            return self._page(connection, message, ok=False)
        if not code:
            raise Forbidden()
        try:
            connection._pleo_oauth_callback(code)
        except UserError as exc:
            return self._page(connection, str(exc), ok=False)
        return request.redirect(f"/odoo/pleo.connection/{connection.id}")

    @staticmethod
    def _page(connection, message, ok):
        """A small page telling the user what Pleo answered, linking back."""
        title = _("Connected to Pleo") if ok else _("Pleo did not connect")
        link = f"/odoo/pleo.connection/{connection.id}"
        body = Markup(
            "<!DOCTYPE html><html><head><meta charset='utf-8'/><title>%s</title>"
            "</head><body style='font-family:sans-serif;margin:3em'>"
            "<h1>%s</h1><p class='pleo-oauth-message'>%s</p>"
            "<p><a href='%s'>%s</a></p></body></html>"
        ) % (title, title, message, link, _("Back to the Pleo connection"))
        return request.make_response(
            str(body),
            headers=[("Content-Type", "text/html; charset=utf-8")],
            status=200 if ok else 400,
        )
