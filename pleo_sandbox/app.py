"""Request pipeline: log -> fault -> auth -> rate limit -> route handler.

/_sandbox/* skips the pipeline (no auth, no faults, not counted) so tests can
always inspect and steer the sandbox, even while it is failing on purpose.
"""

from __future__ import annotations

import logging
import time

from . import (
    accounts,
    auth,
    export_api,
    inspection,
    installations,
    receipts,
    tags,
    taxcodes,
    vendors,
    webhooks,
)
from .web import DROP, ApiError, Response, Router

_logger = logging.getLogger("pleo_sandbox")
API_PREFIXES = ("/v0/", "/v1/", "/v1-beta/", "/v2/", "/v3/")


class App:
    def __init__(self, state):
        self.state = state
        self.router = Router()
        for module in (
            auth,
            export_api,
            tags,
            accounts,
            taxcodes,
            vendors,
            webhooks,
            installations,
            receipts,
        ):
            self.router.extend(module.ROUTES)
        self.sandbox = Router()
        self.sandbox.extend(inspection.ROUTES)

    def handle(self, req):
        if req.path == "/_sandbox" or req.path.startswith("/_sandbox/"):
            return self._route(self.sandbox, req)
        route, _ = self.router.match(req.method, req.path)
        template = route.template if route else "UNMATCHED"
        response = self._pipeline(req)
        status = "dropped" if response is DROP else response.status
        self.state.requests.hit(req.method, template, status)
        return response

    def _pipeline(self, req):
        state = self.state
        fault = state.faults.take(req.method, req.path)
        if fault is not None:
            if fault.kind == "drop":
                return DROP
            if fault.kind == "slow":
                time.sleep(fault.delay)
            else:
                headers = {}
                if fault.retry_after is not None:
                    headers["Retry-After"] = str(fault.retry_after)
                return Response(fault.status, fault.body(), headers=headers)
        if req.path.startswith(API_PREFIXES):
            try:
                with state.lock:
                    req.credential = state.auth.authenticate(
                        req.headers.get("authorization")
                    )
            except ApiError as exc:
                return exc.response()
            retry = state.limiter.check(req.credential.key, state.clock.now())
            if retry is not None:
                return Response(
                    429,
                    {
                        "type": "TOO_MANY_REQUESTS",
                        "message": f"More than {state.limiter.limit} requests per "
                        "minute; retry later",
                    },
                    headers={"Retry-After": str(retry)},
                )
        return self._route(self.router, req)

    def _route(self, router, req):
        route, found = router.match(req.method, req.path)
        if route is None:
            if found:
                error = ApiError(405, "METHOD_NOT_ALLOWED", f"{req.method} not allowed")
                error.headers["Allow"] = ", ".join(sorted(set(found)))
            else:
                error = ApiError(404, "NOT_FOUND", f"No resource at {req.path}")
            return error.response()
        req.params, req.template = found, route.template
        try:
            if route.lock:
                with self.state.lock:
                    return route.handler(self.state, req)
            return route.handler(self.state, req)
        except ApiError as exc:
            return exc.response()
        except Exception as exc:  # a sandbox bug must still answer, never hang
            _logger.exception("Sandbox handler failed: %s %s", req.method, req.path)
            return Response(500, {"type": "INTERNAL_SERVER_ERROR", "message": str(exc)})
