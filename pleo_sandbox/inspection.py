"""/_sandbox/...: inspect and steer the sandbox over HTTP (no auth, never faulted).

Handlers that send webhooks take the state lock themselves (route lock=False) so a
receiver calling back into the sandbox during delivery cannot deadlock it.
"""

from __future__ import annotations

from .common import flag, path_uuid, text
from .faults import parse_fault
from .web import Response, bad_request, not_found


def _ok(body=None, status=200):
    return Response(status, body if body is not None else {"ok": True})


def _value_error(func, *args, **kwargs):
    try:
        return func(*args, **kwargs)
    except ValueError as exc:
        raise bad_request(str(exc), "SANDBOX_BAD_REQUEST") from None


def info(state, req):
    base = req.base_url
    return _ok(
        {
            "apiUrl": base,
            "authUrl": base,
            "authorizeUrl": f"{base}/oauth/authorize",
            "tokenUrl": f"{base}/oauth/token",
            "clientId": state.auth.client_id,
            "clientSecret": state.auth.client_secret,
            "apiKey": state.auth.api_key,
            "companyId": state.company_id,
            "organizationId": state.organization_id,
            "webhookSecret": state.webhook_secret,
            "seed": state.seed,
        }
    )


def get_state(state, req):
    return _ok(state.snapshot(with_items=req.bool_arg("items", True)))


def list_jobs(state, req):
    now = state.clock.now()
    rows = []
    for job in state.exports.all():
        rows.append({**job.to_json(now, state.config), "counts": job.counts()})
    return _ok({"data": rows})


def create_job(state, req):
    body = req.json_object(required=False)
    data, deliveries = _value_error(
        state.create_job,
        body.get("seed", "demo"),
        notify=body.get("notify", True),
        vendor_based=body.get("vendorBasedBookkeeping", True),
        mix=body.get("mix"),
    )
    return _ok({"data": data, "deliveries": deliveries}, 201)


def reported(state, req):
    job = state.exports.get(path_uuid(req, "jobId"))
    return _ok({"data": job.reported(), "counts": job.counts(), "status": job.status})


def expire_job(state, req):
    job = state.exports.get(path_uuid(req, "jobId"))
    job.last_updated_at = state.clock.now() - state.config.job_expiry - 1
    expire_pending = state.config.expire_pending
    state.config.expire_pending = True  # forcing: pending jobs expire as well
    try:
        state.exports.refresh(job)
    finally:
        state.config.expire_pending = expire_pending
    return _ok({"data": job.to_json(state.clock.now(), state.config)})


def reset(state, req):
    body = req.json_object(required=False)
    _value_error(state.reset, body.get("seed"), tokens=bool(body.get("tokens")))
    return _ok({"ok": True, "seed": state.seed})


def get_requests(state, req):
    return _ok(state.requests.to_json())


def clear_requests(state, req):
    state.requests.reset()
    return _ok()


def list_faults(state, req):
    return _ok({"data": state.faults.to_json(), "fired": state.faults.fired})


def add_faults(state, req):
    body = req.json()
    specs = body if isinstance(body, list) else [body]
    added = []
    for spec in specs:
        fault = _value_error(parse_fault, spec)
        if fault.kind == "expire_tokens":
            state.auth.expire_access_tokens()
        else:
            state.faults.add(fault)
        added.append(fault.to_json())
    return _ok({"data": added}, 201)


def clear_faults(state, req):
    state.faults.clear()
    return _ok()


def expire_tokens(state, req):
    return _ok({"expired": state.auth.expire_access_tokens()})


def advance_clock(state, req):
    body = req.json_object()
    seconds = body.get("advance")
    if not isinstance(seconds, int | float) or isinstance(seconds, bool):
        raise bad_request("[advance] must be a number of seconds")
    state.clock.advance(seconds)
    return _ok({"offset": state.clock.offset})


def send_webhook(state, req):
    body = req.json_object()
    url, event_type = body.get("url"), body.get("eventType")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise bad_request("[url] must be an http(s) URL")
    result = _value_error(state.send_webhook, url, event_type, body.get("data"))
    return _ok(result)


def deliveries(state, req):
    with state.lock:
        return _ok({"data": list(state.subscriptions.deliveries)})


def create_vendor(state, req):
    body = req.json_object(required=False)
    vendor, sent = state.create_draft_vendor(body, notify=body.get("notify", True))
    return _ok({"data": vendor, "deliveries": sent}, 201)


def put_account(state, req):
    """Add or change a chart-of-accounts row by code, as a Pleo admin would by
    hand: `contra` marks it as a wallet's contra account in Pleo's settings."""
    body = req.json_object()
    code = text(body, "code", required=True, min_len=1, max_len=255)
    row = state.accounts.put(
        code,
        text(body, "name", max_len=255),
        contra=flag(body, "contra"),
        archived=flag(body, "archived"),
        external_id=text(body, "externalId", max_len=255),
    )
    return _ok({"data": {**row, "contra": row["id"] in state.accounts.contra}})


def put_tax_code(state, req):
    """Add or change a tax code by code, as a Pleo admin would by hand."""
    body = req.json_object()
    code = text(body, "code", required=True, min_len=1, max_len=255)
    rate = body.get("rate")
    if rate is not None and (
        isinstance(rate, bool)
        or not isinstance(rate, int | float)
        or not 0 <= rate <= 1
    ):
        raise bad_request("[rate] must be a decimal between 0 and 1 (0.25 = 25%)")
    type_ = body.get("type")
    if type_ is not None and type_ not in ("inclusive", "reverse"):
        raise bad_request("[type] must be inclusive or reverse")
    row = state.tax_codes.put(
        code,
        text(body, "name", max_len=255),
        rate,
        type_,
        archived=flag(body, "archived"),
    )
    return _ok({"data": row})


def entry(state, req):
    item = state.exports.entry_item(req.params["entryId"], req.base_url)
    if item is None:
        raise not_found("Unknown accounting entry", "EXPORT_ENTRY_NOT_FOUND")
    return _ok({"data": item})


ROUTES = [
    ("GET", "/_sandbox", info),
    ("GET", "/_sandbox/state", get_state),
    ("GET", "/_sandbox/jobs", list_jobs),
    ("POST", "/_sandbox/jobs", create_job, False),
    ("GET", "/_sandbox/jobs/{jobId}/reported", reported),
    ("POST", "/_sandbox/jobs/{jobId}/expire", expire_job),
    ("POST", "/_sandbox/reset", reset),
    ("GET", "/_sandbox/requests", get_requests),
    ("DELETE", "/_sandbox/requests", clear_requests),
    ("GET", "/_sandbox/faults", list_faults),
    ("POST", "/_sandbox/faults", add_faults),
    ("DELETE", "/_sandbox/faults", clear_faults),
    ("POST", "/_sandbox/tokens/expire", expire_tokens),
    ("POST", "/_sandbox/clock", advance_clock),
    ("POST", "/_sandbox/webhooks/send", send_webhook, False),
    ("GET", "/_sandbox/webhooks", deliveries),
    ("POST", "/_sandbox/vendors", create_vendor, False),
    ("GET", "/_sandbox/entries/{entryId}", entry),
    ("POST", "/_sandbox/accounts", put_account),
    ("POST", "/_sandbox/tax-codes", put_tax_code),
]
