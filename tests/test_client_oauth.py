"""OAuth 2.0 authorization code + PKCE (S256), code exchange and rotating refresh."""

import base64
import hashlib
import os
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from pleo_connector.pleo import DEFAULT_SCOPES, PleoOAuth, environment_for, errors

TOKEN_URL = "https://auth.pleo.io/oauth/token"
REDIRECT = "https://odoo.example.com/pleo/oauth/callback"
TOKEN = {
    "access_token": "access-2",
    "token_type": "Bearer",
    "expires_in": 900,
    "refresh_token": "refresh-2",
}


def oauth(env="production", secret="s3cret", url=None):
    return PleoOAuth("client-1", secret, environment_for(env, url), REDIRECT)


def form(call):
    return {k: v[0] for k, v in parse_qs(call.request.body).items()}


def basic(client_id, secret):
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def test_environments():
    prod, staging = environment_for("production"), environment_for("staging")
    assert (prod.api_url, prod.auth_url) == (
        "https://external.pleo.io",
        "https://auth.pleo.io",
    )
    assert (staging.api_url, staging.auth_url) == (
        "https://external.staging.pleo.io",
        "https://auth.staging.pleo.io",
    )
    custom = environment_for("custom", "http://127.0.0.1:8900/")
    assert custom.api_url == custom.auth_url == "http://127.0.0.1:8900"
    with pytest.raises(ValueError):
        environment_for("custom")
    with pytest.raises(ValueError):
        environment_for("moon")


def test_code_verifier_follows_rfc7636():
    verifier = PleoOAuth.new_code_verifier()
    assert re.fullmatch(r"[A-Za-z0-9\-._~]{43,128}", verifier)
    assert verifier != PleoOAuth.new_code_verifier()


def test_authorization_url_has_state_and_s256_challenge():
    verifier = PleoOAuth.new_code_verifier()
    url = oauth().authorization_url("state-123", verifier)

    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://auth.pleo.io/oauth/authorize"
    )
    digest = hashlib.sha256(verifier.encode()).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert query == {
        "response_type": "code",
        "client_id": "client-1",
        "redirect_uri": REDIRECT,
        "scope": " ".join(DEFAULT_SCOPES),
        "state": "state-123",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    assert "export-jobs:read" in query["scope"].split()


def test_staging_asks_for_its_own_tag_scope_spelling():
    url = oauth("staging").authorization_url("s", PleoOAuth.new_code_verifier())
    scopes = parse_qs(urlsplit(url).query)["scope"][0].split()
    assert "tag-groups:read" in scopes
    assert url.startswith("https://auth.staging.pleo.io/oauth/authorize?")


def test_loopback_sandbox_may_use_plain_http():
    auth = oauth("custom", url="http://127.0.0.1:8900")
    url = auth.authorization_url("s", PleoOAuth.new_code_verifier())
    assert url.startswith("http://127.0.0.1:8900/oauth/authorize?")
    assert "OAUTHLIB_INSECURE_TRANSPORT" not in os.environ


def test_plain_http_elsewhere_is_refused():
    auth = oauth("custom", url="http://pleo.example.com")
    with pytest.raises(errors.PleoAuthError):
        auth.authorization_url("s", PleoOAuth.new_code_verifier())


@responses.activate
def test_fetch_token_sends_basic_auth_client_id_and_verifier():
    responses.post(TOKEN_URL, json=TOKEN)

    token = oauth().fetch_token("the-code", "v" * 43)

    assert token["access_token"] == "access-2"
    assert token["refresh_token"] == "refresh-2"
    assert token["expires_in"] == 900
    assert token["expires_at"] > 0
    request = responses.calls[0].request
    assert request.headers["Authorization"] == basic("client-1", "s3cret")
    assert form(responses.calls[0]) == {
        "grant_type": "authorization_code",
        "code": "the-code",
        "redirect_uri": REDIRECT,
        "client_id": "client-1",
        "code_verifier": "v" * 43,
    }
    assert responses.calls[0].request.req_kwargs["timeout"]


@responses.activate
def test_client_credentials_are_form_encoded_in_the_basic_header():
    responses.post(TOKEN_URL, json=TOKEN)
    oauth(secret="a+b/c=").fetch_token("code", "v" * 43)

    header = responses.calls[0].request.headers["Authorization"]
    assert header == basic("client-1", "a%2Bb%2Fc%3D")


@responses.activate
def test_refused_code_is_an_auth_error_not_a_revocation():
    responses.post(
        TOKEN_URL,
        status=400,
        json={"error": "invalid_grant", "error_description": "PKCE failed"},
    )
    with pytest.raises(errors.PleoAuthError) as caught:
        oauth().fetch_token("code", "v" * 43)
    assert not isinstance(caught.value, errors.PleoTokenRevoked)
    assert caught.value.type == "invalid_grant"
    assert "PKCE failed" in str(caught.value)


@responses.activate
def test_refresh_returns_the_rotated_pair():
    responses.post(TOKEN_URL, json=TOKEN)

    token = oauth().refresh("refresh-1")

    assert (token["access_token"], token["refresh_token"]) == ("access-2", "refresh-2")
    assert responses.calls[0].request.headers["Authorization"] == basic(
        "client-1", "s3cret"
    )
    assert form(responses.calls[0]) == {
        "grant_type": "refresh_token",
        "refresh_token": "refresh-1",
        "client_id": "client-1",
    }


@responses.activate
@pytest.mark.parametrize(
    ("status", "error"), [(400, "invalid_grant"), (401, "invalid_client")]
)
def test_refused_refresh_token_is_revoked(status, error):
    body = {"error": error, "error_description": "Refresh token already used"}
    responses.post(TOKEN_URL, status=status, json=body)

    with pytest.raises(errors.PleoTokenRevoked) as caught:
        oauth().refresh("refresh-1")
    assert caught.value.status == status
    assert caught.value.type == error
    assert "already used" in caught.value.message


@responses.activate
def test_invalid_grant_in_a_200_body_is_revoked_too():
    responses.post(TOKEN_URL, json={"error": "invalid_grant"})
    with pytest.raises(errors.PleoTokenRevoked):
        oauth().refresh("refresh-1")


@responses.activate
def test_unavailable_auth_server_is_retryable_not_revoked():
    responses.post(TOKEN_URL, status=503, body="<html>down</html>")
    with pytest.raises(errors.PleoServerError) as caught:
        oauth().refresh("refresh-1")
    assert caught.value.retryable
    assert not isinstance(caught.value, errors.PleoAuthError)


@responses.activate
def test_unreachable_auth_server_is_a_connection_error():
    responses.post(TOKEN_URL, body=requests.ConnectionError("refused"))
    with pytest.raises(errors.PleoConnectionError):
        oauth().refresh("refresh-1")


@responses.activate
def test_refresh_against_the_loopback_sandbox():
    responses.post("http://127.0.0.1:8900/oauth/token", json=TOKEN)
    token = oauth("custom", url="http://127.0.0.1:8900").refresh("refresh-1")
    assert token["refresh_token"] == "refresh-2"
    assert "OAUTHLIB_INSECURE_TRANSPORT" not in os.environ
