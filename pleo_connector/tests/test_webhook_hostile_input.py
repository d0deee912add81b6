# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The public webhook route under hostile input: each bad delivery gets a 4xx
with a small JSON body and writes nothing; a replay is quiet; a vendor import
is all or nothing and retried by Pleo when its activation fails."""

import base64
import hashlib
import hmac
import http.client
import json
import threading
import time
import uuid
from contextlib import contextmanager
from urllib.parse import quote

from odoo import SUPERUSER_ID, api
from odoo.tests import HttpCase, TransactionCase, tagged
from odoo.tests.common import HOST

from ..controllers.webhook import MAX_BODY_BYTES
from .common_sync import PleoSyncCase
from .harness import outside_requests

OTHER_COMPANY = "00000000-0000-4000-8000-000000000001"
COUNTED = ("pleo.webhook.event", "res.partner", "pleo.binding", "pleo.sync.log")


@tagged("post_install", "-at_install")
class TestWebhookHostileInput(PleoSyncCase, HttpCase):
    def setUp(self):
        super().setUp()
        self.addCleanup(self.sandbox.clear_faults)

    # -- helpers ---------------------------------------------------------------
    def vendor(self, **values):
        return self.webhook_vendor(
            **{"name": "Hostile Input GmbH", "taxRegistrationNumber": "DE123456789"}
            | values
        )

    def event(self, data, event_type="v1.vendor.created"):
        return json.dumps(
            {"data": data, "eventType": event_type, "eventId": str(uuid.uuid4())}
        ).encode()

    def signed(self, body, msg_id=None, timestamp=None):
        """Standard Webhooks headers, computed by hand so that any timestamp
        text, however absurd, can be signed."""
        msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
        timestamp = str(int(time.time())) if timestamp is None else timestamp
        secret = self.connection.sudo().webhook_secret
        key = base64.b64decode(secret.removeprefix("whsec_"))
        content = f"{msg_id}.{timestamp}.".encode() + body
        digest = hmac.new(key, content, hashlib.sha256).digest()
        return {
            "Content-Type": "application/json",
            "webhook-id": msg_id,
            "webhook-timestamp": timestamp,
            "webhook-signature": "v1," + base64.b64encode(digest).decode(),
        }

    def path(self, token=None):
        return f"/pleo/webhook/{token or self.connection.sudo().webhook_token}"

    def post(self, body, headers=None, token=None, **sign):
        headers = headers if headers is not None else self.signed(body, **sign)
        return self.url_open(self.path(token), data=body, headers=headers)

    def counts(self):
        return {
            model: self.env[model]
            .sudo()
            .with_context(active_test=False)
            .search_count([])
            for model in COUNTED
        }

    @contextmanager
    def assert_nothing_written(self):
        before = self.counts()
        yield
        self.assertEqual(self.counts(), before)

    def assert_refused(self, response, status):
        self.assertEqual(response.status_code, status, response.text[:300])
        self.assertTrue(response.headers["Content-Type"].startswith("application/json"))
        self.assertLess(len(response.content), 300)
        self.assertIn("error", response.json())

    def partners(self, name="Hostile Input GmbH"):
        return (
            self.env["res.partner"]
            .with_context(active_test=False)
            .search([("name", "=", name)])
        )

    # -- authentication stays ----------------------------------------------------
    def test_unknown_or_malformed_token_is_404(self):
        body = self.event(self.vendor())
        tokens = {
            "unknown": "A" * 32,
            "nul": quote("abc\x00" + "A" * 28),
            "too long": "A" * 300,
            "too short": "abc",
            "junk": quote("abc$def;'--" + "A" * 20),
            "non-ascii": quote("é" * 20),
        }
        for label, token in tokens.items():
            with self.subTest(label), self.assert_nothing_written():
                self.assert_refused(self.post(body, token=token), 404)

    def test_bad_signature_is_401(self):
        body = self.event(self.vendor())
        headers = self.signed(body)
        headers["webhook-signature"] = "v1," + base64.b64encode(b"x" * 32).decode()
        with self.assert_nothing_written():
            self.assert_refused(self.post(body, headers=headers), 401)

    # -- size --------------------------------------------------------------------
    def test_body_over_the_limit_is_413_before_it_is_read(self):
        """Content-Length says more than the limit, only a few bytes follow: a
        server that read the body would wait for the rest and time out."""
        body = b'{"data": {}}'
        self.env.flush_all()
        conn = http.client.HTTPConnection(HOST, self.http_port(), timeout=10)
        self.addCleanup(conn.close)
        # A raw request carries no test cookie, as Pleo's carry none.
        with self.assert_nothing_written(), outside_requests(self):
            conn.putrequest("POST", self.path())
            for name, value in self.signed(body).items():
                conn.putheader(name, value)
            conn.putheader("Content-Length", str(MAX_BODY_BYTES + 1))
            conn.putheader("Connection", "close")
            started = time.monotonic()
            conn.endheaders(body)
            answer = conn.getresponse()
            self.assertEqual(answer.status, 413)
            self.assertIn(b"error", answer.read())
            self.assertLess(time.monotonic() - started, 3)

    def test_chunked_body_over_the_limit_is_413(self):
        def chunks():
            for _i in range(MAX_BODY_BYTES // 65536 + 2):
                yield b" " * 65536

        with self.assert_nothing_written():
            response = self.url_open(
                self.path(), data=chunks(), headers=self.signed(b"")
            )
            self.assert_refused(response, 413)

    def test_chunked_body_under_the_limit_is_read(self):
        body = self.event(self.vendor())
        response = self.url_open(
            self.path(), data=iter([body[:10], body[10:]]), headers=self.signed(body)
        )
        self.assertEqual(response.status_code, 200, response.text[:300])
        self.assertEqual(len(self.partners()), 1)

    # -- malformed but signed ----------------------------------------------------
    def test_signed_malformed_body_is_4xx(self):
        vendor = self.vendor()
        bodies = {
            "list": (b"[]", 400),
            "string": (b'"v1.vendor.created"', 400),
            "number": (b"42", 400),
            "null": (b"null", 400),
            "data list": (
                json.dumps({"data": [vendor], "eventType": "v1.vendor.created"}),
                400,
            ),
            "data text": (
                json.dumps({"data": "x", "eventType": "v1.vendor.created"}),
                400,
            ),
            "eventType number": (json.dumps({"data": vendor, "eventType": 7}), 400),
            "eventId object": (
                json.dumps(
                    {"data": vendor, "eventType": "v1.vendor.created", "eventId": {}}
                ),
                400,
            ),
            "vendor name list": (self.event(dict(vendor, name=["x"])), 400),
            "vendor id number": (self.event(dict(vendor, id=12)), 400),
            "vendor without id": (self.event(dict(vendor, id=None)), 400),
            "NUL in name": (self.event(dict(vendor, name="Evil\x00 GmbH")), 400),
            "not JSON": (b"{not json", 401),
            "not UTF-8": (b'{"data": "\xff"}', 401),
            "nested too deep": (b"[" * 100_000 + b"]" * 100_000, 401),
        }
        for label, (body, status) in bodies.items():
            body = body if isinstance(body, bytes) else body.encode()
            with self.subTest(label), self.assert_nothing_written():
                self.assert_refused(self.post(body), status)
        self.assertEqual(
            self.sandbox.state.vendors.vendors[vendor["id"]]["state"], "DRAFT"
        )

    def test_malformed_webhook_id_is_400(self):
        body = self.event(self.vendor())
        for label, msg_id in {"too long": "m" * 300, "spaces": "msg 1"}.items():
            with self.subTest(label), self.assert_nothing_written():
                self.assert_refused(self.post(body, msg_id=msg_id), 400)

    def test_absurd_timestamp_is_401(self):
        body = self.event(self.vendor())
        timestamps = {
            "text": "yesterday",
            "negative": "-1",
            "huge": "9" * 400,
            "beyond year 9999": "99999999999",
            "exponent": "1e9",
            "far past": "0",
        }
        for label, timestamp in timestamps.items():
            with self.subTest(label), self.assert_nothing_written():
                self.assert_refused(self.post(body, timestamp=timestamp), 401)

    # -- replay --------------------------------------------------------------------
    def test_replayed_delivery_is_a_quiet_duplicate(self):
        body = self.event(self.vendor())
        headers = self.signed(body)
        first = self.post(body, headers=headers)
        self.assertEqual(first.json(), {"status": "ok"})
        with self.assert_nothing_written(), self.assertNoLogs("odoo", "ERROR"):
            again = self.post(body, headers=headers)
        self.assertEqual(again.status_code, 200)
        self.assertEqual(again.json(), {"status": "duplicate"})
        self.assertEqual(len(self.partners()), 1)
        events = self.env["pleo.webhook.event"].search(
            [("webhook_id", "=", headers["webhook-id"])]
        )
        self.assertEqual(len(events), 1)
        self.assertTrue(events.handled)
        self.assertEqual(events.company_id, self.company)

    # -- another Pleo company --------------------------------------------------------
    def test_event_of_another_pleo_company_is_refused(self):
        vendor = self.vendor()
        self.reset_requests()
        cases = {
            "vendor of another company": self.event(
                dict(vendor, companyId=OTHER_COMPANY)
            ),
            "vendor without company": self.event(dict(vendor, companyId=None)),
            "export job of another company": self.event(
                {"id": str(uuid.uuid4()), "companyId": OTHER_COMPANY},
                event_type="v1.export-job.created",
            ),
        }
        for label, body in cases.items():
            with self.subTest(label), self.assert_nothing_written():
                self.assert_refused(self.post(body), 403)
        self.assertEqual(self.write_calls(), {})
        self.assertEqual(
            self.sandbox.state.vendors.vendors[vendor["id"]]["state"], "DRAFT"
        )

    # -- a vendor is imported all or nothing -----------------------------------------
    def test_failed_activation_leaves_no_partner_and_is_delivered_again(self):
        vendor = self.vendor()
        self.sandbox.add_fault(
            status=409, method="POST", path=f"/v1/vendors/{vendor['id']}:activate"
        )
        body = self.event(vendor)
        headers = self.signed(body)
        logs_before = self.env["pleo.sync.log"].search([])
        response = self.post(body, headers=headers)
        self.assertEqual(response.status_code, 503, response.text[:300])
        self.assertFalse(self.partners())
        self.assertFalse(
            self.env["pleo.binding"].search([("pleo_id", "=", vendor["id"])])
        )
        self.assertFalse(self.env["pleo.webhook.event"].search([]))
        log = self.env["pleo.sync.log"].search([]) - logs_before
        self.assertEqual((log.kind, log.state), ("vendor_webhook", "failed"))
        self.assertIn("Hostile Input GmbH", log.message)
        self.assertIn("Injected fault", log.message)
        self.assertEqual(
            self.sandbox.state.vendors.vendors[vendor["id"]]["state"], "DRAFT"
        )
        # Pleo recovers and delivers the same message again.
        response = self.post(body, headers=headers)
        self.assertEqual(response.json(), {"status": "ok"})
        partner = self.partners()
        self.assertEqual(len(partner), 1)
        binding = self.env["pleo.binding"].search([("pleo_id", "=", vendor["id"])])
        self.assertEqual(binding.res_id, partner.id)
        remote = self.sandbox.state.vendors.vendors[vendor["id"]]
        self.assertEqual(
            (remote["state"], remote["externalId"]), ("ACTIVE", str(partner.id))
        )

    def test_failed_activation_leaves_a_matched_partner_untouched(self):
        existing = self.env["res.partner"].create(
            {"name": "Hostile Input GmbH", "is_company": True, "supplier_rank": 0}
        )
        vendor = self.vendor(taxRegistrationNumber=None)
        self.sandbox.add_fault(
            status=409, method="POST", path=f"/v1/vendors/{vendor['id']}:activate"
        )
        response = self.post(self.event(vendor))
        self.assertEqual(response.status_code, 503)
        existing.invalidate_recordset()
        self.assertEqual(existing.supplier_rank, 0)
        self.assertFalse(
            self.env["pleo.binding"].search([("pleo_id", "=", vendor["id"])])
        )


@tagged("post_install", "-at_install")
class TestWebhookClaimRace(TransactionCase):
    """Two deliveries of one message in separate, committing transactions, as
    two Odoo workers would receive them."""

    def _committed_connection(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            # Committed, so it outlives the test: reused by the next run.
            name = "Pleo webhook race Ltd"
            Company = env["res.company"]
            company = Company.search([("name", "=", name)]) or Company.create(
                {"name": name}
            )
            connection = env["pleo.connection"].create(
                {
                    "name": "Race",
                    "company_id": company.id,
                    "environment": "custom",
                    "custom_url": "http://127.0.0.1:9",
                    "auth_method": "api_key",
                }
            )
            connection_id = connection.id
        self.addCleanup(self._drop, connection_id)
        return connection_id

    def _drop(self, connection_id):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["pleo.connection"].browse(connection_id).unlink()

    def _claim(self, cr, connection_id, msg_id):
        env = api.Environment(cr, SUPERUSER_ID, {})
        connection = env["pleo.connection"].browse(connection_id)
        return env["pleo.webhook.event"]._pleo_claim(
            connection, msg_id, "v1.vendor.created", None
        )

    def _wait_for_a_lock_wait(self):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with self.registry.cursor() as cr:
                cr.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
                if cr.fetchone()[0]:
                    return
            time.sleep(0.05)
        self.fail("the second delivery never waited for the first")

    def test_concurrent_deliveries_of_one_message_are_claimed_once(self):
        connection_id = self._committed_connection()
        second = {}

        def deliver_again():
            with self.registry.cursor() as cr:
                cr.execute("SELECT 1")  # its snapshot predates the first commit
                second["claimed"] = bool(self._claim(cr, connection_id, "msg_race"))

        with self.assertNoLogs("odoo", "ERROR"):
            with self.registry.cursor() as cr:
                self.assertTrue(self._claim(cr, connection_id, "msg_race"))
                thread = threading.Thread(target=deliver_again)
                thread.start()
                self._wait_for_a_lock_wait()
            thread.join(10)
        self.assertEqual(second, {"claimed": False})
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM pleo_webhook_event WHERE connection_id = %s",
                [connection_id],
            )
            self.assertEqual(cr.fetchone()[0], 1)
