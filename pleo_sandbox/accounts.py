"""Chart of accounts (/v1/chart-of-accounts): single, batch, search, update, delete.

`externalId` is the sync key (409 on a duplicate); `taxCodeExternalId` must name
an existing tax code `code`, else 400, so tax codes have to be synced first.
"""

from __future__ import annotations

from .common import check_company, derived_id, flag, new_id, path_uuid, text
from .pagination import paginate_rows
from .web import ApiError, Response, bad_request, not_found

BATCH_LIMIT = 1000
FIELDS = ("externalId", "name", "code", "archived", "taxCodeExternalId", "metadata")


class AccountStore:
    def __init__(self, state):
        self.state = state
        self.accounts: dict[str, dict] = {}
        self.used: set[str] = set()  # ids with accounting entries: not deletable
        self.category: set[str] = set()  # ids mapped to a Pleo category
        self.contra: set[str] = set()  # ids used as contra account

    def seed(self, rows):
        for code, name, is_contra in rows:
            aid = derived_id("account", code)
            self.accounts[aid] = self._row(aid, code, name, False, code, None, None)
            self.used.add(aid)
            (self.contra if is_contra else self.category).add(aid)

    def _row(self, aid, external_id, name, archived, code, tax, metadata):
        return {
            "id": aid,
            "companyId": self.state.company_id,
            "externalId": external_id,
            "code": code,
            "name": name,
            "archived": archived,
            "taxCodeExternalId": tax,
            "metadata": metadata,
        }

    def get(self, account_id) -> dict:
        found = self.accounts.get(account_id)
        if found is None:
            raise not_found(f"Account {account_id} not found", "ACCOUNT_NOT_FOUND")
        return found

    def by_external_id(self, external_id):
        return next(
            (a for a in self.accounts.values() if a["externalId"] == external_id), None
        )

    def put(self, code, name=None, *, contra=None, archived=None, external_id=None):
        """Add the account with `code`, or change it: what a Pleo admin does in
        Pleo's accounting settings (a contra account, an archived account).
        Returns the row."""
        row = next((a for a in self.accounts.values() if a["code"] == code), None)
        if row is None:
            aid = new_id()
            row = self._row(
                aid, external_id or code, name or code, False, code, None, None
            )
            self.accounts[aid] = row
            self.category.add(aid)
        if name is not None:
            row["name"] = name
        if external_id is not None:
            row["externalId"] = external_id
        if archived is not None:
            row["archived"] = bool(archived)
        if contra is not None:
            (self.contra.add if contra else self.contra.discard)(row["id"])
        return row


def _reasons(state, item: dict) -> list[str]:
    """Batch-style validation: the list of Pleo failure reasons for one item."""
    reasons = []
    external_id, name, code = item.get("externalId"), item.get("name"), item.get("code")
    if not isinstance(external_id, str) or not external_id:
        reasons.append("EXTERNAL_ID_EMPTY")
    elif len(external_id) > 255:
        reasons.append("EXTERNAL_ID_TOO_LONG")
    elif state.accounts.by_external_id(external_id):
        reasons.append("EXTERNAL_ID_ALREADY_EXISTS")
    if not isinstance(name, str) or not name:
        reasons.append("NAME_EMPTY")
    elif len(name) > 255:
        reasons.append("NAME_TOO_LONG")
    if code is not None and (not isinstance(code, str) or len(code) > 255):
        reasons.append("CODE_TOO_LONG")
    tax = item.get("taxCodeExternalId")
    if not isinstance(item.get("archived"), bool) or (
        tax is not None and not state.tax_codes.exists(tax)
    ):
        reasons.append("OTHER")
    return reasons


def _check_tax(state, tax):
    if tax is not None and not state.tax_codes.exists(tax):
        raise bad_request(
            f"Tax code {tax} does not exist in Pleo (taxCodeExternalId must be a "
            "tax code's code)",
            "TAX_CODE_NOT_FOUND",
        )


def _insert(state, item) -> dict:
    row = state.accounts._row(
        new_id(),
        item["externalId"],
        item["name"],
        item["archived"],
        item.get("code"),
        item.get("taxCodeExternalId"),
        item.get("metadata"),
    )
    state.accounts.accounts[row["id"]] = row
    return row


