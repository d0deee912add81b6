"""Vendors (/v1/vendors): ERP-created vendors are ACTIVE; vendors a bookkeeper
creates in Pleo (POST /_sandbox/vendors) are DRAFT with code null until the
integration activates them with its externalId.
"""

from __future__ import annotations

from .common import (
    COUNTRY_RE,
    CURRENCY_RE,
    check_company,
    derived_id,
    iso,
    new_id,
    path_uuid,
    text,
)
from .pagination import paginate_rows
from .web import ApiError, Response, bad_request, not_found

STATES = ("DRAFT", "ACTIVE", "ARCHIVED")
OPTIONAL = (
    "code",
    "externalId",
    "country",
    "registrationNumber",
    "taxRegistrationNumber",
)


class VendorStore:
    def __init__(self, state):
        self.state = state
        self.vendors: dict[str, dict] = {}

    def seed(self, vendors: dict):
        for key, values in vendors.items():
            self.add({**values, "id": derived_id("vendor", key)}, "ACTIVE")

    def add(self, values: dict, state: str) -> dict:
        now = iso(self.state.clock.now())
        vendor = {
            "id": values.get("id") or new_id(),
            "companyId": self.state.company_id,
            "name": values["name"],
            "code": values.get("code"),
            "externalId": values.get("externalId"),
            "country": values.get("country"),
            "defaultCurrency": values["defaultCurrency"],
            "registrationNumber": values.get("registrationNumber"),
            "taxRegistrationNumber": values.get("taxRegistrationNumber"),
            "state": state,
            "accountingSystem": None,
            "createdAt": now,
            "updatedAt": now,
        }
        self.vendors[vendor["id"]] = vendor
        return vendor

    def get(self, vendor_id) -> dict:
        found = self.vendors.get(vendor_id)
        if found is None:
            raise not_found(f"Vendor {vendor_id} not found", "VENDOR_NOT_FOUND")
        return found

    def conflict(self, values, exclude=None):
        """409 when another vendor already has this externalId or code."""
        for other in self.vendors.values():
            if other["id"] == exclude:
                continue
            for key in ("externalId", "code"):
                if values.get(key) and other[key] == values[key]:
                    raise ApiError(
                        409,
                        "VENDOR_ALREADY_EXISTS",
                        f"Vendor with {key} {values[key]} already exists",
                    )

    def webhook_json(self, vendor) -> dict:
        return {**vendor, "createdBy": derived_id("user", "mette"), "deletedAt": None}


def _values(body, *, update=False) -> dict:
    values = {
        "name": text(body, "name", required=True, min_len=1, max_len=255),
        "defaultCurrency": text(body, "defaultCurrency", required=True),
    }
    if not CURRENCY_RE.match(values["defaultCurrency"]):
        raise bad_request("[defaultCurrency] must be an ISO 4217 code such as DKK")
    for key in OPTIONAL:
        values[key] = text(
            body, key, max_len=255, required=update and key == "externalId"
        )
    if values["country"] is not None and not COUNTRY_RE.match(values["country"]):
        raise bad_request("[country] must be an ISO 3166-1 alpha-2 code such as DK")
    return values


def create(state, req):
    body = req.json_object()
    check_company(state, text(body, "companyId", required=True), where="companyId")
    values = _values(body)
    state.vendors.conflict(values)
    return Response(201, {"data": state.vendors.add(values, "ACTIVE")})


def get(state, req):
    return Response(200, {"data": state.vendors.get(path_uuid(req, "id"))})


def update(state, req):
    vendor = state.vendors.get(path_uuid(req, "id"))
    body = req.json_object()
    check_company(state, text(body, "companyId", required=True), where="companyId")
    values = _values(body, update=True)
    new_state = body.get("state")
    if new_state not in STATES:
        raise bad_request(f"[state] is required, one of {', '.join(STATES)}")
    state.vendors.conflict(values, exclude=vendor["id"])
    vendor.update(values, state=new_state, updatedAt=iso(state.clock.now()))
    return Response(200, {"data": vendor})


def activate(state, req):
    vendor = state.vendors.get(path_uuid(req, "id"))
    body = req.json_object()
    values = {
        "externalId": text(body, "externalId", required=True, min_len=1, max_len=255),
        "code": text(body, "code", max_len=255),
    }
    state.vendors.conflict(values, exclude=vendor["id"])
    vendor["externalId"] = values["externalId"]
    if values["code"] is not None:
        vendor["code"] = values["code"]
    vendor.update(state="ACTIVE", updatedAt=iso(state.clock.now()))
    return Response(204)


def archive(state, req):
    vendor = state.vendors.get(path_uuid(req, "id"))
    vendor.update(state="ARCHIVED", updatedAt=iso(state.clock.now()))
    return Response(204)


LIST_FILTERS = {
    "codes": "code",
    "externalIds": "externalId",
    "ids": "id",
    "taxRegistrationNumbers": "taxRegistrationNumber",
    "countries": "country",
    "accountingSystems": "accountingSystem",
    "states": "state",
}
SORT = {"name": lambda v: v["name"], "code": lambda v: v["code"]}


def search(state, req):
    company = req.arg("company_id")
    if not company:
        raise bad_request(
            "Query parameter [company_id] is required", "PARAMETER_VALIDATION_FAILED"
        )
    check_company(state, company)
    body = req.json_object(required=False)
    filters = {}
    for key, field in LIST_FILTERS.items():
        values = body.get(key)
        if values is None:
            continue
        limit = 4 if key == "states" else 100
        if not isinstance(values, list) or len(values) > limit:
            raise bad_request(f"[{key}] must be a list of at most {limit} values")
        if values:
            filters[field] = set(values)
    name = (body.get("name") or "").lower()
    rows = [
        v
        for v in state.vendors.vendors.values()
        if all(v[f] in allowed for f, allowed in filters.items())
        and (not name or name in v["name"].lower())
    ]
    page = paginate_rows(
        req, rows, fields=SORT, default="name", max_limit=state.config.max_page_size
    )
    return Response(200, page)


ROUTES = [
    ("POST", "/v1/vendors", create),
    ("POST", "/v1/vendors:search", search),
    ("GET", "/v1/vendors/{id}", get),
    ("PUT", "/v1/vendors/{id}", update),
    ("POST", "/v1/vendors/{id}:activate", activate),
    ("POST", "/v1/vendors/{id}:archive", archive),
]
