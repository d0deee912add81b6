"""Sandbox webhooks: Standard Webhooks signatures, subscriptions, trigger events."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from standardwebhooks import Webhook, WebhookVerificationError


class Receiver:
    """A loopback endpoint recording deliveries and answering `status`."""

    def __init__(self):
        self.received = []
        self.status = 204
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                receiver.received.append((dict(self.headers), self.rfile.read(length)))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/pleo/webhook"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, args=(0.05,), daemon=True
        )
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def subscribe(srv, http, url, events, **extra):
    body = {"endpointUrl": url, "eventTypes": events, **extra}
    sub = http.post(srv.url + "/v1/subscriptions", json=body).json()["data"]
    secret = http.get(f"{srv.url}/v1/subscriptions/{sub['id']}/secret")
    return sub, secret.json()["data"]["secretKey"]


def test_sent_webhook_verifies_with_the_subscription_secret(srv, http, receiver):
    _sub, secret = subscribe(srv, http, receiver.url, ["v1.export-job.created"])
    answer = requests.post(
        srv.url + "/_sandbox/webhooks/send",
        json={"url": receiver.url, "eventType": "v1.export-job.created"},
    ).json()
    assert answer["status"] == 204
    headers, body = receiver.received[0]
    assert headers["webhook-signature"].startswith("v1,")
    assert headers["webhook-id"].startswith("msg_")
    payload = Webhook(secret).verify(body, headers)
    assert set(payload) == {"data", "eventType", "eventId"}
    assert payload["eventType"] == "v1.export-job.created"
    assert payload["data"]["status"] == "pending"
    assert payload["data"]["expiresIn"] == 3600
    job = http.get(f"{srv.url}/v3/export-jobs/{payload['data']['id']}")
    assert job.status_code == 200

    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace(b"pending", b"started"), headers)


def test_python_api_returns_the_receivers_status(srv, receiver):
    data = {"id": "abc", "state": "DRAFT"}
    assert srv.send_webhook(receiver.url, "v1.vendor.created", data) == 204
    receiver.status = 500
    assert srv.send_webhook(receiver.url, "v1.vendor.created", data) == 500
    payload = json.loads(receiver.received[0][1])
    assert payload["data"] == data
    assert srv.send_webhook("http://127.0.0.1:9/nothing", "v1.vendor.created") is None
    with pytest.raises(ValueError):
        srv.send_webhook(receiver.url, "v1.unknown")


def test_vendor_created_in_pleo_reaches_active_subscriptions(srv, http, receiver):
    sub, secret = subscribe(
        srv,
        http,
        receiver.url,
        ["v1.vendor.created"],
        customHeaders={"X-Odoo-Db": "pleo_demo"},
        endpointAuth={
            "type": "BASIC",
            "credentials": {"username": "u", "password": "p"},
        },
    )
    subscribe(srv, http, receiver.url, ["v1.export-job.created"])  # other event
    created = requests.post(
        srv.url + "/_sandbox/vendors",
        json={"name": "Pleo Technologies GmbH", "country": "DE"},
    ).json()
    assert [d["status"] for d in created["deliveries"]] == [204]
    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    payload = Webhook(secret).verify(body, headers)
    assert payload["eventType"] == "v1.vendor.created"
    assert payload["data"]["state"] == "DRAFT"
    assert payload["data"]["code"] is None
    assert payload["data"]["id"] == created["data"]["id"]
    assert headers["X-Odoo-Db"] == "pleo_demo"
    assert headers["Authorization"] == "Basic dTpw"

    # Inactive subscriptions get nothing.
    body = {"endpointUrl": receiver.url, "eventTypes": ["v1.vendor.created"]}
    http.put(
        f"{srv.url}/v1/subscriptions/{sub['id']}", json={**body, "status": "INACTIVE"}
    )
    again = requests.post(srv.url + "/_sandbox/vendors", json={}).json()
    assert again["deliveries"] == []


def test_new_export_job_is_announced(srv, http, receiver):
    _sub, secret = subscribe(srv, http, receiver.url, ["v1.export-job.created"])
    created = requests.post(srv.url + "/_sandbox/jobs", json={"seed": "small"}).json()
    headers, body = receiver.received[0]
    payload = Webhook(secret).verify(body, headers)
    assert payload["data"]["id"] == created["data"]["id"]
    assert payload["data"]["numberOfItems"] == 4
    log = requests.get(srv.url + "/_sandbox/webhooks").json()["data"]
    assert log[-1]["eventId"] == payload["eventId"]


def test_receiver_calling_back_during_delivery_does_not_deadlock(srv, http):
    """An Odoo controller that re-reads the job while the webhook is in flight."""
    seen = []

    class CallBack(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            job = http.get(f"{srv.url}/v3/export-jobs/{body['data']['id']}")
            seen.append(job.status_code)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), CallBack)
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/hook"
        subscribe(srv, http, url, ["v1.export-job.created"])
        created = requests.post(
            srv.url + "/_sandbox/jobs", json={"seed": 2}, timeout=10
        )
        assert created.json()["deliveries"][0]["status"] == 200
        assert seen == [200]
    finally:
        httpd.shutdown()
        httpd.server_close()