def create(state, req):
    body = req.json_object()
    check_company(state, text(body, "companyId", required=True), where="companyId")
    text(body, "externalId", required=True, min_len=1, max_len=255)
    text(body, "name", required=True, max_len=255)
    text(body, "code", max_len=255)
    flag(body, "archived", required=True)
    _check_tax(state, text(body, "taxCodeExternalId"))
    existing = state.accounts.by_external_id(body["externalId"])
    if existing is not None:
        if all(existing.get(f) == body.get(f) for f in FIELDS if f in body):
            return Response(200, {"data": existing})  # "request matched existing"
        raise ApiError(
            409,
            "EXTERNAL_ID_ALREADY_EXISTS",
            f"An account with externalId {body['externalId']} already exists",
        )
    return Response(201, {"data": _insert(state, body)})


def create_batch(state, req):
    body = req.json_object()
    check_company(state, text(body, "companyId", required=True), where="companyId")
    items = body.get("items")
    if not isinstance(items, list) or not 1 <= len(items) <= BATCH_LIMIT:
        raise bad_request(f"[items] must hold between 1 and {BATCH_LIMIT} accounts")
    created, failed = [], []
    for item in items:
        if not isinstance(item, dict):
            raise bad_request("Every batch item must be a JSON object")
        reasons = _reasons(state, item)
        if reasons:
            failed.append({"reasons": reasons, "request": item})
        else:
            created.append(_insert(state, item))
    return Response(201, {"data": {"created": created, "failed": failed}})


def get(state, req):
    return Response(200, {"data": state.accounts.get(path_uuid(req, "accountId"))})


def update(state, req):
    row = state.accounts.get(path_uuid(req, "accountId"))
    body = req.json_object()
    name = text(body, "name", required=True, max_len=255)
    archived = flag(body, "archived", required=True)
    text(body, "code", max_len=255)
    _check_tax(state, text(body, "taxCodeExternalId"))
    row.update(name=name, archived=archived)
    # Optional fields change only when sent (an explicit null clears them).
    for key in ("code", "taxCodeExternalId", "metadata"):
        if key in body:
            row[key] = body[key]
    return Response(200, {"data": row})


def delete(state, req):
    row = state.accounts.get(path_uuid(req, "accountId"))
    if row["id"] in state.accounts.used:
        raise ApiError(
            409,
            "ACCOUNT_HAS_ACCOUNTING_ENTRIES",
            "Account linked to accounting entries cannot be deleted; archive it",
        )
    del state.accounts.accounts[row["id"]]
    return Response(204)


SORT = {"code": lambda r: r["code"], "name": lambda r: r["name"]}


def search(state, req):
    body = req.json_object()
    check_company(state, text(body, "companyId", required=True), where="companyId")
    store = state.accounts
    no_category = flag(body, "excludeIfAssignedToCategory", default=False)
    no_contra = flag(body, "excludeIfAssignedToContraAccount", default=False)
    archived = flag(body, "archived")
    codes = body.get("codes") or ([body["code"]] if body.get("code") else [])
    ids = body.get("ids") or []
    external_id, name = body.get("externalId"), (body.get("name") or "").lower()

    def keep(row):
        return (
            (archived is None or row["archived"] == archived)
            and (not codes or row["code"] in codes)
            and (not ids or row["id"] in ids)
            and (external_id is None or row["externalId"] == external_id)
            and (not name or name in row["name"].lower())
            and not (no_category and row["id"] in store.category)
            and not (no_contra and row["id"] in store.contra)
        )

    rows = [{**r, "accountingSystem": None} for r in store.accounts.values() if keep(r)]
    page = paginate_rows(
        req, rows, fields=SORT, default="code", max_limit=state.config.max_page_size
    )
    return Response(200, page)


ROUTES = [
    ("POST", "/v1/chart-of-accounts", create),
    ("POST", "/v1/chart-of-accounts/batch", create_batch),
    ("POST", "/v1/chart-of-accounts:search", search),
    ("GET", "/v1/chart-of-accounts/{accountId}", get),
    ("PUT", "/v1/chart-of-accounts/{accountId}", update),
    ("DELETE", "/v1/chart-of-accounts/{accountId}", delete),
]
