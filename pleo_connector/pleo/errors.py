"""Typed errors of the Pleo client.

Each carries Pleo's machine code (`type`), its human `message`, the HTTP status and
the request id Pleo (or a gateway in front of it) put in the response headers, so
the ORM layer can show something actionable and support can trace the call.
"""

from __future__ import annotations

import email.utils
import time

# Header names that carry a request/trace id, most specific first.
REQUEST_ID_HEADERS = (
    "x-request-id",
    "x-correlation-id",
    "request-id",
    "x-amzn-requestid",
    "x-amz-request-id",
)


class PleoError(Exception):
    """Base of every error raised by the Pleo client."""

    retryable = False

    def __init__(self, message, status=None, type=None, request_id=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.type = type
        self.request_id = request_id

    def __str__(self):
        head = " ".join(str(part) for part in (self.status, self.type) if part)
        text = f"{head}: {self.message}" if head else str(self.message)
        if self.request_id:
            text += f" (request id {self.request_id})"
        return text


class PleoConnectionError(PleoError):
    """Pleo could not be reached or did not answer in time."""

    retryable = True


class PleoAuthError(PleoError):
    """401: the credential was refused (after one refresh, for OAuth)."""


class PleoTokenRevoked(PleoAuthError):
    """The refresh token is spent, expired or revoked: a person must re-authorise."""


class PleoForbidden(PleoError):
    """403: the credential lacks the scope or access."""


class PleoNotFound(PleoError):
    """404."""


class PleoConflict(PleoError):
    """409: duplicate code/externalId, or an export already in progress."""


class PleoValidationError(PleoError):
    """400 or 422: invalid input or an illegal state transition."""


class PleoPayloadTooLarge(PleoError):
    """413: a batch above Pleo's limit."""


class PleoRateLimited(PleoError):
    """429 that persisted through the client's retries."""

    retryable = True

    def __init__(
        self, message, status=None, type=None, request_id=None, retry_after=None
    ):
        super().__init__(message, status, type, request_id)
        self.retry_after = retry_after  # seconds Pleo asked for, when it said so


class PleoServerError(PleoError):
    """5xx that persisted through the client's retries."""

    retryable = True


class PleoWebhookError(PleoError):
    """A webhook delivery failed verification."""


STATUS_ERRORS = {
    400: PleoValidationError,
    401: PleoAuthError,
    403: PleoForbidden,
    404: PleoNotFound,
    409: PleoConflict,
    413: PleoPayloadTooLarge,
    422: PleoValidationError,
    429: PleoRateLimited,
}


def request_id_of(response):
    for name in REQUEST_ID_HEADERS:
        value = response.headers.get(name)
        if value:
            return value
    return None


def _retry_after(response):
    value = response.headers.get("Retry-After")
    if not value:
        return None
    if value.strip().isdigit():
        return int(value)
    parsed = email.utils.parsedate_to_datetime(value)  # HTTP-date form
    return max(0, int(parsed.timestamp() - time.time())) if parsed else None


def _type_and_message(response):
    """Pleo's {"type", "message"}; OAuth's {"error", "error_description"}."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        type_ = body.get("type") or body.get("error") or body.get("code")
        message = body.get("message") or body.get("error_description")
        if type_ or message:
            return type_, message or response.reason
    text = (response.text or "").strip()
    return None, text[:300] or response.reason or f"HTTP {response.status_code}"


def error_from_response(response, error_class=None):
    """The typed error for a failed HTTP response."""
    status = response.status_code
    if error_class is None:
        error_class = STATUS_ERRORS.get(status)
    if error_class is None:
        error_class = PleoServerError if status >= 500 else PleoError
    type_, message = _type_and_message(response)
    request = response.request
    if request is not None:
        message = f"{message} [{request.method} {request.path_url.split('?')[0]}]"
    kwargs = {}
    if error_class is PleoRateLimited:
        try:
            kwargs["retry_after"] = _retry_after(response)
        except (TypeError, ValueError):
            pass
    return error_class(message, status, type_, request_id_of(response), **kwargs)
