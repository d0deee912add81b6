# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Level 1 against Pleo's production URLs, answered by `_request_handler`.

Odoo blocks every request to a non-loopback host in tests; the handler below
plays Pleo (external.pleo.io) and a receipt storage host, and records what the
connector sent: the order of the calls and which requests carried credentials.
"""

import io
import json
import time

import requests

from odoo.tests import tagged

from .common_export import PleoExportCase

try:
    from pleo_sandbox import seed
except ImportError:  # pragma: no cover - common_export put the repo on sys.path
    seed = None

API = "https://external.pleo.io"
RECEIPT = "https://receipts.storage.example/abc/receipt-1.pdf?sig=1"
JOB_ID = "11111111-2222-3333-4444-555555555555"


def _response(request, status=200, body=None, content=None):
    response = requests.Response()
    response.status_code = status
    response.url = request.url
    response.request = request
    if body is not None:
        response._content = json.dumps(body).encode()
        response.headers["Content-Type"] = "application/json"
    else:  # a streamed download
        response.raw = io.BytesIO(content or b"")
    return response


@tagged("post_install", "-at_install")
class TestExportMockedPleo(PleoExportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Pointing it at production forgets the sandbox's key: Pleo's is given anew.
        cls.connection.write(
            {
                "environment": "production",
                "custom_url": False,
                "api_key": "production-key",
                "pleo_company_id": cls.sandbox.company_id,
                "state": "connected",
            }
        )
        spec = seed.ItemSpec(
            entry_id="aaaaaaaa-bbbb-cccc-dddd-000000000001",
            company_id=cls.sandbox.company_id,
            recipe_name="card_meal_dkk",
            cycle=0,
            reconciliation_id="B000042",
            previous_reconciliation_id=None,
            created_at=time.time(),
        )
        cls.item = seed.build_item(spec, lambda n, name: RECEIPT, API)
        cls.calls = []
        cls.job_status = "pending"

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        path = r.path_url.split("?")[0]
        cls.calls.append(
            (r.method, r.url.split("?")[0], r.headers.get("Authorization"))
        )
        if r.url.startswith(RECEIPT.split("?", maxsplit=1)[0]):
            return _response(r, content=b"%PDF-1.4 receipt")
        job = {
            "id": JOB_ID,
            "companyId": cls.sandbox.company_id,
            "status": cls.job_status,
            "createdAt": "2026-01-01T00:00:00Z",
            "numberOfItems": 1,
            "vendorBasedBookkeeping": True,
            "isInteractive": True,
            "expiresIn": 3600,
        }
        page = {"hasNextPage": False, "hasPreviousPage": False}
        if path == "/v3/export-jobs" and r.method == "GET":
            statuses = r.url.split("statuses=")[1].split("&")[0]
            data = [job] if statuses == cls.job_status else []
            return _response(r, body={"data": data, "pagination": page})
        if path == "/v3/export-job-events":
            event = json.loads(r.body)["event"]
            cls.job_status = "in_progress" if event == "started" else event
            return _response(r, status=202, body={})
        if path == "/v3/export-items":
            return _response(r, body={"data": [cls.item], "pagination": page})
        if path == f"/v3/export-jobs/{JOB_ID}/items" and r.method == "PUT":
            cls.updates = json.loads(r.body)
            return _response(r, body={"data": cls.updates, "errors": []})
        return _response(r, status=404, body={"type": "NOT_FOUND", "message": path})

    def test_production_flow_and_receipt_host_gets_no_credentials(self):
        self.assertEqual(self.run_export(), 1)
        move = self.moves()
        self.assertEqual(len(move), 1)
        self.assertEqual(self.attachments(move).raw, b"%PDF-1.4 receipt")
        api_calls = [(m, u) for m, u, _auth in self.calls if u.startswith(API)]
        self.assertEqual(api_calls[0], ("GET", f"{API}/v3/export-jobs"))
        self.assertIn(("POST", f"{API}/v3/export-job-events"), api_calls)
        receipt_calls = [c for c in self.calls if c[1].startswith(RECEIPT[:30])]
        self.assertEqual(len(receipt_calls), 1)
        self.assertIsNone(receipt_calls[0][2], "credentials leaked to storage host")
        self.assertTrue(all(a for _m, u, a in self.calls if u.startswith(API)))
        self.assertEqual(self.updates[0]["status"], "successful")
        self.assertEqual(self.updates[0]["externalId"], str(move.id))
        self.assertEqual(self.job_status, "completed")
