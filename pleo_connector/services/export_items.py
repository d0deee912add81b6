# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pure helpers of the Level 1 export: item outcomes, summaries, receipt names and
Pleo timestamps. No Odoo, no HTTP."""

import json
from datetime import datetime

import pytz


def item_failure(failure_type, message, payload):
    return {
        "status": "failed",
        "failure_type": failure_type,
        "message": str(message),
        "payload_json": json.dumps(payload),
    }


def receipt_file_name(payload, n, file):
    url = (file.get("url") or "").split("?")[0]
    tail = url.rstrip("/").rsplit("/", 1)[-1]
    if tail and "." in tail:
        return tail
    ext = {
        "application/pdf": "pdf",
        "image/jpeg": "jpg",
        "image/png": "png",
    }.get(file.get("type"), "bin")
    book = (payload.get("additionalInformation") or {}).get("reconciliationId")
    return f"pleo-{book or payload['accountingEntryId']}-{n}.{ext}"


def pleo_datetime(value):
    if not value:
        return False
    stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return stamp.astimezone(pytz.utc).replace(tzinfo=None)


def pleo_iso(value):
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


BOOKKEEPING_KEYS = ("journal", "accounts_payable", "none")


def item_summary(payload, ctx, known_types=()):
    amount = (payload.get("amount") or {}).get("inSupplierCurrency") or {}
    info = payload.get("additionalInformation") or {}
    supplier = (payload.get("supplier") or {}).get("name")
    kind = payload.get("type")
    method = (payload.get("bookkeeping") or {}).get("method")
    return {
        "item_type": kind if kind in known_types else "other",
        "bookkeeping_method": method if method in BOOKKEEPING_KEYS else False,
        "date": (payload.get("date") or "")[:10] or False,
        "description": " - ".join(x for x in (supplier, payload.get("note")) if x),
        "currency_code": amount.get("currency"),
        "amount": (amount.get("value") or 0)
        / 10 ** ctx.currency_digits.get(amount.get("currency"), 2),
        "reconciliation_id": info.get("reconciliationId"),
    }


# A receipt Pleo could not serve for a passing reason (5xx, timeout, 429) is
# tried again by the next runs, this many times in all; Pleo expires a job left
# without updates for about an hour, and the export runs every 5 minutes.
MAX_DOWNLOAD_ATTEMPTS = 5


class ReceiptUnavailable(Exception):
    """A receipt download failed for a reason that may pass by itself."""

    def __init__(self, n, reason):
        super().__init__(reason)
        self.n = n
        self.reason = reason


def transient_reason(exc):
    """What went wrong, in words an accountant uses (no status codes)."""
    status = getattr(exc, "status", None)
    if status == 429:
        return "Pleo asked Odoo to slow down"
    if status and status >= 500:
        return "Pleo's file service was unavailable"
    return "Pleo did not answer in time"


def deferred_outcome(exc, attempts):
    """The outcome of an item whose receipt will be fetched again by the next run."""
    return {
        "status": "deferred",
        "attempts": attempts,
        "message": (
            f"Receipt {exc.n} could not be fetched yet ({exc.reason}); attempt "
            f"{attempts} of {MAX_DOWNLOAD_ATTEMPTS}. The next run tries again."
        ),
    }


def download_given_up(exc, attempts, payload):
    """The failure of an item whose receipt stayed unavailable run after run."""
    return item_failure(
        "receipt_download_failure",
        f"Receipt {exc.n} could not be fetched from Pleo after {attempts} "
        f"attempts ({exc.reason}), so the expense was not booked. When Pleo "
        "works again, a Pleo manager can press Retry.",
        payload,
    )


def receipt_not_yet(exc, payload):
    """A retried item whose receipt Pleo could not serve this time."""
    return item_failure(
        "receipt_download_failure",
        f"Receipt {exc.n} could not be fetched from Pleo ({exc.reason}), so "
        "the expense was not booked. Try again later.",
        payload,
    )
