"""Retries, backoff and throttling, mounted on a requests HTTPAdapter.

urllib3's Retry decides by HTTP method, but Pleo's POSTs are of two kinds:
searches and state-setting actions (safe to repeat) and creates/job events (not:
a create whose answer was lost may have happened, and a repeated "started" event
is refused). So every call declares itself idempotent or not, and the adapter
picks the matching Retry policy for it (see `retry_policy`):

- idempotent: retried on connection errors, read errors/timeouts and on
  429/502/503/504;
- non-idempotent: retried only where Pleo cannot have acted on the request:
  connection errors (nothing was sent) and 429/503 (refused before processing).
  Never on read timeouts, dropped connections, 502 or 504.
"""

from __future__ import annotations

import contextvars
import random
import threading
from contextlib import contextmanager

from requests.adapters import HTTPAdapter
from requests_ratelimiter import LimiterMixin
from urllib3.util.retry import Retry

IDEMPOTENT_STATUSES = frozenset({429, 502, 503, 504})
REFUSED_STATUSES = frozenset({429, 503})
ALL_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "POST", "PATCH"})

_idempotent_call = contextvars.ContextVar("pleo_idempotent_call", default=True)


@contextmanager
def retry_policy(idempotent):
    """Run the requests of this block under the (non-)idempotent Retry policy."""
    token = _idempotent_call.set(bool(idempotent))
    try:
        yield
    finally:
        _idempotent_call.reset(token)


class Counter:
    """A thread-safe tally of HTTP requests sent (retries included)."""

    def __init__(self):
        self.value = 0
        self._lock = threading.Lock()

    def add(self, n=1):
        with self._lock:
            self.value += n


class PleoRetry(Retry):
    """urllib3 1.26 Retry with jitter, a Retry-After cap and a request tally."""

    # Pleo documents no 413 Retry-After; only these answers mean "come back later".
    RETRY_AFTER_STATUS_CODES = REFUSED_STATUSES
    # A cron worker must not sleep for as long as a confused server asks.
    MAX_RETRY_AFTER = 60
    MAX_BACKOFF = 60

    def __init__(self, *args, counter=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.counter = counter

    def new(self, **kw):
        retry = super().new(**kw)
        retry.counter = self.counter
        return retry

    def increment(self, *args, **kwargs):
        retry = super().increment(*args, **kwargs)  # raises when exhausted
        if self.counter is not None:
            self.counter.add()  # the caller now sends the request again
        return retry

    def get_backoff_time(self):
        # urllib3 1.26 has no backoff_jitter: spread retries of many workers.
        base = super().get_backoff_time()
        jitter = random.uniform(0, self.backoff_factor)
        return min(self.MAX_BACKOFF, base + jitter)

    def parse_retry_after(self, retry_after):
        return min(super().parse_retry_after(retry_after), self.MAX_RETRY_AFTER)


def build_retry(max_retries, backoff_factor, idempotent, counter=None):
    common = {
        "total": max_retries,
        "connect": max_retries,  # nothing reached Pleo: always safe
        "status": max_retries,
        "other": 0,
        "backoff_factor": backoff_factor,
        "allowed_methods": ALL_METHODS,
        "respect_retry_after_header": True,
        "raise_on_status": False,  # the last answer becomes a typed PleoError
        "counter": counter,
    }
    if idempotent:
        return PleoRetry(
            read=max_retries, status_forcelist=IDEMPOTENT_STATUSES, **common
        )
    return PleoRetry(read=False, status_forcelist=REFUSED_STATUSES, **common)


class PleoAdapter(HTTPAdapter):
    """HTTPAdapter choosing its Retry per call and counting requests sent."""

    def __init__(
        self,
        max_retries_idempotent=None,
        max_retries_unsafe=None,
        counter=None,
        **kwargs,
    ):
        self.retry_idempotent = max_retries_idempotent or Retry(0, read=False)
        self.retry_unsafe = max_retries_unsafe or self.retry_idempotent
        self.counter = counter
        super().__init__(**kwargs)

    @property
    def max_retries(self):
        # Read by HTTPAdapter.send (and by `responses` in tests).
        if _idempotent_call.get():
            return self.retry_idempotent
        return self.retry_unsafe

    @max_retries.setter
    def max_retries(self, value):
        pass  # HTTPAdapter.__init__ assigns its default; our policies stay.

    def send(self, request, *args, **kwargs):
        if self.counter is not None:
            self.counter.add()
        return super().send(request, *args, **kwargs)


class ThrottledPleoAdapter(LimiterMixin, PleoAdapter):
    """PleoAdapter that waits for a slot of its own rate limiter before sending."""


def make_adapter(
    max_retries=5,
    backoff_factor=0.5,
    requests_per_minute=0,
    counter=None,
    pool_maxsize=10,
):
    """The adapter the client mounts: retries always, throttle when rpm > 0."""
    policies = {
        "max_retries_idempotent": build_retry(
            max_retries, backoff_factor, True, counter
        ),
        "max_retries_unsafe": build_retry(max_retries, backoff_factor, False, counter),
        "counter": counter,
        "pool_maxsize": pool_maxsize,
    }
    if not requests_per_minute:
        return PleoAdapter(**policies)
    # Our own Retry honours Retry-After: a 429 must not also stall the bucket.
    return ThrottledPleoAdapter(
        per_minute=requests_per_minute, limit_statuses=(), **policies
    )
