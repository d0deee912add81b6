"""Webhook subscriptions API v1 (where Pleo delivers events such as
v1.export-job.created and v1.vendor.created)."""

from __future__ import annotations

from .client_base import compact, segment


class WebhooksMixin:
    def list_subscriptions(self, status=None, event_types=None):
        params = {"status": status, "event_types": event_types}
        return list(self._items("GET", "/v1/subscriptions", params=params))

    def get_subscription(self, subscription_id):
        return self._data("GET", f"/v1/subscriptions/{segment(subscription_id)}")

    @staticmethod
    def _subscription_body(
        endpoint_url, event_types, custom_headers, endpoint_auth, status
    ):
        # endpoint_auth: {"type": "NONE"|"BASIC", "credentials": {...}};
        # status: "ACTIVE" (Pleo's default) or "INACTIVE".
        return compact(
            {
                "endpointUrl": endpoint_url,
                "eventTypes": list(event_types),
                "customHeaders": custom_headers,
                "endpointAuth": endpoint_auth,
                "status": status,
            }
        )

    def create_subscription(
        self,
        endpoint_url,
        event_types,
        custom_headers=None,
        endpoint_auth=None,
        status=None,
    ):
        body = self._subscription_body(
            endpoint_url, event_types, custom_headers, endpoint_auth, status
        )
        return self._data("POST", "/v1/subscriptions", json=body)

    def update_subscription(
        self,
        subscription_id,
        endpoint_url,
        event_types,
        custom_headers=None,
        endpoint_auth=None,
        status=None,
    ):
        body = self._subscription_body(
            endpoint_url, event_types, custom_headers, endpoint_auth, status
        )
        path = f"/v1/subscriptions/{segment(subscription_id)}"
        return self._data("PUT", path, json=body)

    def delete_subscription(self, subscription_id):
        self._request("DELETE", f"/v1/subscriptions/{segment(subscription_id)}")

    def get_subscription_secret(self, subscription_id):
        """The subscription's signing secret, "whsec_..."."""
        path = f"/v1/subscriptions/{segment(subscription_id)}/secret"
        data = self._data("GET", path) or {}
        return data.get("secretKey")
