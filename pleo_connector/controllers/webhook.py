# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Receives Pleo's signed webhook deliveries (Standard Webhooks scheme)."""

import logging

import psycopg2

from odoo import http
from odoo.http import request

from ..pleo import errors, verify_webhook

_logger = logging.getLogger(__name__)


class PleoWebhookController(http.Controller):
    @http.route(
        "/pleo/webhook/<string:token>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def pleo_webhook(self, token, **_kwargs):
        connection = (
            request.env["pleo.connection"]
            .sudo()
            .search([("webhook_token", "=", token)], limit=1)
        )
        if not connection or not connection.webhook_secret:
            return request.make_json_response({"error": "unknown endpoint"}, status=404)
        body = request.httprequest.get_data()
        headers = request.httprequest.headers
        try:
            payload = verify_webhook(connection.webhook_secret, headers, body)
        except errors.PleoWebhookError as exc:
            _logger.warning(
                "Pleo webhook refused for connection %s: %s", connection.id, exc
            )
            return request.make_json_response(
                {"error": "invalid signature"}, status=401
            )
        webhook_id = headers.get("webhook-id")
        event_type = payload.get("eventType")
        try:
            # The unique constraint makes a repeated delivery a no-op, even when
            # two deliveries of the same message race each other.
            with request.env.cr.savepoint():
                event = (
                    request.env["pleo.webhook.event"]
                    .sudo()
                    .create(
                        {
                            "connection_id": connection.id,
                            "webhook_id": webhook_id,
                            "event_type": event_type,
                            "event_id": payload.get("eventId"),
                        }
                    )
                )
        except psycopg2.IntegrityError:
            return request.make_json_response({"status": "duplicate"}, status=200)
        event.handled = connection._pleo_handle_webhook(
            event_type, payload.get("data") or {}
        )
        return request.make_json_response({"status": "ok"}, status=200)
