"""How each request proves who it is: a Pleo API key or an OAuth access token."""

from __future__ import annotations

from requests.auth import AuthBase, HTTPBasicAuth


class ApiKeyAuth(HTTPBasicAuth):
    """Pleo API keys: HTTP Basic with the key as username and an empty password."""

    def __init__(self, api_key):
        super().__init__(api_key, "")

    def __repr__(self):
        return "ApiKeyAuth(***)"


class BearerTokenAuth(AuthBase):
    """OAuth bearer token, refreshed once when Pleo answers 401.

    `get_token()` returns the current access token. `on_unauthorized()` is called
    when Pleo refuses it anyway (revoked, or expired early); it refreshes (the
    caller does that under its own lock and stores the rotated pair) and returns
    the new access token, or None to give up. The request is then sent once
    more; a second 401 reaches the client, which raises PleoAuthError.
    """

    def __init__(self, get_token, on_unauthorized=None):
        self.get_token = get_token
        self.on_unauthorized = on_unauthorized

    def __call__(self, request):
        request.headers["Authorization"] = f"Bearer {self.get_token()}"
        request.register_hook("response", self._retry_on_401)
        return request

    def _retry_on_401(self, response, **kwargs):
        request = response.request
        if (
            response.status_code != 401
            or self.on_unauthorized is None
            or getattr(request, "_pleo_auth_retried", False)
        ):
            return response
        token = self.on_unauthorized()
        if not token:
            return response
        # Drain the refused answer so its connection goes back to the pool.
        _ = response.content
        response.close()
        retry = request.copy()
        retry.headers["Authorization"] = f"Bearer {token}"
        retry._pleo_auth_retried = True
        # Same adapter, so the retry goes through the same throttle and retries.
        new_response = response.connection.send(retry, **kwargs)
        new_response.history.append(response)
        new_response.request = retry
        return new_response
