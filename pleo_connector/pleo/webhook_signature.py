"""Verification of Pleo's signed webhook deliveries (Standard Webhooks scheme).

Pleo sends `webhook-id`, `webhook-timestamp` and `webhook-signature: v1,<b64>`
headers and a `whsec_...` secret: the Standard Webhooks scheme. The
`standardwebhooks` package decodes the secret and computes the signature;
we add what its verify() lacks: a configurable timestamp tolerance and
tolerance of malformed signature entries.
"""

from __future__ import annotations

import binascii
import hmac
import json
import re
import time
from datetime import datetime, timezone

from standardwebhooks.webhooks import EmptyWebhookSecretError, Webhook

from .errors import PleoWebhookError

# Unix seconds as digits only: no sign, spaces, underscores or non-ASCII digits,
# and short enough that no date conversion can overflow.
TIMESTAMP_RE = re.compile(r"[0-9]{1,12}")


def _header(headers, name):
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def verify_webhook(secret, headers, body, tolerance=300):
    """The delivery's JSON payload, once its signature and timestamp check out.

    `headers` is any mapping of the request headers, `body` the raw request
    bytes (never re-serialised JSON). Raises PleoWebhookError otherwise.
    """
    try:
        webhook = Webhook(secret)
    except (EmptyWebhookSecretError, binascii.Error, RuntimeError, TypeError) as exc:
        raise PleoWebhookError("The webhook secret is empty or malformed") from exc
    msg_id = _header(headers, "webhook-id")
    timestamp = _header(headers, "webhook-timestamp")
    signatures = _header(headers, "webhook-signature")
    if not (msg_id and timestamp and signatures):
        raise PleoWebhookError("Missing webhook-id, -timestamp or -signature header")
    if not TIMESTAMP_RE.fullmatch(timestamp):
        raise PleoWebhookError("Malformed webhook-timestamp header")
    sent_at = int(timestamp)
    # Replay protection: a captured delivery is useless after `tolerance`.
    if abs(time.time() - sent_at) > tolerance:
        raise PleoWebhookError("Webhook timestamp outside the allowed tolerance")
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
    except UnicodeDecodeError:
        raise PleoWebhookError("Webhook body is not UTF-8") from None
    try:
        signed_at = datetime.fromtimestamp(sent_at, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise PleoWebhookError("Webhook timestamp out of range") from None
    expected = webhook.sign(msg_id, signed_at, text).split(",", 1)[1]
    # Several space-separated entries while Pleo rotates its secret; any v1 wins.
    matched = False
    for entry in signatures.split():
        version, _, signature = entry.partition(",")
        if version == "v1" and hmac.compare_digest(
            signature.encode(), expected.encode()
        ):
            matched = True
    if not matched:
        raise PleoWebhookError("Webhook signature does not match")
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        # RecursionError: nesting deeper than the parser's stack.
        raise PleoWebhookError("Webhook body is not JSON") from None
