# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pleo's pages of export items grouped into booking batches. No Odoo, no HTTP.

Odoo books a batch in one create and one post, and empties its record cache at
every commit: the fewer and larger the batches, the closer the import comes to
Odoo's own speed. A batch is whole pages, so the resume cursor stays a page
boundary and each page is one report call. Its receipts are in memory while it
is booked and the next batch's are downloading, so a batch is bounded by the
receipts' declared size as well as by its count of items.
"""

MAX_BATCH_ITEMS = 500
MAX_BATCH_BYTES = 64 * 1024 * 1024
# A batch may take this share of Odoo's worker time limit: a run the limit
# stops has committed the batches before, and a fresh run has time for one.
BATCH_SHARE_OF_TIME_LIMIT = 0.25
# Seconds per item assumed before a run has booked its first batch: above
# what an item with receipts, a vendor bill and its wallet payment costs.
FIRST_ITEM_SECONDS = 0.04


class BatchSizer:
    """Items per booking batch, bounded by time as well as by count.

    Under a worker time limit of `limit` seconds, a batch is sized to take at
    most a quarter of it, by the seconds per item of the run's last batch (an
    estimate before the first). Without a limit, or with Odoo's default of
    120 s, batches keep `max_items`."""

    def __init__(self, limit=None, max_items=MAX_BATCH_ITEMS):
        self.budget = limit * BATCH_SHARE_OF_TIME_LIMIT if limit and limit > 0 else None
        self.max_items = max_items
        self.item_seconds = FIRST_ITEM_SECONDS

    def __call__(self):
        if not self.budget:
            return self.max_items
        return max(1, min(self.max_items, int(self.budget / self.item_seconds)))

    def booked(self, items, seconds):
        """A batch of `items` took `seconds`: the next ones are sized by it."""
        if items and seconds > 0:
            self.item_seconds = seconds / items


def receipt_urls(payloads):
    """The receipt links of items, in order."""
    return [f["url"] for p in payloads for f in p.get("files") or [] if f.get("url")]


def receipt_bytes(payloads):
    """The receipts' size as Pleo declares it (`files[].size`)."""
    return sum(
        f.get("size") or 0
        for p in payloads
        for f in p.get("files") or []
        if isinstance(f.get("size"), int)
    )


def booking_batches(pages, done, max_items=MAX_BATCH_ITEMS, max_bytes=MAX_BATCH_BYTES):
    """(batch, next batch, cursor) triples, from Pleo's (cursor, items) pages.

    A batch is a list of pages, each the list of its items not in `done` (the
    entries Pleo already holds final); pages with nothing left are skipped. A
    batch holds at least one page, and more while it stays within `max_items`
    items (a number, or a function read as each batch is formed, such as a
    BatchSizer) and `max_bytes` of receipts. The next batch is read before this one
    is yielded, so its receipts can download while this one is booked; the
    cursor reads on after this batch (None after the last one)."""
    pages = iter(pages)
    pending = next(pages, None)  # the first page not yet in a batch

    def take():
        nonlocal pending
        batch, count, size = [], 0, 0
        limit = max_items() if callable(max_items) else max_items
        while pending is not None:
            todo = [p for p in pending[1] if p["accountingEntryId"] not in done]
            more, weight = len(todo), receipt_bytes(todo)
            if batch and (count + more > limit or size + weight > max_bytes):
                break
            if todo:
                batch.append(todo)
                count, size = count + more, size + weight
            pending = next(pages, None)
        return batch, (pending[0] if pending is not None else None)

    current, after = take()
    while current:
        upcoming, after_upcoming = take()
        yield current, upcoming, after
        current, after = upcoming, after_upcoming
