"""Fault injection and the per-client rate limit.

A fault answers the next `count` matching requests with an error status, a delay,
or a dropped connection, so retry/backoff paths of the client are really run.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections import deque
from dataclasses import asdict, dataclass

KINDS = ("status", "slow", "drop", "consent_denied", "expire_tokens")
DEFAULT_BODIES = {
    429: ("TOO_MANY_REQUESTS", "Rate limit exceeded, retry later"),
    500: ("INTERNAL_SERVER_ERROR", "Internal server error"),
    502: ("BAD_GATEWAY", "Bad gateway"),
    503: ("SERVICE_UNAVAILABLE", "Service temporarily unavailable"),
    504: ("GATEWAY_TIMEOUT", "Gateway timeout"),
}
_ids = itertools.count(1)


@dataclass
class Fault:
    kind: str
    count: int | None = 1  # None: until cleared
    path_prefix: str = ""
    method: str | None = None
    status: int = 503
    retry_after: int | None = None
    delay: float = 0.0
    type: str | None = None
    message: str | None = None
    id: int = 0

    def matches(self, method, path) -> bool:
        if self.method and self.method.upper() != method:
            return False
        return path.startswith(self.path_prefix)

    def body(self) -> dict:
        type_, message = DEFAULT_BODIES.get(self.status, ("ERROR", "Injected fault"))
        return {"type": self.type or type_, "message": self.message or message}

    def to_json(self):
        return asdict(self)


def parse_fault(spec: dict) -> Fault:
    """A Fault from JSON; shorthands: {"status": 503}, {"delay": 2}, {"drop": 1}."""
    if not isinstance(spec, dict):
        raise ValueError("A fault is a JSON object")
    spec = dict(spec)
    kind = spec.pop("kind", None)
    if kind is None:
        if spec.pop("drop", False):
            kind = "drop"
        elif "status" in spec:
            kind = "status"
        elif "delay" in spec:
            kind = "slow"
    else:
        spec.pop("drop", None)
    if kind not in KINDS:
        raise ValueError(f"Unknown fault kind {kind!r}; known: {', '.join(KINDS)}")
    if "path" in spec:
        spec["path_prefix"] = spec.pop("path")
    allowed = set(Fault.__dataclass_fields__) - {"kind", "id"}
    unknown = set(spec) - allowed
    if unknown:
        raise ValueError(f"Unknown fault field(s): {', '.join(sorted(unknown))}")
    fault = Fault(kind=kind, **spec)
    if fault.kind == "status" and not 400 <= int(fault.status) <= 599:
        raise ValueError("status must be a 4xx or 5xx code")
    if fault.count is not None and int(fault.count) < 1:
        raise ValueError("count must be >= 1 (or null for until cleared)")
    if fault.kind == "status" and fault.status == 429 and fault.retry_after is None:
        fault.retry_after = 1
    fault.id = next(_ids)
    return fault


class Faults:
    def __init__(self):
        self._lock = threading.Lock()
        self.active: list[Fault] = []
        self.fired = 0

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self.active.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self.active.clear()

    def _consume(self, fault):
        self.fired += 1
        if fault.count is not None:
            fault.count -= 1
            if fault.count <= 0:
                self.active.remove(fault)

    def take(self, method, path) -> Fault | None:
        """The first request-level fault matching this request, consumed once."""
        with self._lock:
            for fault in self.active:
                if fault.kind in ("status", "slow", "drop") and fault.matches(
                    method, path
                ):
                    self._consume(fault)
                    return fault
        return None

    def take_consent_denied(self) -> bool:
        with self._lock:
            for fault in self.active:
                if fault.kind == "consent_denied":
                    self._consume(fault)
                    return True
        return False

    def to_json(self):
        with self._lock:
            return [f.to_json() for f in self.active]


class RateLimiter:
    """At most `limit` requests per rolling `window` seconds per client bucket."""

    def __init__(self, limit: int | None, window: float = 60.0):
        self.limit, self.window = limit, window
        self._hits: dict[str, deque] = {}
        self._lock = threading.Lock()
        self.rejected = 0

    def check(self, key: str, now: float) -> int | None:
        """Record a hit; return Retry-After seconds when over the limit."""
        if not self.limit:
            return None
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                self.rejected += 1
                return max(1, math.ceil(hits[0] + self.window - now))
            hits.append(now)
            return None

    def reset(self):
        with self._lock:
            self._hits.clear()
