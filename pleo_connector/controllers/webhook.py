# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Receives Pleo's signed webhook deliveries (Standard Webhooks scheme).

A public route: every byte is hostile until the signature and the Pleo company
check out. Each refusal is a 4xx with a small JSON body and writes nothing.
"""

import logging
import re

from odoo import http
from odoo.http import request

from ..models.pleo_webhook_event import PleoWebhookRetry
from ..pleo import errors, verify_webhook

_logger = logging.getLogger(__name__)

# Pleo's events are snapshots of one record: a few kB. Larger is refused unread.
MAX_BODY_BYTES = 1024 * 1024
# The shape of pleo.connection.webhook_token (secrets.token_urlsafe), checked
# before the token reaches a query: PostgreSQL refuses NUL bytes outright.
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{16,128}")
WEBHOOK_ID_RE = re.compile(r"[!-~]{1,255}")
VENDOR_CREATED = "v1.vendor.created"
TEXT_OR_NULL = (str, type(None))
# Vendor fields the handler reads as text (null allowed).
VENDOR_TEXT_FIELDS = (
    "id",
    "companyId",
    "name",
    "state",
    "country",
    "defaultCurrency",
    "registrationNumber",
    "taxRegistrationNumber",
)


def _answer(code, **body):
    return request.make_json_response(body, status=code)


def _read_body(httprequest, limit):
    """The request body, or None when it is longer than `limit`. Never reads
    more than limit + 1 bytes."""
    length = httprequest.content_length
    if length is not None:
        # Bounded by Content-Length, and cached by werkzeug for Odoo's retries.
        return httprequest.get_data() if length <= limit else None
    # Chunked: no length to check first. Odoo's wrapper does not forward the
    # werkzeug stream, so read it from the request it wraps.
    stream = getattr(httprequest, "_HTTPRequest__wrapped", httprequest).stream
    chunks, size = [], 0
    while size <= limit:
        chunk = stream.read(limit + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks) if size <= limit else None


def _payload_problem(payload, webhook_id, body):
    """Why a verified delivery is malformed, or None."""
    if not isinstance(payload, dict):
        return "the body is not a JSON object"
    if not isinstance(payload.get("data", {}), (dict, type(None))):
        return "data is not a JSON object"
    if not isinstance(payload.get("eventType"), str):
        return "eventType is not text"
    if not isinstance(payload.get("eventId"), TEXT_OR_NULL):
        return "eventId is not text"
    if not WEBHOOK_ID_RE.fullmatch(webhook_id):
        return "malformed webhook-id"
    # A JSON-escaped NUL: PostgreSQL cannot store it in any text column.
    if b"\\u0000" in body:
        return "the body contains a NUL character"
    data = payload.get("data") or {}
    if payload["eventType"] == VENDOR_CREATED:
        if not isinstance(data.get("id"), str) or not data["id"]:
            return "the vendor has no id"
        wrong = [
            key
            for key in VENDOR_TEXT_FIELDS
            if not isinstance(data.get(key), TEXT_OR_NULL)
        ]
        if wrong:
            return f"vendor field(s) {', '.join(wrong)} are not text"
    return None


def _other_company(connection, event_type, data):
    """True when the event is about another Pleo company than the connection's.
    A vendor must name the connection's company; other events are checked when
    they name one."""
    mine = connection.pleo_company_id
    theirs = data.get("companyId")
    if event_type == VENDOR_CREATED:
        return not mine or theirs != mine
    return bool(mine and theirs and theirs != mine)


class PleoWebhookController(http.Controller):
    @http.route(
        "/pleo/webhook/<string:token>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
        # No max_content_length here: werkzeug would drain (read) a body over
        # it before answering 413. The check below reads nothing.
    )
    def pleo_webhook(self, token, **_kwargs):
        if not TOKEN_RE.fullmatch(token):
            return _answer(404, error="unknown endpoint")
        connection = (
            request.env["pleo.connection"]
            .sudo()
            .search([("webhook_token", "=", token)], limit=1)
        )
        if not connection or not connection.webhook_secret:
            return _answer(404, error="unknown endpoint")
        body = _read_body(request.httprequest, MAX_BODY_BYTES)
        if body is None:
            return _answer(413, error=f"body larger than {MAX_BODY_BYTES} bytes")
        headers = request.httprequest.headers
        try:
            payload = verify_webhook(connection.webhook_secret, headers, body)
        except errors.PleoWebhookError as exc:
            _logger.warning(
                "Pleo webhook refused for connection %s: %s", connection.id, exc
            )
            return _answer(401, error="invalid signature")
        problem = _payload_problem(payload, headers.get("webhook-id"), body)
        if problem:
            _logger.warning(
                "Pleo webhook refused for connection %s: %s", connection.id, problem
            )
            return _answer(400, error=problem)
        data = payload.get("data") or {}
        if _other_company(connection, payload["eventType"], data):
            _logger.warning(
                "Pleo webhook refused for connection %s: event of Pleo company %r",
                connection.id,
                data.get("companyId"),
            )
            return _answer(403, error="event of another Pleo company")
        return self._pleo_dispatch(connection, headers.get("webhook-id"), payload)

    def _pleo_dispatch(self, connection, webhook_id, payload):
        event_type = payload["eventType"]
        event = (
            request.env["pleo.webhook.event"]
            .sudo()
            ._pleo_claim(connection, webhook_id, event_type, payload.get("eventId"))
        )
        if not event:
            return _answer(200, status="duplicate")
        try:
            event.handled = connection._pleo_handle_webhook(
                event_type, payload.get("data") or {}
            )
        except PleoWebhookRetry as exc:
            # Forget the delivery so Pleo's next attempt is not a duplicate.
            event.unlink()
            _logger.warning(
                "Pleo webhook %s of connection %s not handled, Pleo will retry: %s",
                event_type,
                connection.id,
                exc,
            )
            return _answer(503, error="not handled now, deliver again later")
        return _answer(200, status="ok")
