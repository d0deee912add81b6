"""Webhook subscriptions (/v1/subscriptions) and Standard Webhooks-signed deliveries.

Pleo's deliveries carry `webhook-id`, `webhook-timestamp`, `webhook-signature:
v1,<base64>` and a `whsec_` secret: the Standard Webhooks scheme, so the
`standardwebhooks` package signs here exactly as a verifier expects.
"""

from __future__ import annotations

import base64
import http.client
import json
import secrets
from datetime import datetime, timezone
from urllib.parse import urlsplit

from standardwebhooks import Webhook

from .common import iso, new_id, path_uuid, string_list, text
from .pagination import paginate_rows
from .web import Response, bad_request, not_found

EVENT_TYPES = ("v1.export-job.created", "v1.vendor.created")
STATUSES = ("ACTIVE", "INACTIVE")
DELIVERY_TIMEOUT = 10


def sign(secret: str, msg_id: str, timestamp: int, body: str) -> str:
    when = datetime.fromtimestamp(timestamp, timezone.utc)
    return Webhook(secret).sign(msg_id, when, body)


def deliver(secret, url, event_type, data, headers=None) -> dict:
    """POST one signed event; returns {url, eventType, eventId, status, error}."""
    event_id = new_id()
    body = json.dumps({"data": data, "eventType": event_type, "eventId": event_id})
    msg_id = "msg_" + secrets.token_urlsafe(18)
    # Real time, not the sandbox clock: receivers check it against their own.
    timestamp = int(datetime.now(timezone.utc).timestamp())
    all_headers = {
        **(headers or {}),
        "Content-Type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, msg_id, timestamp, body),
    }
    result = {
        "url": url,
        "eventType": event_type,
        "eventId": event_id,
        "webhookId": msg_id,
        "status": None,
        "error": None,
    }
    # http.client rather than urllib: it keeps the lower-case header names.
    parts = urlsplit(url)
    connection_class = (
        http.client.HTTPSConnection
        if parts.scheme == "https"
        else http.client.HTTPConnection
    )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection = connection_class(parts.hostname, parts.port, timeout=DELIVERY_TIMEOUT)
    try:
        connection.request("POST", path, body=body.encode(), headers=all_headers)
        answer = connection.getresponse()
        answer.read()
        result["status"] = answer.status
    except (OSError, http.client.HTTPException) as exc:
        result["error"] = str(exc) or type(exc).__name__
    finally:
        connection.close()
    return result


class SubscriptionStore:
    def __init__(self, state):
        self.state = state
        self.subscriptions: dict[str, dict] = {}
        self.activities: list[dict] = []
        self.deliveries: list[dict] = []

    def get(self, sub_id) -> dict:
        found = self.subscriptions.get(sub_id)
        if found is None or found["deletedAt"]:
            raise not_found(
                f"Subscription {sub_id} not found", "SUBSCRIPTION_NOT_FOUND"
            )
        return found

    def log(self, sub_id, operation):
        self.activities.append(
            {
                "id": new_id(),
                "subscriptionId": sub_id,
                "operationType": operation,
                "actorUrn": f"urn:pleo:application:{self.state.auth.client_id}",
                "description": f"Subscription {operation.lower()}d",
                "createdAt": iso(self.state.clock.now()),
            }
        )

    def targets(self, event_type) -> list[tuple[str, dict]]:
        """(url, extra headers) of active subscriptions to an event type."""
        out = []
        for sub in self.subscriptions.values():
            if sub["deletedAt"] or sub["status"] != "ACTIVE":
                continue
            if event_type not in sub["eventTypes"]:
                continue
            headers = dict(sub.get("customHeaders") or {})
            auth = sub.get("endpointAuth") or {}
            creds = auth.get("credentials") or {}
            if auth.get("type") == "BASIC":
                raw = f"{creds.get('username', '')}:{creds.get('password', '')}"
                headers["Authorization"] = (
                    "Basic " + base64.b64encode(raw.encode()).decode()
                )
            out.append((sub["endpointUrl"], headers))
        return out

    def record(self, results):
        self.deliveries.extend(results)
        del self.deliveries[:-1000]


