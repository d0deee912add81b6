"""Tax codes (v0). `code` is the ERP key that accounts' taxCodeExternalId refer to.

Rates are decimals (0.25 = 25 %), so a connector sending 25 gets a 400; Pleo says
exclusive codes are not supported, so they are refused too.
"""

from __future__ import annotations

from .common import check_company, derived_id, flag, iso, new_id, path_uuid, text
from .pagination import paginate_rows
from .web import ApiError, Response, bad_request, not_found

TYPES = ("inclusive", "exclusive", "reverse")


class TaxCodeStore:
    def __init__(self, state):
        self.state = state
        self.codes: dict[str, dict] = {}

    def seed(self, rows):
        now = iso(self.state.clock.now())
        for code, name, rate, type_, ingoing, outgoing in rows:
            tid = derived_id("tax", code)
            self.codes[tid] = {
                "id": tid,
                "companyId": self.state.company_id,
                "name": name,
                "code": code,
                "rate": rate,
                "type": type_,
                "archived": False,
                "ingoingTaxAccount": ingoing,
                "outgoingTaxAccount": outgoing,
                "accountingIntegrationSystem": None,
                "createdAt": now,
                "updatedAt": now,
            }

    def get(self, tax_id) -> dict:
        found = self.codes.get(tax_id)
        if found is None:
            raise not_found(f"Tax code {tax_id} not found", "TAX_CODE_NOT_FOUND")
        return found

    def exists(self, code) -> bool:
        return any(t["code"] == code for t in self.codes.values())

    def put(self, code, name=None, rate=None, type=None, archived=None):
        """Add the tax code `code`, or change it, as a Pleo admin would by hand
        (a tax code the ERP has no counterpart for). Returns the row."""
        row = next((t for t in self.codes.values() if t["code"] == code), None)
        if row is None:
            self.seed([(code, name or code, 0.25, "inclusive", None, None)])
            row = next(t for t in self.codes.values() if t["code"] == code)
        for key, value in (("name", name), ("rate", rate), ("type", type)):
            if value is not None:
                row[key] = value
        if archived is not None:
            row["archived"] = bool(archived)
        row["updatedAt"] = iso(self.state.clock.now())
        return row


def _values(state, body, exclude=None) -> dict:
    check_company(state, text(body, "companyId", required=True), where="companyId")
    name = text(body, "name", required=True, min_len=1, max_len=255)
    archived = flag(body, "archived", required=True)
    rate = body.get("rate")
    if rate is None:
        raise bad_request("Missing required field(s): rate")
    if (
        isinstance(rate, bool)
        or not isinstance(rate, int | float)
        or not 0 <= rate <= 1
    ):
        raise bad_request("[rate] must be a decimal between 0 and 1 (0.25 = 25%)")
    type_ = body.get("type")
    if type_ not in TYPES:
        raise bad_request(f"[type] must be one of {', '.join(TYPES)}")
    if type_ == "exclusive":
        raise bad_request("Exclusive tax codes are not currently supported")
    code = text(body, "code", max_len=255)
    if code is not None:
        for other in state.tax_codes.codes.values():
            if other["id"] != exclude and other["code"] == code:
                raise ApiError(
                    409, "TAX_CODE_ALREADY_EXISTS", f"Tax code {code} exists"
                )
    return {
        "name": name,
        "code": code,
        "rate": rate,
        "type": type_,
        "archived": archived,
        "ingoingTaxAccount": text(body, "ingoingTaxAccount"),
        "outgoingTaxAccount": text(body, "outgoingTaxAccount"),
    }


def create(state, req):
    values = _values(state, req.json_object())
    now = iso(state.clock.now())
    row = {
        "id": new_id(),
        "companyId": state.company_id,
        **values,
        "accountingIntegrationSystem": None,
        "createdAt": now,
        "updatedAt": now,
    }
    state.tax_codes.codes[row["id"]] = row
    return Response(201, {"data": row})


def get(state, req):
    return Response(200, {"data": state.tax_codes.get(path_uuid(req, "taxCodeId"))})


def update(state, req):
    row = state.tax_codes.get(path_uuid(req, "taxCodeId"))
    row.update(_values(state, req.json_object(), exclude=row["id"]))
    row["updatedAt"] = iso(state.clock.now())
    return Response(200, {"data": row})


def delete(state, req):
    row = state.tax_codes.get(path_uuid(req, "taxCodeId"))
    del state.tax_codes.codes[row["id"]]
    return Response(204)


SORT = {"code": lambda r: r["code"], "name": lambda r: r["name"]}


def search(state, req):
    check_company(state, req.arg("company_id"))
    body = req.json_object(required=False)
    archived, code, type_ = body.get("archived"), body.get("code"), body.get("type")
    ids = body.get("taxCodeIds") or []
    if type_ is not None and type_ not in TYPES:
        raise bad_request(f"[type] must be one of {', '.join(TYPES)}")
    rows = [
        r
        for r in state.tax_codes.codes.values()
        if (archived is None or r["archived"] == archived)
        and (code is None or r["code"] == code)
        and (type_ is None or r["type"] == type_)
        and (not ids or r["id"] in ids)
    ]
    page = paginate_rows(
        req, rows, fields=SORT, default="code", max_limit=state.config.max_page_size
    )
    return Response(200, page)


ROUTES = [
    ("POST", "/v0/tax-codes", create),
    ("POST", "/v0/tax-codes:search", search),
    ("GET", "/v0/tax-codes/{taxCodeId}", get),
    ("PUT", "/v0/tax-codes/{taxCodeId}", update),
    ("DELETE", "/v0/tax-codes/{taxCodeId}", delete),
]
