"""Tax codes API v0."""

from __future__ import annotations

from .client_base import compact, segment


class TaxCodesMixin:
    def iter_tax_codes(self, archived=None):
        """All tax codes; archived=None returns active and archived ones."""
        params = {"company_id": self.company_id}
        body = compact({"archived": archived})
        return self._items("POST", "/v0/tax-codes:search", params=params, json=body)

    def _tax_code_body(self, name, rate, type, code, archived, ingoing, outgoing):
        # `rate` is a fraction (0.25 = 25 %); `type` inclusive/exclusive/reverse.
        return {
            "companyId": self._require_company(),
            "name": name,
            "rate": rate,
            "type": type,
            "archived": archived,
            "code": code,
            "ingoingTaxAccount": ingoing,
            "outgoingTaxAccount": outgoing,
        }

    def create_tax_code(
        self,
        name,
        rate,
        type,
        code=None,
        archived=False,
        ingoing_tax_account=None,
        outgoing_tax_account=None,
    ):
        body = self._tax_code_body(
            name, rate, type, code, archived, ingoing_tax_account, outgoing_tax_account
        )
        return self._data("POST", "/v0/tax-codes", json=compact(body))

    def update_tax_code(
        self,
        tax_code_id,
        name,
        rate,
        type,
        code=None,
        archived=False,
        ingoing_tax_account=None,
        outgoing_tax_account=None,
    ):
        # A full update: null clears the optional fields, as the spec allows.
        body = self._tax_code_body(
            name, rate, type, code, archived, ingoing_tax_account, outgoing_tax_account
        )
        return self._data("PUT", f"/v0/tax-codes/{segment(tax_code_id)}", json=body)
