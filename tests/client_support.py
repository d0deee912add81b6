"""Helpers of the client tests: a client factory, Pleo page envelopes, request
inspection, and a scripted local HTTP server for real retry/timeout behaviour
(`responses` replaces the adapter's send, so urllib3 never runs under it)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from pleo_connector.pleo import ApiKeyAuth, PleoClient, environment_for

API = "https://external.pleo.io"
COMPANY = "0b5d7c2e-6a38-4d1c-9a43-2f2f3f0d9e11"
JOB = "5f1c6a54-0a43-4b0b-8c1c-3a6f8f1c2d77"


def make_client(url=API, **kwargs):
    """A client with test-friendly defaults: no throttle, tiny backoff."""
    options = {
        "company_id": COMPANY,
        "requests_per_minute": 0,
        "backoff_factor": 0.001,
        "max_retries": 3,
    }
    options.update(kwargs)
    auth = options.pop("auth", None) or ApiKeyAuth("test-key")
    env = environment_for("production") if url == API else url
    return PleoClient(env, auth, **options)


def page(data, cursor=None):
    """Pleo's cursor envelope; `cursor` set means another page follows."""
    return {
        "data": data,
        "pagination": {
            "currentRequestPagination": {"parameters": {}},
            "hasNextPage": cursor is not None,
            "hasPreviousPage": False,
            "startCursor": None,
            "endCursor": cursor,
            "total": None,
        },
    }


def query_of(call):
    return parse_qs(urlsplit(call.request.url).query)


def path_of(call):
    return urlsplit(call.request.url).path


def json_of(call):
    return json.loads(call.request.body)


# --- scripted server -------------------------------------------------------------


@dataclass
class Reply:
    status: int = 200
    body: object = None
    headers: dict = field(default_factory=dict)
    delay: float = 0.0


class ScriptedServer:
    """Answers each (method, path) from a script; the last reply repeats."""

    def __init__(self):
        self.scripts = {}
        self.received = []  # (method, path, headers, body)
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.httpd.daemon_threads = True
        self.httpd.handle_error = lambda request, address: None  # client gave up
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, args=(0.05,), daemon=True
        )

    @property
    def url(self):
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def script(self, method, path, *replies):
        self.scripts[(method, path)] = list(replies)

    def count(self, method, path):
        return sum(1 for m, p, _h, _b in self.received if (m, p) == (method, path))

    def _next_reply(self, method, path):
        with self._lock:
            replies = self.scripts.get((method, path))
            if not replies:
                return Reply(404, {"type": "NOT_FOUND", "message": "not scripted"})
            return replies.pop(0) if len(replies) > 1 else replies[0]

    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # no 40 ms delayed-ACK stalls

            def log_message(self, *args):
                pass

            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = urlsplit(self.path).path
                with server._lock:
                    server.received.append(
                        (self.command, path, dict(self.headers), body)
                    )
                reply = server._next_reply(self.command, path)
                if reply.delay:
                    threading.Event().wait(reply.delay)
                raw = isinstance(reply.body, bytes)  # a file, not JSON
                if raw or reply.body is None:
                    payload = reply.body or b""
                else:
                    payload = json.dumps(reply.body).encode()
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if payload and not raw:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

        return Handler

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.httpd.shutdown()
        self.httpd.server_close()
