# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Registering Odoo's webhook endpoint with Pleo, then receiving Pleo's events."""

from unittest.mock import patch

from odoo.tests import HttpCase, tagged
from odoo.tools import config

from .common_setup import SandboxMixin
from .harness import outside_requests


@tagged("post_install", "-at_install")
class TestWebhookSubscription(SandboxMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._start_sandbox()
        cls.connection = cls.env["pleo.connection"].create(
            cls._api_key_vals(integration_level="4")
        )
        cls.connection.sudo().state = "connected"

    def _subscriptions(self):
        subscriptions = self.sandbox.state.subscriptions.subscriptions.values()
        return [s for s in subscriptions if not s.get("deletedAt")]

    def test_register_creates_one_subscription_and_stores_the_secret(self):
        self.connection.action_pleo_register_webhooks()
        self.connection.action_pleo_register_webhooks()  # again: updated, not doubled

        subscriptions = self._subscriptions()
        self.assertEqual(len(subscriptions), 1)
        subscription = subscriptions[0]
        self.assertEqual(
            subscription["endpointUrl"], self.connection._pleo_webhook_url()
        )
        self.assertEqual(
            sorted(subscription["eventTypes"]),
            ["v1.export-job.created", "v1.vendor.created"],
        )
        self.assertEqual(self.connection.webhook_subscription_id, subscription["id"])
        self.assertEqual(self.connection.webhook_secret, self.sandbox.webhook_secret)

    def test_level_one_listens_to_export_jobs_only(self):
        self.connection.integration_level = "1"
        self.connection.action_pleo_register_webhooks()
        (subscription,) = self._subscriptions()
        self.assertEqual(subscription["eventTypes"], ["v1.export-job.created"])

    def test_vendor_created_in_pleo_arrives_as_one_partner(self):
        self.connection.action_pleo_register_webhooks()
        self.env.flush_all()  # the delivery is served by Odoo's HTTP thread
        # Pleo sends no session cookie: on a server with several databases, only a
        # dbfilter (as production servers set) routes its deliveries.
        dbfilter = f"^{self.env.cr.dbname}$"
        with patch.dict(config.options, {"dbfilter": dbfilter}), outside_requests(self):
            vendor = self.sandbox.create_draft_vendor(
                name="Webhook Supplies GmbH",
                country="DE",
                defaultCurrency="EUR",
                taxRegistrationNumber="DE811907980",
            )
        (delivery,) = [
            d
            for d in self.sandbox.webhook_deliveries
            if d["eventType"] == "v1.vendor.created"
        ]
        self.assertEqual(delivery.get("status"), 200, delivery)
        partners = self.env["res.partner"].search(
            [("name", "=", "Webhook Supplies GmbH")]
        )
        self.assertEqual(len(partners), 1)
        self.assertEqual(partners.vat, "DE811907980")
        # Pleo hears back: the vendor is now ACTIVE with Odoo's external id.
        self.assertEqual(
            self.sandbox.state.vendors.get(vendor["id"])["state"], "ACTIVE"
        )

    def test_unregister_deletes_the_subscription(self):
        self.connection.action_pleo_register_webhooks()
        self.connection.action_pleo_unregister_webhooks()
        self.assertFalse(self._subscriptions())
        self.assertFalse(self.connection.webhook_secret)
