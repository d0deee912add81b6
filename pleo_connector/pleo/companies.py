"""Companies API v1."""

from __future__ import annotations

from .client_base import segment


class CompaniesMixin:
    def get_company(self, company_id):
        return self._data("GET", f"/v1/companies/{segment(company_id)}")
