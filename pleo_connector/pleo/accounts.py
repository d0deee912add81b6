"""Chart of accounts API v1 (Pleo's bookkeeping accounts)."""

from __future__ import annotations

from .client_base import chunks, compact, segment

# POST /v1/chart-of-accounts/batch takes 1..1000 items.
ACCOUNTS_PER_BATCH = 1000


class AccountsMixin:
    def iter_accounts(self, archived=None, exclude_contra=False):
        """All accounts; archived=None returns active and archived ones.

        exclude_contra=True leaves out the accounts Pleo's accounting settings
        use as contra accounts (of a wallet)."""
        body = compact(
            {
                "companyId": self._require_company(),
                "excludeIfAssignedToCategory": False,
                "excludeIfAssignedToContraAccount": bool(exclude_contra),
                "archived": archived,
            }
        )
        return self._items("POST", "/v1/chart-of-accounts:search", json=body)

    def create_account(
        self, external_id, name, code=None, archived=False, tax_code_external_id=None
    ):
        body = compact(
            {
                "companyId": self._require_company(),
                "externalId": external_id,
                "name": name,
                "archived": archived,
                "code": code,
                "taxCodeExternalId": tax_code_external_id,
            }
        )
        return self._data("POST", "/v1/chart-of-accounts", json=body)

    def create_accounts_batch(self, items):
        """Create accounts in batches of 1000.

        `items` are Pleo-shaped dicts ({externalId, name, archived?, code?,
        taxCodeExternalId?, metadata?}). Pleo creates the valid ones and lists
        the others under "failed" with their reasons; nothing is rolled back.
        """
        company_id = self._require_company()
        merged = {"created": [], "failed": []}
        for chunk in chunks(items, ACCOUNTS_PER_BATCH):
            body = {
                "companyId": company_id,
                "items": [{"archived": False, **item} for item in chunk],
            }
            data = self._data("POST", "/v1/chart-of-accounts/batch", json=body) or {}
            merged["created"].extend(data.get("created") or [])
            merged["failed"].extend(data.get("failed") or [])
        return merged

    def update_account(
        self, account_id, name, archived, code=None, tax_code_external_id=None
    ):
        # A full update: null clears code / tax code, as the spec allows.
        body = {
            "name": name,
            "archived": archived,
            "code": code,
            "taxCodeExternalId": tax_code_external_id,
        }
        path = f"/v1/chart-of-accounts/{segment(account_id)}"
        return self._data("PUT", path, json=body)
