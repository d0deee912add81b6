# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pleo's OAuth 2.0 redirect target: checks `state`, exchanges the code."""

import json
import logging

from werkzeug.exceptions import Forbidden

from odoo import _, http
from odoo.exceptions import UserError
from odoo.http import request

_logger = logging.getLogger(__name__)

RESUME_ACTION = "pleo_connector.pleo_setup_resume_action"


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
            return self._page(connection, message)
        if not code:
            raise Forbidden()
        try:
            connection._pleo_oauth_callback(code)
        except UserError as exc:
            return self._page(connection, str(exc))
        # Back into the setup, where it left off: its second step.
        return request.redirect(resume_url(connection))

    @staticmethod
    def _page(connection, message):
        """Odoo's page frame telling what Pleo answered, with the way back."""
        return request.render(
            "pleo_connector.pleo_oauth_result",
            {
                "title": _("Pleo did not connect"),
                "message": message,
                "advice": _(
                    "Nothing was changed in Pleo. Check the client ID and secret "
                    "Pleo issued and the redirect URI registered with Pleo, then "
                    "use Connect to Pleo again."
                ),
                "back_url": resume_url(connection),
                "back_label": _("Back to the Pleo setup"),
            },
            status=400,
        )


def resume_url(connection):
    """The connection's form with the setup wizard open on it (web client URL)."""
    return f"/odoo/pleo.connection/{connection.id}/action-{RESUME_ACTION}"
