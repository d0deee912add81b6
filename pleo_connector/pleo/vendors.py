"""Vendors API v1 (two-way: ERP suppliers <-> Pleo vendors)."""

from __future__ import annotations

from .client_base import chunks, compact, segment

# Each list filter of POST /v1/vendors:search takes at most 100 values.
VENDOR_FILTER_MAX = 100


def _camel(name):
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


class VendorsMixin:
    def iter_vendors(self, **filters):
        """Vendors matching Pleo's search filters.

        Filters are the body fields of the search, in snake_case or Pleo's own
        camelCase: codes, external_ids, ids, tax_registration_numbers,
        countries, accounting_systems, name, states. One list longer than
        Pleo's 100-value limit is searched in several calls.
        """
        params = {"company_id": self._require_company()}
        body = compact({_camel(key): value for key, value in filters.items()})
        long_lists = [
            key
            for key, value in body.items()
            if isinstance(value, (list, tuple, set)) and len(value) > VENDOR_FILTER_MAX
        ]
        if len(long_lists) > 1:
            raise ValueError(
                f"Only one vendor filter may exceed {VENDOR_FILTER_MAX} values"
            )
        if not long_lists:
            yield from self._items(
                "POST", "/v1/vendors:search", params=params, json=body
            )
            return
        key = long_lists[0]
        for chunk in chunks(body[key], VENDOR_FILTER_MAX):
            part = {**body, key: chunk}
            yield from self._items(
                "POST", "/v1/vendors:search", params=params, json=part
            )

    def get_vendor(self, vendor_id):
        return self._data("GET", f"/v1/vendors/{segment(vendor_id)}")

    def create_vendor(
        self,
        name,
        default_currency,
        code=None,
        external_id=None,
        country=None,
        registration_number=None,
        tax_registration_number=None,
    ):
        body = {
            "companyId": self._require_company(),
            "name": name,
            "defaultCurrency": default_currency,
            "code": code,
            "externalId": external_id,
            "country": country,
            "registrationNumber": registration_number,
            "taxRegistrationNumber": tax_registration_number,
        }
        return self._data("POST", "/v1/vendors", json=compact(body))

    def update_vendor(
        self,
        vendor_id,
        name,
        default_currency,
        external_id,
        state,
        code=None,
        country=None,
        registration_number=None,
        tax_registration_number=None,
    ):
        """Replace a vendor; `state` is ACTIVE, DRAFT or ARCHIVED."""
        body = {
            "companyId": self._require_company(),
            "name": name,
            "defaultCurrency": default_currency,
            "externalId": external_id,
            "state": state,
            "code": code,
            "country": country,
            "registrationNumber": registration_number,
            "taxRegistrationNumber": tax_registration_number,
        }
        return self._data(
            "PUT", f"/v1/vendors/{segment(vendor_id)}", json=compact(body)
        )

    def activate_vendor(self, vendor_id, external_id, code=None):
        """Tell Pleo the vendor now exists in the ERP (DRAFT -> ACTIVE)."""
        body = compact({"externalId": external_id, "code": code})
        path = f"/v1/vendors/{segment(vendor_id)}:activate"
        return self._data("POST", path, json=body, idempotent=True)

    def archive_vendor(self, vendor_id):
        path = f"/v1/vendors/{segment(vendor_id)}:archive"
        return self._data("POST", path, idempotent=True)
