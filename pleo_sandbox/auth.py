"""OAuth 2.0 (authorization code + PKCE S256, rotating refresh tokens) and API keys.

Rules Pleo documents and the sandbox enforces: refresh tokens rotate on every use,
and presenting a spent (or expired) refresh token revokes every token of that
authorisation, so two workers refreshing at once disconnect the customer.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlencode, urlsplit, urlunsplit

from .common import new_id
from .web import ApiError, Response

VERIFIER_RE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
CODE_TTL = 600
REFRESH_TTL = 60 * 86400


@dataclass
class Grant:
    id: str
    client_id: str
    scope: str
    created_at: float
    revoked: bool = False


@dataclass
class Credential:
    kind: str  # "oauth" or "api_key"
    key: str  # rate-limit bucket: one per authorisation / API key
    grant: Grant | None = None


def _unauthorized(message):
    headers = {"WWW-Authenticate": 'Bearer realm="pleo", error="invalid_token"'}
    return ApiError(401, "UNAUTHORIZED", message, headers)


class OAuthError(Exception):
    def __init__(self, error, description, status=400):
        super().__init__(description)
        self.error, self.description, self.status = error, description, status

    def response(self):
        headers = {"Cache-Control": "no-store"}
        if self.status == 401:
            headers["WWW-Authenticate"] = 'Basic realm="pleo"'
        body = {"error": self.error, "error_description": self.description}
        return Response(self.status, body, headers=headers)


class AuthStore:
    def __init__(self, state, client_id, client_secret, api_key, redirect_uris=None):
        self.state = state
        self.client_id, self.client_secret, self.api_key = (
            client_id,
            client_secret,
            api_key,
        )
        self.redirect_uris = redirect_uris  # None: any http(s) URL is accepted
        self.codes: dict[str, dict] = {}
        self.grants: dict[str, Grant] = {}
        self.access: dict[str, list] = {}  # token -> [grant id, expires at]
        self.refresh: dict[str, dict] = {}
        self.stats = {"codes": 0, "exchanges": 0, "refreshes": 0, "reuse_detected": 0}

    # --- API authentication ----------------------------------------------------

    def authenticate(self, header: str | None) -> Credential:
        if not header:
            raise _unauthorized("Missing Authorization header")
        scheme, _, value = header.partition(" ")
        value = value.strip()
        if scheme.lower() == "bearer":
            return self._bearer(value)
        if scheme.lower() == "basic":
            try:
                user, _, password = base64.b64decode(value).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                raise _unauthorized("Malformed Basic credentials") from None
            if user == self.api_key and password == "":
                return Credential("api_key", "api_key")
            raise _unauthorized("Invalid API key (key as username, empty password)")
        raise _unauthorized(f"Unsupported authorization scheme {scheme!r}")

    def _bearer(self, token) -> Credential:
        record = self.access.get(token)
        if record is None:
            raise _unauthorized("Invalid access token")
        grant = self.grants[record[0]]
        if grant.revoked:
            raise _unauthorized("Access token has been revoked")
        if self.state.clock.now() >= record[1]:
            raise _unauthorized("Access token has expired")
        return Credential("oauth", f"grant:{grant.id}", grant)

    # --- tokens ------------------------------------------------------------------

    def _issue(self, grant: Grant) -> dict:
        now, ttl = self.state.clock.now(), int(self.state.config.token_ttl)
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(40)
        self.access[access] = [grant.id, now + ttl]
        self.refresh[refresh] = {
            "grant": grant.id,
            "spent": False,
            "expires": now + REFRESH_TTL,
        }
        return {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": ttl,
            "refresh_token": refresh,
            "scope": grant.scope,
        }

    def expire_access_tokens(self) -> int:
        now = self.state.clock.now()
        for record in self.access.values():
            record[1] = min(record[1], now)
        return len(self.access)

    def revoke_all(self) -> None:
        for grant in self.grants.values():
            grant.revoked = True

    def summary(self) -> dict:
        now = self.state.clock.now()
        live = [
            t
            for t, (g, exp) in self.access.items()
            if exp > now and not self.grants[g].revoked
        ]
        return {
            **self.stats,
            "grants": len(self.grants),
            "revokedGrants": sum(g.revoked for g in self.grants.values()),
            "activeAccessTokens": len(live),
        }

    # --- OAuth endpoints ---------------------------------------------------------

    def _valid_redirect(self, uri):
        if not uri:
            return False
        if self.redirect_uris is not None:
            return uri in self.redirect_uris
        parts = urlsplit(uri)
        return parts.scheme in ("http", "https") and bool(parts.netloc)

    def authorize(self, req) -> Response:
        q = {k: req.arg(k) for k in req.query}
        if q.get("client_id") != self.client_id:
            body = {"error": "invalid_client", "error_description": "Unknown client_id"}
            return Response(400, body)
        redirect_uri = q.get("redirect_uri")
        if not self._valid_redirect(redirect_uri):
            body = {
                "error": "invalid_request",
                "error_description": "redirect_uri is missing or not registered",
            }
            return Response(400, body)

        def back(**params):
            if q.get("state") is not None:
                params["state"] = q["state"]
            parts = urlsplit(redirect_uri)
            query = "&".join(p for p in (parts.query, urlencode(params)) if p)
            location = urlunsplit(parts._replace(query=query))
            return Response(302, None, headers={"Location": location})

        if q.get("response_type") != "code":
            return back(error="unsupported_response_type")
        if not q.get("code_challenge"):
            return back(error="invalid_request", error_description="PKCE is required")
        if q.get("code_challenge_method") != "S256":
            return back(
                error="invalid_request",
                error_description="code_challenge_method must be S256",
            )
        if self.state.faults.take_consent_denied():
            return back(
                error="access_denied", error_description="The user denied the request"
            )
        code = secrets.token_urlsafe(24)
        self.codes[code] = {
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "challenge": q["code_challenge"],
            "scope": q.get("scope") or "",
            "expires": self.state.clock.now() + CODE_TTL,
            "used": False,
        }
        self.stats["codes"] += 1
        self.state.installations.ensure("AUTHORIZED")  # consent creates it
        return back(code=code)

    def _client(self, req, form) -> str:
        header = req.headers.get("authorization", "")
        client_id = secret = None
        if header.lower().startswith("basic "):
            try:
                raw = base64.b64decode(header[6:].strip()).decode()
            except (binascii.Error, UnicodeDecodeError):
                raise OAuthError(
                    "invalid_client", "Malformed Basic header", 401
                ) from None
            client_id, _, secret = (unquote(p) for p in raw.partition(":"))
        elif form.get("client_secret"):
            client_id, secret = form.get("client_id"), form.get("client_secret")
        if client_id is None:
            raise OAuthError("invalid_client", "Client authentication required", 401)
        if client_id != self.client_id or not secrets.compare_digest(
            secret or "", self.client_secret
        ):
            raise OAuthError("invalid_client", "Client authentication failed", 401)
        return client_id

    def token(self, req) -> Response:
        try:
            form = self._form(req)
            client_id = self._client(req, form)
            grant_type = form.get("grant_type")
            if grant_type == "authorization_code":
                body = self._exchange(form, client_id)
            elif grant_type == "refresh_token":
                body = self._refresh(form, client_id)
            else:
                raise OAuthError("unsupported_grant_type", f"grant_type {grant_type!r}")
        except OAuthError as exc:
            return exc.response()
        headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
        return Response(200, body, headers=headers)

    @staticmethod
    def _form(req) -> dict:
        if "json" in req.headers.get("content-type", ""):
            try:
                data = req.json_object(required=False)
            except ApiError:
                raise OAuthError("invalid_request", "Malformed JSON body") from None
            return {k: v for k, v in data.items() if isinstance(v, str)}
        try:
            parsed = parse_qs(req.body.decode(), keep_blank_values=True)
        except UnicodeDecodeError:
            raise OAuthError("invalid_request", "Body must be form-encoded") from None
        return {k: v[-1] for k, v in parsed.items()}

    def _exchange(self, form, client_id) -> dict:
        missing = [
            k for k in ("code", "redirect_uri", "code_verifier") if not form.get(k)
        ]
        if missing:
            raise OAuthError("invalid_request", f"Missing {', '.join(missing)}")
        record = self.codes.get(form["code"])
        now = self.state.clock.now()
        if record is None or record["used"] or record["expires"] < now:
            raise OAuthError("invalid_grant", "Authorization code invalid or expired")
        record["used"] = True  # one attempt only, even a failed one
        if record["client_id"] != client_id:
            raise OAuthError("invalid_grant", "Code was issued to another client")
        if record["redirect_uri"] != form["redirect_uri"]:
            raise OAuthError("invalid_grant", "redirect_uri does not match")
        verifier = form["code_verifier"]
        if not VERIFIER_RE.match(verifier):
            raise OAuthError("invalid_grant", "code_verifier must be 43-128 characters")
        digest = hashlib.sha256(verifier.encode()).digest()
        challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        if challenge != record["challenge"]:
            raise OAuthError("invalid_grant", "PKCE verification failed")
        grant = Grant(new_id(), client_id, record["scope"], now)
        self.grants[grant.id] = grant
        self.stats["exchanges"] += 1
        return self._issue(grant)

    def _refresh(self, form, client_id) -> dict:
        token = form.get("refresh_token")
        if not token:
            raise OAuthError("invalid_request", "Missing refresh_token")
        record = self.refresh.get(token)
        if record is None:
            raise OAuthError("invalid_grant", "Unknown refresh token")
        grant = self.grants[record["grant"]]
        if grant.client_id != client_id:
            raise OAuthError(
                "invalid_grant", "Refresh token was issued to another client"
            )
        if grant.revoked:
            raise OAuthError("invalid_grant", "Authorisation has been revoked")
        if record["spent"] or record["expires"] < self.state.clock.now():
            grant.revoked = True
            self.stats["reuse_detected"] += 1
            raise OAuthError(
                "invalid_grant",
                "Refresh token already used or expired: every token of this "
                "authorisation has been revoked",
            )
        record["spent"] = True
        self.stats["refreshes"] += 1
        return self._issue(grant)


def authorize(state, req):
    return state.auth.authorize(req)


def token(state, req):
    return state.auth.token(req)


ROUTES = [
    ("GET", "/oauth/authorize", authorize),
    ("POST", "/oauth/token", token),
]
