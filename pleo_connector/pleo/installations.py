"""Installations API v1: the app's marketplace installation."""

from __future__ import annotations

from .client_base import compact


class InstallationsMixin:
    # Pleo answers installations unwrapped (no {"data": ...}); _data copes.

    def get_installation(self):
        params = {"company_id": self.company_id}
        return self._data("GET", "/v1/installations/me", params=params)

    def create_installation(self, status=None, metadata=None):
        """Needed with API keys; OAuth consent creates the installation itself."""
        body = compact({"status": status, "metadata": metadata})
        return self._data("POST", "/v1/installations/me", json=body)

    def update_installation(self, status, error_code=None, metadata=None):
        body = compact(
            {"status": status, "errorCode": error_code, "metadata": metadata}
        )
        return self._data("PUT", "/v1/installations/me", json=body)

    def activate_installation(self):
        """Mark the installation ACTIVATED, after the first sync."""
        return self._data("POST", "/v1/installations/me:activate", idempotent=True)

    def delete_installation(self):
        """Uninstall: Pleo also revokes every token of the installation.

        Not retried after a lost answer: the retry would carry a revoked token.
        """
        self._request("DELETE", "/v1/installations/me", idempotent=False)
