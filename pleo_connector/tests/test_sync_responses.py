# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Level 2 against Pleo answers scripted with `responses` (loopback URL): the
calls made, and one refused tag that does not stop the others."""

import json

import responses

from odoo import Command
from odoo.tests import TransactionCase, tagged

API = "http://127.0.0.1:9"
GROUP_ID = "6f1c3b2a-0000-4000-8000-000000000001"


@tagged("post_install", "-at_install")
class TestSyncWithResponses(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plan = cls.env["account.analytic.plan"].create({"name": "Cost centre"})
        Analytic = cls.env["account.analytic.account"]
        cls.ok = Analytic.create({"name": "Kept", "code": "K1", "plan_id": cls.plan.id})
        cls.bad = Analytic.create(
            {"name": "Refused", "code": "R1", "plan_id": cls.plan.id}
        )
        cls.connection = cls.env["pleo.connection"].create(
            {
                "name": "Pleo mocked",
                "environment": "custom",
                "custom_url": API,
                "auth_method": "api_key",
                "api_key": "key",
                "pleo_company_id": "6f1c3b2a-0000-4000-8000-0000000000c0",
                "state": "connected",
                "integration_level": "2",
                "pleo_analytic_plan_ids": [Command.set(cls.plan.ids)],
            }
        )

    def test_tags_sync_calls_and_a_refused_tag(self):
        with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
            mock.get(f"{API}/v0/tag-groups", json={"data": []})
            mock.post(
                f"{API}/v0/tag-groups",
                json={
                    "data": {
                        "id": GROUP_ID,
                        "code": f"PLAN{self.plan.id}",
                        "name": "Cost centre",
                        "archived": False,
                    }
                },
                status=201,
            )
            mock.get(
                f"{API}/v0/tag-groups/{GROUP_ID}/tags",
                json={"data": [], "pagination": {"hasNextPage": False}},
            )

            def create_tag(request):
                body = json.loads(request.body)
                if body["code"] == "R1":
                    return (
                        409,
                        {},
                        json.dumps(
                            {"type": "TAG_ALREADY_EXISTS", "message": "Code R1 exists"}
                        ),
                    )
                return 201, {}, json.dumps({"data": {"id": "tag-k1", **body}})

            mock.add_callback(
                responses.POST,
                f"{API}/v0/tag-groups/{GROUP_ID}/tags",
                callback=create_tag,
                content_type="application/json",
            )
            log = self.connection._pleo_sync("tags")
            calls = [
                (c.request.method, c.request.url.split("?")[0]) for c in mock.calls
            ]
        self.assertEqual(log.state, "partial")
        self.assertEqual((log.count_created, log.count_failed), (2, 1))
        self.assertIn("Refused [R1]", log.message)
        self.assertIn("Code R1 exists", log.message)
        # Level 2: tag endpoints only.
        self.assertTrue(all("/v0/tag" in url for _method, url in calls), calls)
        bound = self.env["pleo.binding"].search(
            [("connection_id", "=", self.connection.id), ("pleo_kind", "=", "tag")]
        )
        self.assertEqual(bound.mapped("res_id"), [self.ok.id])
