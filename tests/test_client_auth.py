"""API-key and bearer-token request authentication (401 -> refresh -> retry once)."""

import base64

import pytest
import responses
from client_support import API, JOB, make_client

from pleo_connector.pleo import ApiKeyAuth, BearerTokenAuth, errors

JOB_URL = f"{API}/v3/export-jobs/{JOB}"
UNAUTHORIZED = {"type": "UNAUTHORIZED", "message": "Access token has expired"}


class Tokens:
    """Stands in for the connection: a stored token and a refresh under lock."""

    def __init__(self, refreshed="fresh-token"):
        self.current = "stale-token"
        self.refreshed = refreshed
        self.refreshes = 0

    def get(self):
        return self.current

    def refresh(self):
        self.refreshes += 1
        if self.refreshed:
            self.current = self.refreshed
        return self.refreshed


def bearer_client(tokens, **kwargs):
    return make_client(auth=BearerTokenAuth(tokens.get, tokens.refresh), **kwargs)


@responses.activate
def test_api_key_is_basic_auth_with_empty_password():
    responses.get(JOB_URL, json={"data": {"id": JOB}})
    make_client(auth=ApiKeyAuth("my-key")).get_export_job(JOB)

    header = responses.calls[0].request.headers["Authorization"]
    assert header == "Basic " + base64.b64encode(b"my-key:").decode()


@responses.activate
def test_bearer_token_is_sent():
    responses.get(JOB_URL, json={"data": {"id": JOB}})
    tokens = Tokens()
    bearer_client(tokens).get_export_job(JOB)

    assert responses.calls[0].request.headers["Authorization"] == "Bearer stale-token"
    assert tokens.refreshes == 0


@responses.activate
def test_401_refreshes_once_and_retries_with_the_new_token():
    responses.get(JOB_URL, status=401, json=UNAUTHORIZED)
    responses.get(JOB_URL, json={"data": {"id": JOB}})
    tokens = Tokens()
    client = bearer_client(tokens)

    assert client.get_export_job(JOB) == {"id": JOB}
    assert tokens.refreshes == 1
    sent = [call.request.headers["Authorization"] for call in responses.calls]
    assert sent == ["Bearer stale-token", "Bearer fresh-token"]
    assert client.request_count == 2


@responses.activate
def test_401_also_retries_a_create_since_pleo_did_not_process_it():
    url = f"{API}/v1/vendors"
    responses.post(url, status=401, json=UNAUTHORIZED)
    responses.post(url, status=201, json={"data": {"id": "v1"}})
    tokens = Tokens()

    assert bearer_client(tokens).create_vendor("ACME", "EUR") == {"id": "v1"}
    assert responses.calls[1].request.body == responses.calls[0].request.body


@responses.activate
def test_second_401_raises_auth_error_without_another_refresh():
    responses.get(JOB_URL, status=401, json=UNAUTHORIZED)
    tokens = Tokens()

    with pytest.raises(errors.PleoAuthError) as caught:
        bearer_client(tokens).get_export_job(JOB)

    assert caught.value.status == 401
    assert tokens.refreshes == 1
    assert len(responses.calls) == 2


@responses.activate
def test_no_new_token_means_no_retry():
    responses.get(JOB_URL, status=401, json=UNAUTHORIZED)
    tokens = Tokens(refreshed=None)

    with pytest.raises(errors.PleoAuthError):
        bearer_client(tokens).get_export_job(JOB)
    assert len(responses.calls) == 1


@responses.activate
def test_revoked_refresh_token_surfaces_as_token_revoked():
    responses.get(JOB_URL, status=401, json=UNAUTHORIZED)

    def revoked():
        raise errors.PleoTokenRevoked("invalid_grant", 400, "invalid_grant")

    client = make_client(auth=BearerTokenAuth(lambda: "stale", revoked))
    with pytest.raises(errors.PleoTokenRevoked):
        client.get_export_job(JOB)


@responses.activate
def test_each_request_reads_the_current_token():
    responses.get(JOB_URL, json={"data": {"id": JOB}})
    tokens = Tokens()
    client = bearer_client(tokens)
    client.get_export_job(JOB)
    tokens.current = "rotated-elsewhere"
    client.get_export_job(JOB)

    assert responses.calls[1].request.headers["Authorization"] == (
        "Bearer rotated-elsewhere"
    )
