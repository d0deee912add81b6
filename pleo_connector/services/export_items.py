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


def item_summary(payload, ctx):
    amount = (payload.get("amount") or {}).get("inSupplierCurrency") or {}
    info = payload.get("additionalInformation") or {}
    supplier = (payload.get("supplier") or {}).get("name")
    return {
        "item_type": payload.get("type"),
        "bookkeeping_method": (payload.get("bookkeeping") or {}).get("method"),
        "date": (payload.get("date") or "")[:10] or False,
        "description": " - ".join(x for x in (supplier, payload.get("note")) if x),
        "currency_code": amount.get("currency"),
        "amount": (amount.get("value") or 0)
        / 10 ** ctx.currency_digits.get(amount.get("currency"), 2),
        "reconciliation_id": info.get("reconciliationId"),
    }
