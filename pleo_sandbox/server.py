"""SandboxServer: a threaded stdlib HTTP server around the sandbox App.

In-process use (tests, benchmarks):

    with SandboxServer(port=0, seed="demo", token_ttl=5) as srv:
        requests.get(srv.url + "/v3/export-jobs", auth=(srv.api_key, ""))
"""

from __future__ import annotations

import logging
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from .app import App
from .faults import parse_fault
from .state import Config, SandboxState
from .web import DROP, Request, Response

_logger = logging.getLogger("pleo_sandbox")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real API gateway
    server_version = "PleoSandbox/1.0"
    timeout = 120  # idle keep-alive connections are closed after this
    # Headers and body go out in two writes; without this, Nagle plus the
    # client's delayed ACK adds ~40 ms to every keep-alive response.
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write(f"{self.address_string()} - {fmt % args}\n")

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0:
            raise ValueError("negative Content-Length")
        return self.rfile.read(length) if length else b""

    def _handle(self):
        try:
            body = self._read_body()
        except ValueError:
            self.close_connection = True
            self._send(Response(400, {"type": "BAD_REQUEST", "message": "Bad body"}))
            return
        split = urlsplit(self.path)
        host = self.headers.get("Host") or self.server.public_host
        req = Request(
            method=self.command,
            path=unquote(split.path),
            query=parse_qs(split.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            base_url=f"http://{host}",
        )
        try:
            response = self.server.app.handle(req)
        except Exception as exc:  # never drop a connection because of a bug
            _logger.exception("Sandbox failed on %s %s", req.method, req.path)
            response = Response(
                500, {"type": "INTERNAL_SERVER_ERROR", "message": str(exc)}
            )
        if response is DROP:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self._send(response)
        for callback in response.after:
            try:
                callback()
            except Exception:
                _logger.exception("Sandbox after-response task failed")

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

    def _send(self, response: Response):
        payload = response.payload()
        try:
            self.send_response(response.status)
            if response.status != 204:
                if payload:
                    self.send_header("Content-Type", response.content_type)
                self.send_header("Content-Length", str(len(payload)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if payload and response.status != 204:
                self.wfile.write(payload)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, app, verbose):
        self.app, self.verbose = app, verbose
        self._open: set = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)
        host, port = self.server_address[:2]
        self.public_host = f"{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}"

    def process_request(self, request, client_address):
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_open_connections(self):
        with self._open_lock:
            open_now = list(self._open)
        for sock in open_now:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return  # clients going away is normal
        if self.verbose:
            super().handle_error(request, client_address)
        else:
            _logger.debug("Sandbox connection error", exc_info=True)


class SandboxServer:
    """A local Pleo look-alike. Bound on creation (so `url` is known), served by
    `start()` in a background thread; a context manager starts and stops it."""

    def __init__(
        self,
        host="127.0.0.1",
        port=0,
        seed="demo",
        *,
        receipts=True,
        token_ttl=900,
        job_expiry=3600,
        file_ttl=86400,
        rate_limit=600,
        strict=True,
        expire_pending=False,
        max_page_size=1000,
        stable_ids=False,
        client_id="pleo-sandbox-client",
        client_secret="pleo-sandbox-secret",
        api_key="pleo-sandbox-api-key",
        company_id=None,
        webhook_secret=None,
        redirect_uris=None,
        faults=(),
        verbose=False,
    ):
        config = Config(
            token_ttl=token_ttl,
            job_expiry=job_expiry,
            file_ttl=file_ttl,
            rate_limit=rate_limit,
            receipts=receipts,
            strict=strict,
            expire_pending=expire_pending,
            max_page_size=max_page_size,
            stable_ids=stable_ids,
        )
        self.state = SandboxState(
            config,
            seed=seed,
            company_id=company_id,
            client_id=client_id,
            client_secret=client_secret,
            api_key=api_key,
            webhook_secret=webhook_secret,
            redirect_uris=redirect_uris,
        )
        for spec in faults:
            self.add_fault(**spec)
        self._httpd = _HTTPServer((host, port), App(self.state), verbose)
        self.host = host
        self.port = self._httpd.server_address[1]
        self.url = f"http://{self._httpd.public_host}"
        self._thread = None

    # --- lifecycle ---------------------------------------------------------------

    def start(self) -> SandboxServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.1},
                name=f"pleo-sandbox-{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.close_open_connections()
        self._httpd.server_close()

    def serve_forever(self) -> None:
        self._httpd.serve_forever(poll_interval=0.5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # --- credentials ---------------------------------------------------------------

    client_id = property(lambda self: self.state.auth.client_id)
    client_secret = property(lambda self: self.state.auth.client_secret)
    api_key = property(lambda self: self.state.auth.api_key)
    company_id = property(lambda self: self.state.company_id)
    webhook_secret = property(lambda self: self.state.webhook_secret)

    # --- in-process steering (mirrors /_sandbox/...) ----------------------------------

    def reset(self, seed=None, *, tokens=False) -> None:
        self.state.reset(seed, tokens=tokens)

    def create_job(
        self, seed="demo", *, notify=True, vendor_based=True, mix=None
    ) -> dict:
        return self.state.create_job(
            seed, notify=notify, vendor_based=vendor_based, mix=mix
        )[0]

    def jobs(self) -> list[dict]:
        with self.state.lock:
            now = self.state.clock.now()
            return [
                {**j.to_json(now, self.state.config), "counts": j.counts()}
                for j in self.state.exports.all()
            ]

    def reported(self, job_id) -> list[dict]:
        with self.state.lock:
            return self.state.exports.get(job_id).reported()

    def add_fault(self, **spec) -> dict:
        fault = parse_fault(spec)
        if fault.kind == "expire_tokens":
            self.expire_tokens()
        else:
            self.state.faults.add(fault)
        return fault.to_json()

    def clear_faults(self) -> None:
        self.state.faults.clear()

    def expire_tokens(self) -> None:
        with self.state.lock:
            self.state.auth.expire_access_tokens()

    def advance_clock(self, seconds: float) -> None:
        self.state.clock.advance(seconds)

    def request_counts(self) -> dict:
        return self.state.requests.to_json()

    def send_webhook(self, url, event_type, data=None) -> int | None:
        """Send one signed event to `url`; the HTTP status, None if unreachable."""
        return self.state.send_webhook(url, event_type, data)["status"]

    def create_draft_vendor(self, notify=True, **values) -> dict:
        return self.state.create_draft_vendor(values, notify=notify)[0]

    def put_account(
        self, code, name=None, *, contra=None, archived=None, external_id=None
    ):
        """Add or change a chart-of-accounts row by code (POST /_sandbox/accounts)."""
        with self.state.lock:
            return dict(
                self.state.accounts.put(
                    code,
                    name,
                    contra=contra,
                    archived=archived,
                    external_id=external_id,
                )
            )

    def put_tax_code(self, code, name=None, rate=None, type=None, archived=None):
        """Add or change a tax code by code (POST /_sandbox/tax-codes)."""
        with self.state.lock:
            return dict(self.state.tax_codes.put(code, name, rate, type, archived))

    @property
    def webhook_deliveries(self) -> list[dict]:
        with self.state.lock:
            return list(self.state.subscriptions.deliveries)

    def snapshot(self) -> dict:
        return self.state.snapshot()
