"""Sandbox OAuth (code + PKCE, rotating refresh tokens), API keys and installations."""

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from pleo_sandbox import SandboxServer

REDIRECT = "http://localhost:8069/pleo/oauth/callback"


@pytest.fixture
def srv():
    with SandboxServer(port=0, seed="small", token_ttl=60) as server:
        yield server


def pkce():
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize(srv, challenge, **overrides):
    params = {
        "response_type": "code",
        "client_id": srv.client_id,
        "redirect_uri": REDIRECT,
        "scope": "export-jobs:read export-jobs:write export-items:read",
        "state": "csrf-123",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **overrides,
    }
    return requests.get(
        srv.url + "/oauth/authorize", params=params, allow_redirects=False
    )


def callback_params(response):
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(REDIRECT)
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def token(srv, data, basic=True):
    auth = (srv.client_id, srv.client_secret) if basic else None
    if not basic:
        data = {**data, "client_id": srv.client_id, "client_secret": srv.client_secret}
    return requests.post(srv.url + "/oauth/token", data=data, auth=auth)


def connect(srv, basic=True):
    verifier, challenge = pkce()
    code = callback_params(authorize(srv, challenge))["code"]
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
    }
    response = token(srv, data, basic=basic)
    assert response.status_code == 200, response.text
    return response.json()


def api(srv, access_token, path="/v3/export-jobs"):
    headers = {"Authorization": f"Bearer {access_token}"}
    return requests.get(srv.url + path, headers=headers)


def refresh(srv, refresh_token):
    return token(srv, {"grant_type": "refresh_token", "refresh_token": refresh_token})


def test_code_flow_with_pkce_gives_working_tokens(srv):
    verifier, challenge = pkce()
    params = callback_params(authorize(srv, challenge))
    assert params["state"] == "csrf-123"
    tokens = token(
        srv,
        {
            "grant_type": "authorization_code",
            "code": params["code"],
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
        },
    ).json()
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 60
    assert tokens["scope"].startswith("export-jobs:read")
    assert api(srv, tokens["access_token"]).status_code == 200


def test_client_auth_in_body_is_accepted(srv):
    tokens = connect(srv, basic=False)
    assert api(srv, tokens["access_token"]).status_code == 200


def test_wrong_client_secret_is_invalid_client(srv):
    response = requests.post(
        srv.url + "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": "x"},
        auth=(srv.client_id, "wrong"),
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_pkce_mismatch_and_code_reuse_are_refused(srv):
    _verifier, challenge = pkce()
    code = callback_params(authorize(srv, challenge))["code"]
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": pkce()[0],  # not the one behind the challenge
    }
    bad = token(srv, data)
    assert bad.status_code == 400
    assert bad.json()["error"] == "invalid_grant"
    # A code is single-use, even after a failed attempt.
    again = token(srv, data)
    assert again.json()["error"] == "invalid_grant"


def test_authorize_requires_s256_and_can_be_denied(srv):
    _verifier, challenge = pkce()
    plain = callback_params(authorize(srv, challenge, code_challenge_method="plain"))
    assert plain["error"] == "invalid_request"
    assert plain["state"] == "csrf-123"
    missing = callback_params(authorize(srv, "", code_challenge_method="S256"))
    assert missing["error"] == "invalid_request"
    unknown = authorize(srv, challenge, client_id="someone-else")
    assert unknown.status_code == 400

    requests.post(srv.url + "/_sandbox/faults", json={"kind": "consent_denied"})
    denied = callback_params(authorize(srv, challenge))
    assert denied["error"] == "access_denied"
    assert "code" not in denied
    # The fault was for one consent only.
    assert "code" in callback_params(authorize(srv, challenge))


def test_refresh_rotates_and_reuse_revokes_everything(srv):
    first = connect(srv)
    second = refresh(srv, first["refresh_token"]).json()
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    assert api(srv, second["access_token"]).status_code == 200
    third = refresh(srv, second["refresh_token"]).json()

    # Presenting a spent refresh token: 400 invalid_grant, and the whole
    # authorisation is revoked (the newest pair too).
    reuse = refresh(srv, first["refresh_token"])
    assert reuse.status_code == 400
    assert reuse.json()["error"] == "invalid_grant"
    assert api(srv, third["access_token"]).status_code == 401
    assert refresh(srv, third["refresh_token"]).json()["error"] == "invalid_grant"
    state = requests.get(srv.url + "/_sandbox/state").json()
    assert state["auth"]["reuse_detected"] == 1


def test_access_tokens_expire(srv):
    tokens = connect(srv)
    srv.advance_clock(61)
    expired = api(srv, tokens["access_token"])
    assert expired.status_code == 401
    assert expired.json() == {
        "type": "UNAUTHORIZED",
        "message": "Access token has expired",
    }
    renewed = refresh(srv, tokens["refresh_token"]).json()
    assert api(srv, renewed["access_token"]).status_code == 200


def test_expire_tokens_now_fault(srv):
    tokens = connect(srv)
    requests.post(srv.url + "/_sandbox/faults", json={"kind": "expire_tokens"})
    assert api(srv, tokens["access_token"]).status_code == 401


def test_api_key_is_basic_auth_with_empty_password(srv):
    ok = requests.get(srv.url + "/v3/export-jobs", auth=(srv.api_key, ""))
    assert ok.status_code == 200
    wrong = requests.get(srv.url + "/v3/export-jobs", auth=("nope", ""))
    assert wrong.status_code == 401
    assert wrong.json()["type"] == "UNAUTHORIZED"


@pytest.mark.parametrize(
    "path",
    [
        "/v3/export-jobs",
        "/v0/tag-groups",
        "/v1/chart-of-accounts/batch",
        "/v1/vendors/x",
        "/v1/subscriptions",
        "/v3/does-not-exist",
    ],
)
def test_every_api_path_requires_auth(srv, path):
    response = requests.get(srv.url + path)
    assert response.status_code == 401
    assert set(response.json()) == {"type", "message"}


def test_installation_follows_consent_and_delete_revokes(srv):
    tokens = connect(srv)
    me = api(srv, tokens["access_token"], "/v1/installations/me").json()
    assert me["status"] == "AUTHORIZED"
    assert me["resource"] == f"urn:pleo:company:{srv.company_id}"
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    activated = requests.post(
        srv.url + "/v1/installations/me:activate", headers=headers
    )
    assert activated.json()["status"] == "ACTIVATED"
    deleted = requests.delete(srv.url + "/v1/installations/me", headers=headers)
    assert deleted.status_code == 204
    assert api(srv, tokens["access_token"]).status_code == 401
    assert refresh(srv, tokens["refresh_token"]).json()["error"] == "invalid_grant"
