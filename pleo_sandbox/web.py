"""Request, response, error and routing primitives of the sandbox.

Kept free of any HTTP server so handlers are plain functions of (state, request).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

JSON_TYPE = "application/json;charset=UTF-8"


class ApiError(Exception):
    """An error answered with Pleo's body: {"type": ..., "message": ...}."""

    def __init__(self, status, type_, message, headers=None):
        super().__init__(message)
        self.status = status
        self.type = type_
        self.message = message
        self.headers = headers or {}

    def response(self) -> Response:
        body = {"type": self.type, "message": self.message}
        return Response(self.status, body, headers=dict(self.headers))


def bad_request(message, type_="VALIDATION_FAILED"):
    return ApiError(400, type_, message)


def not_found(message, type_="NOT_FOUND"):
    return ApiError(404, type_, message)


@dataclass
class Response:
    status: int = 200
    body: Any = None
    headers: dict = field(default_factory=dict)
    content_type: str = JSON_TYPE
    # Callables run after the answer is written (e.g. webhook deliveries), so
    # the client is never kept waiting and no state lock is held.
    after: list = field(default_factory=list)

    def payload(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body, separators=(",", ":")).encode()


DROP = object()  # sentinel: close the socket without answering


@dataclass
class Request:
    method: str
    path: str
    query: dict  # name -> list of values
    headers: dict  # lower-cased names
    body: bytes = b""
    params: dict = field(default_factory=dict)
    base_url: str = ""
    template: str = ""
    credential: Any = None
    _json: Any = None
    _parsed: bool = False

    def arg(self, name, default=None):
        values = self.query.get(name)
        return values[-1] if values else default

    def args(self, name) -> list:
        # Repeated parameters and comma-separated lists are both accepted.
        out = []
        for value in self.query.get(name, []):
            out.extend(v for v in value.split(",") if v)
        return out

    def bool_arg(self, name, default=False) -> bool:
        value = self.arg(name)
        if value is None or value == "":
            return default
        if value.lower() in ("true", "1"):
            return True
        if value.lower() in ("false", "0"):
            return False
        raise bad_request(
            f"Query parameter [{name}] must be a boolean", "PARAMETER_VALIDATION_FAILED"
        )

    def json(self, required=True):
        if not self._parsed:
            self._parsed = True
            if self.body.strip():
                try:
                    self._json = json.loads(self.body)
                except ValueError as exc:
                    raise bad_request(
                        f"Malformed JSON request body: {exc}", "JSON_MAPPING_EXCEPTION"
                    ) from exc
        if self._json is None and required:
            raise bad_request("Request body is required", "JSON_MAPPING_EXCEPTION")
        return self._json

    def json_object(self, required=True) -> dict:
        data = self.json(required=required)
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise bad_request(
                "Request body must be a JSON object", "JSON_MAPPING_EXCEPTION"
            )
        return data


Handler = Callable[[Any, Request], Response]


@dataclass
class Route:
    method: str
    template: str
    handler: Handler
    regex: re.Pattern
    lock: bool = True  # False: the handler takes the state lock itself


def _compile(template: str) -> re.Pattern:
    # "{name}" matches one segment; ':' ends it so "/v1/vendors/{id}:activate" works.
    pattern = re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/:]+)", re.escape(template))
    return re.compile(f"^{pattern}$")


class Router:
    def __init__(self):
        self.routes: list[Route] = []

    def add(self, method, template, handler, lock=True):
        self.routes.append(Route(method, template, handler, _compile(template), lock))

    def extend(self, routes):
        for spec in routes:
            self.add(*spec)

    def match(self, method, path):
        """Return (route, params) or (None, allowed_methods)."""
        allowed = []
        for route in self.routes:
            found = route.regex.match(path)
            if not found:
                continue
            if route.method == method:
                return route, found.groupdict()
            allowed.append(route.method)
        return None, allowed
