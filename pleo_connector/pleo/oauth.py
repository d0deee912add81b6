"""OAuth 2.0 authorization-code flow with PKCE (S256) against Pleo's auth server.

The caller owns the state: it stores the code verifier between the redirect and
the callback, and persists every token dict this class returns (Pleo rotates
refresh tokens, so the new pair must be saved before it is used).
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import logging
import os
import secrets
import threading
from contextlib import contextmanager
from urllib.parse import quote_plus, urlsplit

import requests
from oauthlib.oauth2 import InvalidGrantError, OAuth2Error
from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth2Session

from . import errors
from .environments import Environment, environment_for
from .transport import build_retry

_logger = logging.getLogger(__name__)

# oauthlib refuses plain http unless this variable is set process-wide; the
# sandbox on a loopback address is the one place we allow it.
_INSECURE_ENV = "OAUTHLIB_INSECURE_TRANSPORT"
_insecure_lock = threading.Lock()


def _is_loopback_http(url):
    parts = urlsplit(url)
    if parts.scheme != "http":
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname or "").is_loopback
    except ValueError:
        return False


@contextmanager
def _transport_allowed(url):
    """Let oauthlib talk plain http to a loopback sandbox, for this call only."""
    if not _is_loopback_http(url):
        yield
        return
    # Serialised: the variable is process-wide, so no other OAuth call may see it.
    with _insecure_lock:
        previous = os.environ.get(_INSECURE_ENV)
        os.environ[_INSECURE_ENV] = "1"
        try:
            yield
        finally:
            if previous is None:
                os.environ.pop(_INSECURE_ENV, None)
            else:
                os.environ[_INSECURE_ENV] = previous


class PleoOAuth:
    """Authorization URL, code exchange and refresh for one OAuth client."""

    def __init__(
        self,
        client_id,
        client_secret,
        env,
        redirect_uri,
        scopes=None,
        timeout=(5, 30),
        max_retries=2,
    ):
        if not isinstance(env, Environment):
            env = environment_for("custom", env)
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.scopes = tuple(env.scopes if scopes is None else scopes)
        self.authorize_endpoint = f"{env.auth_url}/oauth/authorize"
        self.token_endpoint = f"{env.auth_url}/oauth/token"
        self.timeout = timeout
        self.max_retries = max_retries

    def __repr__(self):
        return f"PleoOAuth({self.client_id!r}, {self.token_endpoint!r})"

    # --- PKCE --------------------------------------------------------------

    @staticmethod
    def new_code_verifier():
        """A fresh RFC 7636 verifier: 86 characters of [A-Za-z0-9-_]."""
        return secrets.token_urlsafe(64)

    @staticmethod
    def code_challenge(code_verifier):
        digest = hashlib.sha256(code_verifier.encode("ascii")).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    # --- flow ----------------------------------------------------------------

    def authorization_url(self, state, code_verifier):
        """Where to send the user's browser to consent (PKCE S256, with `state`)."""
        session = OAuth2Session(
            self.client_id, redirect_uri=self.redirect_uri, scope=list(self.scopes)
        )
        with self._oauthlib_errors(revoked=False):
            with _transport_allowed(self.authorize_endpoint):
                url, _state = session.authorization_url(
                    self.authorize_endpoint,
                    state=state,
                    code_challenge=self.code_challenge(code_verifier),
                    code_challenge_method="S256",
                )
        return url

    def fetch_token(self, code, code_verifier):
        """Exchange the callback's `code` for a token dict."""
        session = self._token_session(revoked=False)
        with self._oauthlib_errors(revoked=False):
            with _transport_allowed(self.token_endpoint):
                token = session.fetch_token(
                    self.token_endpoint,
                    code=code,
                    code_verifier=code_verifier,
                    auth=self._client_auth(),
                    include_client_id=True,
                    timeout=self.timeout,
                )
        _logger.info("Pleo OAuth: authorization code exchanged")
        return dict(token)

    def refresh(self, refresh_token):
        """A new token dict (new access and refresh token) for `refresh_token`.

        Raises PleoTokenRevoked when Pleo refuses the refresh token itself, and
        a retryable PleoError when Pleo is merely unavailable.
        """
        session = self._token_session(revoked=True)
        with self._oauthlib_errors(revoked=True):
            with _transport_allowed(self.token_endpoint):
                token = session.refresh_token(
                    self.token_endpoint,
                    refresh_token=refresh_token,
                    auth=self._client_auth(),
                    timeout=self.timeout,
                    client_id=self.client_id,
                )
        _logger.info("Pleo OAuth: access token refreshed")
        return dict(token)

    # --- plumbing --------------------------------------------------------------

    def _client_auth(self):
        # client_secret_basic; RFC 6749 §2.3.1 form-encodes both parts first.
        return HTTPBasicAuth(
            quote_plus(self.client_id), quote_plus(self.client_secret or "")
        )

    def _token_session(self, revoked):
        # scope=None: ask for nothing on refresh, and accept whatever scope Pleo
        # granted instead of failing on a narrower one.
        session = OAuth2Session(self.client_id, redirect_uri=self.redirect_uri)
        # Token calls are not idempotent (a lost answer may have spent the
        # refresh token), so only refused (429/503) and unsent requests retry.
        retry = build_retry(self.max_retries, 0.5, idempotent=False)
        adapter = requests.adapters.HTTPAdapter(max_retries=retry)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        hook = self._refresh_answer if revoked else self._exchange_answer
        kind = "refresh_token_response" if revoked else "access_token_response"
        session.register_compliance_hook(kind, hook)
        return session

    @staticmethod
    def _exchange_answer(response):
        if response.status_code in (400, 401):
            raise errors.error_from_response(response, errors.PleoAuthError)
        if not response.ok:
            raise errors.error_from_response(response)
        return response

    @staticmethod
    def _refresh_answer(response):
        if response.status_code in (400, 401):
            raise errors.error_from_response(response, errors.PleoTokenRevoked)
        if not response.ok:
            raise errors.error_from_response(response)
        return response

    @contextmanager
    def _oauthlib_errors(self, revoked):
        """Turn requests/oauthlib exceptions into the client's typed errors."""
        try:
            yield
        except requests.RequestException as exc:
            raise errors.PleoConnectionError(
                f"Pleo's auth server is unreachable: {exc}"
            ) from exc
        except InvalidGrantError as exc:
            cls = errors.PleoTokenRevoked if revoked else errors.PleoAuthError
            raise cls(exc.description or str(exc), exc.status_code, exc.error) from exc
        except OAuth2Error as exc:
            raise errors.PleoAuthError(
                exc.description or str(exc), exc.status_code, exc.error
            ) from exc
        except Warning as exc:  # oauthlib signals a changed scope with a Warning
            raise errors.PleoAuthError(str(exc)) from exc
