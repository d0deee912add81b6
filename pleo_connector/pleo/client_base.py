"""Transport core of PleoClient: one session, typed errors, cursor paging."""

from __future__ import annotations

import logging
import os
import weakref
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote, urlsplit

import requests

from . import errors
from .environments import Environment, normalise_url
from .transport import Counter, make_adapter, retry_policy

_logger = logging.getLogger(__name__)

API_HEADERS = {
    "Accept": "application/json",
    "User-Agent": "pleo-connector-odoo/18.0 " + requests.utils.default_user_agent(),
}
# Receipts are at most 30 MB (GUIDES §2.7); refuse to buffer anything far larger.
MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024
# Kept-alive connections to the file hosts, enough for concurrent downloads.
FILE_POOL_SIZE = 8


def segment(value):
    """`value` made safe as one URL path segment (ids come from outside)."""
    return quote(str(value), safe="")


def chunks(items, size):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def compact(mapping):
    """`mapping` without its None values (optional fields left out of a body)."""
    return {key: value for key, value in mapping.items() if value is not None}


def _query(params):
    """Query parameters as Pleo expects them: no None, booleans in lower case."""
    out = {}
    for key, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, (list, tuple, set, frozenset)):
            value = list(value)  # requests repeats the parameter per value
        out[key] = value
    return out