def _values(body) -> dict:
    url = text(body, "endpointUrl", required=True, min_len=1)
    if not url.startswith(("http://", "https://")):
        raise bad_request("[endpointUrl] must be an http(s) URL")
    events = string_list(body, "eventTypes")
    if not events:
        raise bad_request("[eventTypes] must be a non-empty list")
    if len(set(events)) != len(events):
        raise bad_request("[eventTypes] must be unique")
    unknown = [e for e in events if e not in EVENT_TYPES]
    if unknown:
        raise bad_request(f"Unknown event types {unknown}; known: {list(EVENT_TYPES)}")
    status = body.get("status") or "ACTIVE"
    if status not in STATUSES:
        raise bad_request(f"[status] must be one of {', '.join(STATUSES)}")
    headers = body.get("customHeaders")
    if headers is not None and not isinstance(headers, dict):
        raise bad_request("[customHeaders] must be an object")
    auth = body.get("endpointAuth")
    if auth is not None and (
        not isinstance(auth, dict) or auth.get("type", "NONE") not in ("NONE", "BASIC")
    ):
        raise bad_request("[endpointAuth.type] must be NONE or BASIC")
    return {
        "endpointUrl": url,
        "eventTypes": events,
        "status": status,
        "customHeaders": headers,
        "endpointAuth": auth,
    }


def create(state, req):
    values = _values(req.json_object())
    now = iso(state.clock.now())
    sub = {
        "id": new_id(),
        **values,
        "createdAt": now,
        "updatedAt": now,
        "deletedAt": None,
        "deletedBy": None,
    }
    state.subscriptions.subscriptions[sub["id"]] = sub
    state.subscriptions.log(sub["id"], "CREATE")
    return Response(200, {"data": sub})


def list_all(state, req):
    status = req.arg("status")
    events = req.args("event_types")
    rows = [
        s
        for s in state.subscriptions.subscriptions.values()
        if not s["deletedAt"]
        and (not status or s["status"] == status)
        and (not events or set(events) & set(s["eventTypes"]))
    ]
    return Response(200, paginate_rows(req, rows, max_limit=state.config.max_page_size))


def get(state, req):
    return Response(200, {"data": state.subscriptions.get(path_uuid(req, "id"))})


def update(state, req):
    sub = state.subscriptions.get(path_uuid(req, "id"))
    sub.update(_values(req.json_object()), updatedAt=iso(state.clock.now()))
    state.subscriptions.log(sub["id"], "UPDATE")
    return Response(200, {"data": sub})


def delete(state, req):
    sub = state.subscriptions.get(path_uuid(req, "id"))
    sub["deletedAt"] = iso(state.clock.now())
    sub["deletedBy"] = f"urn:pleo:application:{state.auth.client_id}"
    state.subscriptions.log(sub["id"], "DELETE")
    return Response(204)


def activities(state, req):
    sub_id = path_uuid(req, "id")
    if sub_id not in state.subscriptions.subscriptions:
        raise not_found(f"Subscription {sub_id} not found", "SUBSCRIPTION_NOT_FOUND")
    kinds = req.args("operation_types")
    rows = [
        a
        for a in state.subscriptions.activities
        if a["subscriptionId"] == sub_id and (not kinds or a["operationType"] in kinds)
    ]
    return Response(200, paginate_rows(req, rows, max_limit=state.config.max_page_size))


def secret(state, req):
    state.subscriptions.get(path_uuid(req, "id"))
    return Response(200, {"data": {"secretKey": state.webhook_secret}})


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


ROUTES = [
    ("GET", "/v1/subscriptions", list_all),
    ("POST", "/v1/subscriptions", create),
    ("GET", "/v1/subscriptions/{id}", get),
    ("PUT", "/v1/subscriptions/{id}", update),
    ("DELETE", "/v1/subscriptions/{id}", delete),
    ("GET", "/v1/subscriptions/{id}/activities", activities),
    ("GET", "/v1/subscriptions/{id}/secret", secret),
]
