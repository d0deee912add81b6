"""Pleo's pages of export items grouped into booking batches."""

from pleo_connector.services.export_batches import (
    MAX_BATCH_ITEMS,
    BatchSizer,
    booking_batches,
    receipt_bytes,
    receipt_urls,
)


def item(entry, size=1000, files=1):
    return {
        "accountingEntryId": entry,
        "files": [
            {"url": f"https://files.example/{entry}/{n}", "size": size}
            for n in range(files)
        ],
    }


def pages_of(counts, size=1000):
    """(cursor, items) pages as the client yields them: no cursor for the first."""
    pages, number = [], 0
    for page_no, count in enumerate(counts):
        items = [item(f"e{number + n}", size) for n in range(count)]
        number += count
        pages.append((f"c{page_no}" if page_no else None, items))
    return pages


def entries(batch):
    return [p["accountingEntryId"] for page in batch for p in page]


def test_pages_are_grouped_up_to_the_item_bound():
    batches = list(booking_batches(pages_of([100] * 12), set(), max_items=500))
    assert [len(entries(b)) for b, _next, _c in batches] == [500, 500, 200]
    # Each batch is whole pages, and says which cursor reads on after it.
    assert [len(b) for b, _next, _c in batches] == [5, 5, 2]
    assert [c for _b, _next, c in batches] == ["c5", "c10", None]
    # The next batch comes with this one, for its receipts to download.
    assert [entries(n) for _b, n, _c in batches] == [
        entries(batches[1][0]),
        entries(batches[2][0]),
        [],
    ]


def test_large_receipts_make_smaller_batches():
    # 100 items of 1 MB a page: 64 MB admits no second page.
    batches = list(booking_batches(pages_of([100] * 3, size=2**20), set()))
    assert [len(b) for b, _next, _c in batches] == [1, 1, 1]


def test_a_page_larger_than_the_bound_is_a_batch_of_its_own():
    batches = list(booking_batches(pages_of([3, 3]), set(), max_items=2))
    assert [len(entries(b)) for b, _next, _c in batches] == [3, 3]


def test_items_pleo_holds_final_are_left_out_and_empty_pages_skipped():
    pages = pages_of([2, 2, 2])
    done = {"e0", "e2", "e3"}
    batches = list(booking_batches(pages, done, max_items=2))
    # The second page has nothing left: the third, whole, would pass the bound.
    assert [entries(b) for b, _next, _c in batches] == [["e1"], ["e4", "e5"]]
    assert [c for _b, _next, c in batches] == ["c2", None]


def test_without_a_tight_time_limit_batches_keep_their_item_bound():
    assert BatchSizer()() == MAX_BATCH_ITEMS
    assert BatchSizer(limit=-1)() == MAX_BATCH_ITEMS
    # Odoo's default limit of 120 s: a batch of 500 fits its 30 s share.
    assert BatchSizer(limit=120)() == MAX_BATCH_ITEMS


def test_under_a_tight_time_limit_batches_follow_the_measured_pace():
    sizer = BatchSizer(limit=20)
    assert sizer() == 125  # 5 s at the first estimate of 40 ms an item
    sizer.booked(100, 1.0)  # 10 ms an item
    assert sizer() == 500
    sizer.booked(300, 6.0)  # 20 ms an item
    assert sizer() == 250
    sizer.booked(0, 0.0)  # an empty batch teaches nothing
    assert sizer() == 250


def test_the_bound_is_read_as_each_batch_is_formed():
    sizer = BatchSizer(limit=20)  # 125 items: one page of 100
    batches = booking_batches(pages_of([100] * 12), set(), max_items=sizer)
    first, upcoming, _cursor = next(batches)
    assert [len(first), len(upcoming)] == [1, 1]
    sizer.booked(100, 1.0)  # faster than assumed: 500 items
    _batch, upcoming, _cursor = next(batches)
    assert len(upcoming) == 5


def test_nothing_left_yields_no_batch():
    assert list(booking_batches(pages_of([2]), {"e0", "e1"})) == []
    assert list(booking_batches(iter([]), set())) == []


def test_receipt_helpers_read_pleo_files():
    items = [item("a", 10, files=2), {"accountingEntryId": "b", "files": None}]
    items.append({"accountingEntryId": "c", "files": [{"url": "u", "size": "9"}]})
    assert receipt_urls(items) == [
        "https://files.example/a/0",
        "https://files.example/a/1",
        "u",
    ]
    assert receipt_bytes(items) == 20  # a size that is not a number counts 0
