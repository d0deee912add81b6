"""The client against the bundled Pleo sandbox: the whole OAuth + export round trip
over real HTTP, so the client and the sandbox keep agreeing on Pleo's contract."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from pleo_connector.pleo import (
    BearerTokenAuth,
    PleoClient,
    PleoOAuth,
    environment_for,
    errors,
)

sandbox = pytest.importorskip("pleo_sandbox")
REDIRECT = "http://127.0.0.1:9/pleo/oauth/callback"


@pytest.fixture
def srv():
    with sandbox.SandboxServer(port=0, seed="small") as server:
        yield server


class Connection:
    """What the Odoo connection does: keep the token pair, refresh on demand."""

    def __init__(self, oauth, token):
        self.oauth, self.token, self.refreshes = oauth, token, 0

    def access_token(self):
        return self.token["access_token"]

    def refresh(self):
        self.refreshes += 1
        self.token = self.oauth.refresh(self.token["refresh_token"])
        return self.token["access_token"]


def connect(srv):
    env = environment_for("custom", srv.url)
    oauth = PleoOAuth(srv.client_id, srv.client_secret, env, REDIRECT)
    verifier = PleoOAuth.new_code_verifier()
    consent = requests.get(
        oauth.authorization_url("csrf-1", verifier), allow_redirects=False, timeout=5
    )
    callback = parse_qs(urlsplit(consent.headers["Location"]).query)
    assert callback["state"] == ["csrf-1"]
    connection = Connection(oauth, oauth.fetch_token(callback["code"][0], verifier))
    auth = BearerTokenAuth(connection.access_token, connection.refresh)
    client = PleoClient(
        env, auth, company_id=srv.company_id, page_size=3, backoff_factor=0.01
    )
    return connection, client


def test_export_round_trip(srv):
    _connection, client = connect(srv)
    with client:
        job = next(client.list_export_jobs())
        client.post_export_job_event(job["id"], "started")
        items = [i for page in client.iter_export_item_pages(job["id"]) for i in page]
        assert len(items) == job["numberOfItems"]
        receipt = next(f for i in items for f in i.get("files") or [])
        assert client.download_file(receipt["url"])

        answer = client.update_export_job_items(
            job["id"],
            [
                {"accountingEntryId": i["accountingEntryId"], "status": "successful"}
                for i in items
            ],
        )
        assert answer["errors"] == []
        statuses = {i["status"] for i in client.iter_export_job_items(job["id"])}
        assert statuses == {"successful"}
        client.post_export_job_event(job["id"], "completed")
        assert client.get_export_job(job["id"])["status"] == "completed"


def test_expired_access_token_is_refreshed_once(srv):
    connection, client = connect(srv)
    requests.post(f"{srv.url}/_sandbox/tokens/expire", timeout=5)

    assert client.get_company(srv.company_id)["id"] == srv.company_id
    assert connection.refreshes == 1


def test_spent_refresh_token_is_revoked(srv):
    connection, _client = connect(srv)
    spent = connection.token["refresh_token"]
    connection.refresh()

    with pytest.raises(errors.PleoTokenRevoked):
        connection.oauth.refresh(spent)


def test_injected_429_is_retried(srv):
    _connection, client = connect(srv)
    fault = {"status": 429, "retry_after": 0, "count": 2, "path_prefix": "/v1/"}
    requests.post(f"{srv.url}/_sandbox/faults", json=fault, timeout=5)

    assert client.get_company(srv.company_id)["id"] == srv.company_id
    assert client.request_count == 3