class PleoClientBase:
    """HTTP plumbing shared by every API area of PleoClient."""

    def __init__(
        self,
        env_or_api_url,
        auth,
        *,
        company_id=None,
        timeout=(5, 60),
        max_retries=5,
        backoff_factor=0.5,
        requests_per_minute=500,
        session=None,
        page_size=100,
    ):
        if isinstance(env_or_api_url, Environment):
            env_or_api_url = env_or_api_url.api_url
        self.api_url = normalise_url(env_or_api_url)
        self.auth = auth
        self.company_id = company_id
        self.timeout = timeout
        self.page_size = page_size
        self._counter = Counter()
        self._file_counter = Counter()
        self._own_session = session is None
        self.session = session if session is not None else requests.Session()
        # One adapter (and so one throttle bucket per host) per client object.
        self.adapter = make_adapter(
            max_retries, backoff_factor, requests_per_minute, self._counter
        )
        self.session.mount("https://", self.adapter)
        self.session.mount("http://", self.adapter)
        # Receipt links are file links, not calls of Pleo's API: they keep
        # their own retries (429 and Retry-After included) but never wait for
        # a slot of the API's rate limit.
        self.files = requests.Session()
        # requests reads the whole environment for every request (proxies, CA
        # bundle); for thousands of receipts that is most of a download's CPU,
        # taken from the booking thread. Read once: the CA bundle here, the
        # proxies once per host (`_file_proxies`). No ~/.netrc for file hosts.
        self.files.trust_env = False
        self.files.verify = (
            os.environ.get("REQUESTS_CA_BUNDLE")
            or os.environ.get("CURL_CA_BUNDLE")
            or True
        )
        self._proxies_by_host = {}
        file_adapter = make_adapter(
            max_retries,
            backoff_factor,
            0,
            self._file_counter,
            pool_maxsize=FILE_POOL_SIZE,
        )
        self.files.mount("https://", file_adapter)
        self.files.mount("http://", file_adapter)
        self._file_pool = None  # started by the first download
        self._prefetched = {}  # url -> Future of its bytes (or PleoError)
        # The throttle runs a background thread: stop it even if close() is
        # never called. The finalizer holds no reference to the client.
        self._finalizer = weakref.finalize(self, self.adapter.close)

    @property
    def request_count(self):
        """HTTP requests actually sent by this client, retries included."""
        return self._counter.value + self._file_counter.value

    @property
    def api_request_count(self):
        """Requests to Pleo's API only: what its rate limit counts."""
        return self._counter.value

    def close(self):
        self._finalizer()
        if self._file_pool is not None:
            self._file_pool.shutdown(wait=True, cancel_futures=True)
        self._prefetched.clear()
        self.files.close()
        if self._own_session:
            self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __repr__(self):
        return (
            f"{type(self).__name__}({self.api_url!r}, company_id={self.company_id!r})"
        )

    # --- requests -----------------------------------------------------------

    def _require_company(self):
        if not self.company_id:
            raise errors.PleoError(
                "This call needs the Pleo company id: set company_id on the client."
            )
        return self.company_id

    def _send(self, method, url, *, idempotent, auth, session=None, **kwargs):
        """One call (plus the adapter's retries); transport failures typed."""
        session = session or self.session
        try:
            with retry_policy(idempotent):
                response = session.request(
                    method, url, auth=auth, timeout=self.timeout, **kwargs
                )
        except requests.RequestException as exc:
            raise errors.PleoConnectionError(
                f"Pleo did not answer {method} {urlsplit(url).path}: {exc}"
            ) from exc
        _logger.debug(
            "Pleo %s %s -> %s", method, urlsplit(url).path, response.status_code
        )
        if response.status_code >= 400:
            raise errors.error_from_response(response)
        return response

    def _request(self, method, path, *, params=None, json=None, idempotent=None):
        """Call the API; returns the decoded JSON body, or None when empty.

        `idempotent` defaults to the HTTP method's own semantics; POSTs that are
        searches or state-setting actions pass idempotent=True.
        """
        if idempotent is None:
            idempotent = method in ("GET", "HEAD", "PUT", "DELETE")
        response = self._send(
            method,
            self.api_url + path,
            idempotent=idempotent,
            auth=self.auth,
            params=_query(params),
            json=json,
            headers=API_HEADERS,
        )
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise errors.PleoError(
                f"Pleo answered {method} {path} with a body that is not JSON",
                response.status_code,
                request_id=errors.request_id_of(response),
            ) from exc

    def _data(self, method, path, **kwargs):
        """The `data` of Pleo's {"data": ...} envelope (or the bare body)."""
        body = self._request(method, path, **kwargs)
        if isinstance(body, dict) and "data" in body:
            return body["data"]
        return body

    def _pages(self, method, path, *, params=None, json=None, after=None):
        """Yield each page's `data` list, following `endCursor` while there is more.

        Every paged call is a read, so it is always retried as idempotent.
        """
        for _cursor, page in self._cursored_pages(
            method, path, params=params, json=json, after=after
        ):
            yield page

    def _cursored_pages(self, method, path, *, params=None, json=None, after=None):
        """(cursor, page) pairs: the `after` cursor that asked for each page
        (None for the first), so a caller can resume there later."""
        params = dict(params or {})
        params["limit"] = self.page_size
        cursor = after
        while True:
            if cursor:
                params["after"] = cursor
            body = self._request(
                method, path, params=params, json=json, idempotent=True
            )
            body = body or {}
            yield cursor, body.get("data") or []
            pagination = body.get("pagination") or {}
            if not pagination.get("hasNextPage"):
                return
            next_cursor = pagination.get("endCursor")
            if not next_cursor or next_cursor == cursor:
                raise errors.PleoError(
                    f"Pleo's pagination of {path} has a next page but no new cursor"
                )
            cursor = next_cursor

    def _items(self, method, path, **kwargs):
        for page in self._pages(method, path, **kwargs):
            yield from page

    # --- files ----------------------------------------------------------------

    def _same_origin(self, url):
        mine, theirs = urlsplit(self.api_url), urlsplit(url)
        return (mine.scheme, mine.netloc) == (theirs.scheme, theirs.netloc)

    def download_file(self, url, max_bytes=MAX_DOWNLOAD_BYTES):
        """The bytes behind a receipt link.

        Receipt links are pre-signed URLs on other hosts: our credentials go
        only to the API's own origin (a storage host would refuse them, and
        must never see them).
        """
        auth = self.auth if self._same_origin(url) else None
        return self._download(url, auth, max_bytes)

    def download_files(self, urls):
        """Several receipt links at once, over the kept-alive file session:
        for each URL, in order, its bytes or the PleoError it ended with.
        Links given to `start_downloads` before are taken as they arrive. The
        files stay until `drop_downloads`: a batch that Odoo refused is booked
        again page by page without downloading its receipts twice."""
        urls = list(urls)
        self.start_downloads(urls)
        futures = {url: self._prefetched[url] for url in dict.fromkeys(urls)}
        return [futures[url].result() for url in urls]

    def start_downloads(self, urls):
        """Start downloading `urls` in the background (a pool of FILE_POOL_SIZE
        threads): the next page's receipts travel while this one is booked.

        The threads only download: credentials (for a link on the API's own
        origin) are read once, here, so no token refresh runs in a thread.
        """
        urls = [url for url in dict.fromkeys(urls) if url not in self._prefetched]
        if not urls:
            return
        api_auth = self._frozen_auth() if any(map(self._same_origin, urls)) else None

        def fetch(url):
            try:
                return self._download(url, api_auth if self._same_origin(url) else None)
            except errors.PleoError as exc:
                return exc

        if self._file_pool is None:
            self._file_pool = ThreadPoolExecutor(
                max_workers=FILE_POOL_SIZE, thread_name_prefix="pleo-files"
            )
        for url in urls:
            self._prefetched[url] = self._file_pool.submit(fetch, url)

    def drop_downloads(self, urls):
        """Forget downloads once their batch is done (or its items failed before
        their receipts were needed): files held stay bounded to a batch or two."""
        for url in urls:
            future = self._prefetched.pop(url, None)
            if future is not None:
                future.cancel()

    def _frozen_auth(self):
        """This client's credentials as they are now, safe to use from threads."""
        get_token = getattr(self.auth, "get_token", None)
        if get_token is None:
            return self.auth  # an API key does not change
        token = get_token()
        return type(self.auth)(lambda: token)

    def _file_proxies(self, url):
        """The environment's proxies for `url`'s host (no_proxy applied), as
        requests would find them, read once per host."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc)
        if key not in self._proxies_by_host:
            self._proxies_by_host[key] = requests.utils.get_environ_proxies(url)
        return self._proxies_by_host[key]

    def _download(self, url, auth, max_bytes=MAX_DOWNLOAD_BYTES):
        response = self._send(
            "GET",
            url,
            idempotent=True,
            auth=auth,
            session=self.files,
            proxies=self._file_proxies(url),
            stream=True,
            headers={"Accept": "*/*", "User-Agent": API_HEADERS["User-Agent"]},
        )
        received = bytearray()
        with response:
            try:
                for block in response.iter_content(64 * 1024):
                    received += block
                    if len(received) > max_bytes:
                        raise errors.PleoPayloadTooLarge(
                            f"File larger than {max_bytes} bytes: {urlsplit(url).path}"
                        )
            except requests.RequestException as exc:
                raise errors.PleoConnectionError(
                    f"Download of {urlsplit(url).path} broke off: {exc}"
                ) from exc
        return bytes(received)
