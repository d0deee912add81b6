"""A client that reads from Pleo and only pretends to write.

A master-data preview runs the very sync code the real sync runs, with this
client: what it would send is recorded instead, so the preview cannot drift
from what the sync then does. Only read calls reach Pleo.
"""

from __future__ import annotations

import itertools

# Calls that only read; everything else is a write and is recorded, not sent.
READ_PREFIXES = ("list_", "iter_", "get_")
# Attributes of the wrapped client passed through as they are.
PASSTHROUGH = {"close", "request_count", "page_size", "company_id"}


class DryRunClient:
    def __init__(self, client):
        object.__setattr__(self, "_client", client)
        object.__setattr__(self, "writes", [])
        object.__setattr__(self, "_ids", itertools.count(1))
        object.__setattr__(self, "_invented", set())

    def __setattr__(self, name, value):
        setattr(self._client, name, value)  # e.g. page_size

    def __getattr__(self, name):
        if name in PASSTHROUGH:
            return getattr(self._client, name)
        if name.startswith(READ_PREFIXES):
            return self._reader(name)
        return self._writer(name)

    def _reader(self, name):
        method = getattr(self._client, name)

        def read(*args, **kwargs):
            # A record this preview only pretended to create has nothing below it.
            if args and args[0] in self._invented:
                return []
            return method(*args, **kwargs)

        return read

    def _invent(self):
        pleo_id = f"preview-{next(self._ids)}"
        self._invented.add(pleo_id)
        return pleo_id

    def _writer(self, name):
        if not callable(getattr(self._client, name, None)):
            raise AttributeError(name)

        def write(*args, **kwargs):
            self.writes.append((name, args, kwargs))
            if name.endswith("_batch"):
                items = args[0] if args else kwargs.get("items", [])
                return {
                    "created": [{**item, "id": self._invent()} for item in items],
                    "failed": [],
                }
            return {"id": self._invent()}

        return write
