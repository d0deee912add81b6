# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Level 4, Pleo -> Odoo: the signed v1.vendor.created webhook makes one partner."""

import json
import time
import uuid
from datetime import datetime, timezone

from standardwebhooks.webhooks import Webhook

from odoo.tests import HttpCase, tagged

from .common_sync import PleoSyncCase


@tagged("post_install", "-at_install")
class TestVendorWebhook(PleoSyncCase, HttpCase):
    def draft_vendor(self, **values):
        name = "Pleo Technologies GmbH"
        vat = "DE36538686"
        return self.webhook_vendor(
            **{"name": name, "taxRegistrationNumber": vat} | values
        )

    def post(self, data, msg_id=None, secret=None, timestamp=None, tamper=False):
        body = json.dumps(
            {
                "data": data,
                "eventType": "v1.vendor.created",
                "eventId": str(uuid.uuid4()),
            }
        )
        msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
        when = datetime.fromtimestamp(timestamp or time.time(), tz=timezone.utc)
        signature = Webhook(secret or self.connection.sudo().webhook_secret).sign(
            msg_id, when, body
        )
        if tamper:
            body = body.replace("GmbH", "GmbX")
        return self.url_open(
            f"/pleo/webhook/{self.connection.sudo().webhook_token}",
            data=body.encode(),
            headers={
                "Content-Type": "application/json",
                "webhook-id": msg_id,
                "webhook-timestamp": str(int(when.timestamp())),
                "webhook-signature": signature,
            },
        )

    def partners(self, name="Pleo Technologies GmbH"):
        return (
            self.env["res.partner"]
            .with_context(active_test=False)
            .search([("name", "=", name)])
        )

    def test_signed_delivery_creates_one_partner_and_activates_the_vendor(self):
        data = self.draft_vendor()
        response = self.post(data, msg_id="msg_vendor_1")
        self.assertEqual(response.status_code, 200)
        partner = self.partners()
        self.assertEqual(len(partner), 1)
        self.assertEqual(partner.vat, "DE36538686")
        self.assertEqual(partner.country_id.code, "DE")
        self.assertEqual(partner.company_id, self.company)
        self.assertGreater(partner.supplier_rank, 0)
        vendor = self.sandbox.state.vendors.vendors[data["id"]]
        self.assertEqual(vendor["state"], "ACTIVE")
        self.assertEqual(vendor["externalId"], str(partner.id))
        self.assertEqual(vendor["code"], str(partner.id))
        binding = self.env["pleo.binding"].search(
            [("pleo_kind", "=", "vendor"), ("pleo_id", "=", data["id"])]
        )
        self.assertEqual((binding.res_id, binding.origin), (partner.id, "pleo"))
        # The same delivery again (Pleo retries), then a new delivery of the same
        # vendor: still one partner.
        self.assertEqual(self.post(data, msg_id="msg_vendor_1").status_code, 200)
        self.assertEqual(self.post(data).status_code, 200)
        self.assertEqual(len(self.partners()), 1)
        # The next push sync leaves the vendor as Pleo has it: no write call.
        self.reset_requests()
        self.sync("vendors")
        self.assertNotIn("PUT /v1/vendors/{id}", self.write_calls())

    def test_bad_signature_or_replay_creates_nothing(self):
        data = self.draft_vendor()
        response = self.post(data, secret="whsec_" + "d3Jvbmctc2VjcmV0LWtleQ==")
        self.assertEqual(response.status_code, 401)
        response = self.post(data, tamper=True)
        self.assertEqual(response.status_code, 401)
        response = self.post(data, timestamp=time.time() - 3600)
        self.assertEqual(response.status_code, 401)
        self.assertFalse(self.partners())
        self.assertFalse(self.partners("Pleo Technologies GmbX"))
        self.assertEqual(
            self.sandbox.state.vendors.vendors[data["id"]]["state"], "DRAFT"
        )

    def test_partner_with_same_vat_is_linked_not_duplicated(self):
        existing = self.env["res.partner"].create(
            {"name": "Pleo Tech (DE)", "vat": "de 365 386 86", "is_company": True}
        )
        data = self.draft_vendor()
        self.assertEqual(self.post(data).status_code, 200)
        self.assertFalse(self.partners())
        self.assertGreater(existing.supplier_rank, 0)
        vendor = self.sandbox.state.vendors.vendors[data["id"]]
        self.assertEqual(vendor["externalId"], str(existing.id))

    def test_partner_with_same_name_is_linked(self):
        existing = self.env["res.partner"].create(
            {"name": "Pleo Technologies GmbH", "is_company": True}
        )
        data = self.draft_vendor(taxRegistrationNumber=None)
        self.assertEqual(self.post(data).status_code, 200)
        self.assertEqual(self.partners(), existing)

    def test_missed_webhook_is_caught_up_by_the_vendor_sync(self):
        data = self.draft_vendor(name="Missed GmbH", taxRegistrationNumber="DE999")
        self.sync("vendors")
        partner = self.partners("Missed GmbH")
        self.assertEqual(len(partner), 1)
        vendor = self.sandbox.state.vendors.vendors[data["id"]]
        self.assertEqual(
            (vendor["state"], vendor["externalId"]), ("ACTIVE", str(partner.id))
        )
        self.reset_requests()
        self.sync("vendors")
        self.assertEqual(self.write_calls(), {})
