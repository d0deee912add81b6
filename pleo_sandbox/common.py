"""Small shared helpers: the sandbox clock, timestamps, ids and body validation."""

from __future__ import annotations

import re
import threading
import time
import uuid
from datetime import datetime, timezone

from .web import ApiError, bad_request

# Namespace for ids that are derived rather than random (seeded master data).
NAMESPACE = uuid.UUID("5a1e0b1c-9d1e-4c0a-8f00-91e0b5a0d000")
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")


class Clock:
    """Wall clock with an offset, so tests can jump past expiries without sleeping."""

    def __init__(self):
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += float(seconds)

    @property
    def offset(self) -> float:
        return self._offset


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def derived_id(*parts) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts)))


def new_id() -> str:
    return str(uuid.uuid4())


def is_uuid(value) -> bool:
    return isinstance(value, str) and bool(UUID_RE.match(value))


def path_uuid(req, name) -> str:
    value = req.params[name]
    if not is_uuid(value):
        raise bad_request(
            f"Path parameter [{name}] must be a UUID", "PARAMETER_VALIDATION_FAILED"
        )
    return value.lower()


def require(body: dict, *names) -> None:
    missing = [n for n in names if body.get(n) is None]
    if missing:
        raise bad_request(f"Missing required field(s): {', '.join(missing)}")


def text(body, name, *, required=False, max_len=None, min_len=0, nullable=True):
    """Return a string field, checking type and length like Pleo's validators."""
    value = body.get(name)
    if value is None:
        if required:
            raise bad_request(f"Missing required field(s): {name}")
        return None
    if not isinstance(value, str):
        raise bad_request(f"Field [{name}] must be a string")
    if max_len is not None and len(value) > max_len:
        raise bad_request(f"Field [{name}] must be at most {max_len} characters")
    if len(value) < min_len:
        raise bad_request(f"Field [{name}] must be at least {min_len} characters")
    return value


def flag(body, name, *, required=False, default=None):
    value = body.get(name)
    if value is None:
        if required:
            raise bad_request(f"Missing required field(s): {name}")
        return default
    if not isinstance(value, bool):
        raise bad_request(f"Field [{name}] must be a boolean")
    return value


def string_list(body, name, *, max_items=None):
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad_request(f"Field [{name}] must be a list of strings")
    if max_items is not None and len(value) > max_items:
        raise bad_request(f"Field [{name}] accepts at most {max_items} values")
    return value


def check_company(state, value, *, where="company_id") -> None:
    """A credential reaches one company; any other id is refused like Pleo does."""
    if value is None:
        return
    if not is_uuid(value):
        raise bad_request(f"[{where}] must be a UUID", "PARAMETER_VALIDATION_FAILED")
    if value.lower() != state.company_id:
        raise ApiError(403, "FORBIDDEN", f"No access to company {value}")
