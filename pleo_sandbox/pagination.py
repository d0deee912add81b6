"""Pleo's cursor pagination over sorted integer keys.

A cursor is the base32 of "k<key>", so it matches Pleo's ^[A-Z2-7=~]+$. Keys are
positions in a stable order (item index in a job, row in a sorted list), which
lets lazily generated lists (50,000 export items) page without being built.
"""

from __future__ import annotations

import base64
import binascii
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence

from .web import bad_request

PAGING_PARAMS = ("before", "after", "offset", "limit", "sorting_keys", "sorting_order")
ORDERS = (
    "ASC",
    "ASC_NULLS_FIRST",
    "ASC_NULLS_LAST",
    "DESC",
    "DESC_NULLS_FIRST",
    "DESC_NULLS_LAST",
)
CURSOR_RE = re.compile(r"^[A-Z2-7=~]+$")
DEFAULT_LIMIT = 50


def _invalid(message):
    return bad_request(message, "PARAMETER_VALIDATION_FAILED")


def encode_cursor(key: int) -> str:
    return base64.b32encode(f"k{key}".encode()).decode()


def decode_cursor(value: str, name: str) -> int:
    if not CURSOR_RE.match(value):
        raise _invalid(f"Invalid cursor in [{name}]: must match ^[A-Z2-7=~]+$")
    try:
        raw = base64.b32decode(value).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _invalid(f"Invalid cursor in [{name}]") from None
    if not raw.startswith("k") or not raw[1:].isdigit():
        raise _invalid(f"Invalid cursor in [{name}]")
    return int(raw[1:])


def _int_arg(req, name, minimum=0):
    value = req.arg(name)
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except ValueError:
        raise _invalid(f"Query parameter [{name}] must be an integer") from None
    if number < minimum:
        raise _invalid(f"Query parameter [{name}] must be >= {minimum}")
    return number


class PageRequest:
    """The paging part of a request, validated."""

    def __init__(self, req, max_limit):
        self.after = self.before = None
        if req.arg("after"):
            self.after = decode_cursor(req.arg("after"), "after")
        if req.arg("before"):
            self.before = decode_cursor(req.arg("before"), "before")
        self.offset = _int_arg(req, "offset")
        used = [
            n for n in ("after", "before", "offset") if getattr(self, n) is not None
        ]
        if len(used) > 1:
            raise _invalid(f"[{'] and ['.join(used)}] cannot be used together")
        limit = _int_arg(req, "limit")
        self.limit = DEFAULT_LIMIT if limit is None else min(limit, max_limit)
        self.sorting_keys = req.args("sorting_keys")
        self.sorting_order = [o.upper() for o in req.args("sorting_order")]
        bad = [o for o in self.sorting_order if o not in ORDERS]
        if bad:
            raise _invalid(f"Invalid sorting_order {bad}; allowed: {', '.join(ORDERS)}")
        if self.sorting_order and len(self.sorting_order) != len(self.sorting_keys):
            raise _invalid("sorting_order must have one order per sorting key")
        self.parameters = {
            k: list(v) for k, v in req.query.items() if k not in PAGING_PARAMS
        }

    def sort(self, rows: list, fields: dict, default: str) -> list:
        """Sort dict rows by the requested keys (allowed: `fields`, name -> getter)."""
        keys = self.sorting_keys or [default]
        unknown = [k for k in keys if k not in fields]
        if unknown:
            raise _invalid(
                f"Unknown sorting key(s) {unknown}; allowed: {sorted(fields)}"
            )
        orders = self.sorting_order or ["ASC"] * len(keys)
        # Stable sorts applied from the last key to the first.
        for key, order in reversed(list(zip(keys, orders, strict=True))):
            getter = fields[key]
            rows = sorted(
                rows,
                key=lambda r, g=getter: (
                    g(r) is None,
                    g(r) if g(r) is not None else "",
                ),
                reverse=order.startswith("DESC"),
            )
        return rows

    def info(self) -> dict:
        out = {"parameters": self.parameters, "limit": self.limit}
        for name in ("after", "before"):
            if getattr(self, name) is not None:
                out[name] = encode_cursor(getattr(self, name))
        if self.offset is not None:
            out["offset"] = self.offset
        if self.sorting_keys:
            out["sortingKeys"] = self.sorting_keys
            out["sortingOrder"] = self.sorting_order or ["ASC"] * len(self.sorting_keys)
        return out


def paginate(
    req, keys: Sequence[int], render: Callable[[int], dict], max_limit=1000
) -> dict:
    """Answer one page of `keys` (sorted ascending) in Pleo's envelope."""
    page = PageRequest(req, max_limit)
    return page_of(page, keys, render)


def page_of(page: PageRequest, keys: Sequence[int], render) -> dict:
    total = len(keys)
    if page.after is not None:
        start = bisect_right(keys, page.after)
        end = min(total, start + page.limit)
    elif page.before is not None:
        end = bisect_left(keys, page.before)
        start = max(0, end - page.limit)
    else:
        start = min(page.offset or 0, total)
        end = min(total, start + page.limit)
    chosen = [keys[i] for i in range(start, end)]
    info = {
        "currentRequestPagination": page.info(),
        "hasNextPage": end < total,
        "hasPreviousPage": start > 0,
        "total": total,
    }
    if chosen:  # Pleo's cursors are strings, so an empty page has none
        info["startCursor"] = encode_cursor(chosen[0])
        info["endCursor"] = encode_cursor(chosen[-1])
    return {"data": [render(k) for k in chosen], "pagination": info}


def paginate_rows(req, rows: list, *, fields=None, default=None, max_limit=1000):
    """Page an in-memory list of dicts, sorted by the request's sorting keys."""
    page = PageRequest(req, max_limit)
    if fields:
        rows = page.sort(rows, fields, default)
    return page_of(page, range(len(rows)), rows.__getitem__)
