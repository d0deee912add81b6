"""Standard Webhooks signature checks of Pleo's deliveries."""

import base64
import hashlib
import hmac
import json
import time

import pytest

from pleo_connector.pleo import errors, verify_webhook

KEY = b"0123456789abcdef0123456789abcdef"
SECRET = "whsec_" + base64.b64encode(KEY).decode()
BODY = json.dumps(
    {
        "data": {"id": "job-1", "status": "pending"},
        "eventType": "v1.export-job.created",
        "eventId": "ev-1",
    }
).encode()


def sign(body=BODY, msg_id="msg_1", timestamp=None, key=KEY):
    """Signature per the Standard Webhooks spec, written out independently."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    content = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, content, hashlib.sha256).digest()
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": "v1," + base64.b64encode(digest).decode(),
    }


def test_valid_delivery_returns_the_payload():
    payload = verify_webhook(SECRET, sign(), BODY)
    assert payload["eventType"] == "v1.export-job.created"
    assert payload["data"]["id"] == "job-1"


def test_header_names_are_case_insensitive():
    headers = {key.title(): value for key, value in sign().items()}
    assert verify_webhook(SECRET, headers, BODY)["eventId"] == "ev-1"


def test_any_v1_signature_may_match_during_secret_rotation():
    headers = sign()
    old = sign(key=b"x" * 32)["webhook-signature"]
    headers["webhook-signature"] = (
        f"v2,abc garbage {old} {headers['webhook-signature']}"
    )
    assert verify_webhook(SECRET, headers, BODY)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda h, b: ({**h, "webhook-signature": "v1,AAAA"}, b),
        lambda h, b: (h, b.replace(b"job-1", b"job-2")),
        lambda h, b: ({**h, "webhook-id": "msg_2"}, b),
        lambda h, b: ({**h, "webhook-signature": h["webhook-signature"][3:]}, b),
    ],
    ids=["bad-signature", "changed-body", "changed-id", "unversioned"],
)
def test_bad_signature_is_refused(tamper):
    headers, body = tamper(sign(), BODY)
    with pytest.raises(errors.PleoWebhookError, match="signature"):
        verify_webhook(SECRET, headers, body)


def test_other_secret_is_refused():
    headers = sign(key=b"y" * 32)
    with pytest.raises(errors.PleoWebhookError):
        verify_webhook(SECRET, headers, BODY)


@pytest.mark.parametrize("offset", [-301, 301])
def test_stale_or_future_timestamp_is_refused(offset):
    headers = sign(timestamp=int(time.time()) + offset)
    with pytest.raises(errors.PleoWebhookError, match="tolerance"):
        verify_webhook(SECRET, headers, BODY)


def test_tolerance_is_configurable():
    headers = sign(timestamp=int(time.time()) - 400)
    assert verify_webhook(SECRET, headers, BODY, tolerance=600)
    with pytest.raises(errors.PleoWebhookError):
        verify_webhook(SECRET, headers, BODY, tolerance=60)


@pytest.mark.parametrize(
    "missing", ["webhook-id", "webhook-timestamp", "webhook-signature"]
)
def test_missing_header_is_refused(missing):
    headers = sign()
    del headers[missing]
    with pytest.raises(errors.PleoWebhookError, match="Missing"):
        verify_webhook(SECRET, headers, BODY)


@pytest.mark.parametrize(
    "timestamp",
    [
        "yesterday",
        "-1",
        "+1700000000",
        " 1700000000",
        "1_700_000_000",
        "1e9",
        "\u0661\u0667\u0660\u0660",
        "9" * 13,
        "9" * 400,
        "9" * 5000,
    ],
    ids=[
        "text",
        "negative",
        "plus-sign",
        "space",
        "underscores",
        "exponent",
        "arabic-digits",
        "13-digits",
        "400-digits",
        "5000-digits",
    ],
)
def test_malformed_timestamp_is_refused(timestamp):
    headers = {**sign(), "webhook-timestamp": timestamp}
    with pytest.raises(errors.PleoWebhookError, match="timestamp"):
        verify_webhook(SECRET, headers, BODY)


def test_timestamp_beyond_the_calendar_is_a_webhook_error():
    """With the tolerance switched off the date conversion is reached; a year
    past 9999 is refused like any bad delivery, not raised as ValueError."""
    headers = sign(timestamp=999_999_999_999)
    with pytest.raises(errors.PleoWebhookError, match="out of range"):
        verify_webhook(SECRET, headers, BODY, tolerance=float("inf"))


@pytest.mark.parametrize("secret", ["", "whsec_", "whsec_***not base64***"])
def test_unusable_secret_is_refused(secret):
    with pytest.raises(errors.PleoWebhookError, match="secret"):
        verify_webhook(secret, sign(), BODY)


def test_signed_body_that_is_not_json_is_refused():
    body = b"not json"
    with pytest.raises(errors.PleoWebhookError, match="JSON"):
        verify_webhook(SECRET, sign(body=body), body)


def test_signed_body_nested_beyond_the_parser_stack_is_refused():
    body = b"[" * 200_000 + b"]" * 200_000
    with pytest.raises(errors.PleoWebhookError, match="JSON"):
        verify_webhook(SECRET, sign(body=body), body)
