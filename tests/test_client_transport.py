"""Retries, backoff, timeouts and throttling against a real local HTTP server."""

import gc
import threading
import time
import types

import pytest
import requests
import urllib3.util.retry
from client_support import JOB, Reply, ScriptedServer, make_client

from pleo_connector.pleo import errors
from pleo_connector.pleo.transport import PleoAdapter, PleoRetry, ThrottledPleoAdapter

JOB_PATH = f"/v3/export-jobs/{JOB}"
JOB_BODY = {"data": {"id": JOB, "status": "pending"}}
VENDOR = {"data": {"id": "v1", "name": "ACME"}}


@pytest.fixture
def server():
    with ScriptedServer() as srv:
        yield srv


@pytest.fixture
def sleeps(monkeypatch):
    """urllib3's sleeps between retries, recorded instead of slept."""
    slept = []
    fake_time = types.SimpleNamespace(sleep=slept.append, time=time.time)
    monkeypatch.setattr(urllib3.util.retry, "time", fake_time)
    return slept


def test_429_waits_retry_after_then_succeeds(server, sleeps):
    server.script(
        "GET",
        JOB_PATH,
        Reply(429, {"type": "TOO_MANY_REQUESTS"}, {"Retry-After": "2"}),
        Reply(200, JOB_BODY),
    )
    client = make_client(server.url)

    assert client.get_export_job(JOB)["status"] == "pending"
    assert sleeps == [2]
    assert server.count("GET", JOB_PATH) == 2
    assert client.request_count == 2


def test_retry_after_is_capped(server, sleeps):
    server.script(
        "GET",
        JOB_PATH,
        Reply(429, None, {"Retry-After": "3600"}),
        Reply(200, JOB_BODY),
    )
    make_client(server.url).get_export_job(JOB)
    assert sleeps == [PleoRetry.MAX_RETRY_AFTER]


def test_503_then_success_backs_off_exponentially_with_jitter(server, sleeps):
    server.script(
        "GET", JOB_PATH, Reply(503), Reply(503), Reply(503), Reply(200, JOB_BODY)
    )
    client = make_client(server.url, backoff_factor=0.01)

    client.get_export_job(JOB)

    assert server.count("GET", JOB_PATH) == 4
    # urllib3: no base delay before the first retry, then factor * 2**(n-1).
    first, second, third = sleeps
    assert 0 <= first <= 0.01
    assert 0.02 <= second <= 0.03
    assert 0.04 <= third <= 0.05


def test_gives_up_on_429_after_max_retries(server, sleeps):
    server.script(
        "GET",
        JOB_PATH,
        Reply(
            429, {"type": "RATE_LIMITED", "message": "Slow down"}, {"Retry-After": "1"}
        ),
    )
    client = make_client(server.url, max_retries=2)

    with pytest.raises(errors.PleoRateLimited) as caught:
        client.get_export_job(JOB)

    assert caught.value.status == 429
    assert caught.value.type == "RATE_LIMITED"
    assert caught.value.retry_after == 1
    assert caught.value.retryable
    assert server.count("GET", JOB_PATH) == 3  # first try + 2 retries
    assert client.request_count == 3


def test_gives_up_on_503_after_max_retries(server, sleeps):
    server.script("GET", JOB_PATH, Reply(503, {"type": "UNAVAILABLE"}))
    client = make_client(server.url, max_retries=1)

    with pytest.raises(errors.PleoServerError) as caught:
        client.get_export_job(JOB)

    assert caught.value.status == 503
    assert server.count("GET", JOB_PATH) == 2


def test_create_is_not_retried_on_read_timeout(server, sleeps):
    server.script("POST", "/v1/vendors", Reply(201, VENDOR, delay=0.6))
    client = make_client(server.url, timeout=(2, 0.2))

    with pytest.raises(errors.PleoConnectionError):
        client.create_vendor("ACME", "EUR")

    time.sleep(0.6)  # a retry, had there been one, would have arrived by now
    assert server.count("POST", "/v1/vendors") == 1
    assert client.request_count == 1


def test_read_is_retried_on_read_timeout(server, sleeps):
    server.script(
        "GET", JOB_PATH, Reply(200, JOB_BODY, delay=0.6), Reply(200, JOB_BODY)
    )
    client = make_client(server.url, timeout=(2, 0.2))

    assert client.get_export_job(JOB)["id"] == JOB
    assert server.count("GET", JOB_PATH) == 2


@pytest.mark.parametrize("status", [429, 503])
def test_create_is_retried_when_refused_before_processing(server, sleeps, status):
    server.script("POST", "/v1/vendors", Reply(status), Reply(201, VENDOR))

    assert make_client(server.url).create_vendor("ACME", "EUR")["id"] == "v1"
    assert server.count("POST", "/v1/vendors") == 2


@pytest.mark.parametrize("status", [502, 504])
def test_create_is_not_retried_on_gateway_errors(server, sleeps, status):
    # The gateway may have passed the request on: Pleo may have created it.
    server.script("POST", "/v1/vendors", Reply(status), Reply(201, VENDOR))

    with pytest.raises(errors.PleoServerError):
        make_client(server.url).create_vendor("ACME", "EUR")
    assert server.count("POST", "/v1/vendors") == 1


def test_job_event_is_not_retried_on_502(server, sleeps):
    server.script("POST", "/v3/export-job-events", Reply(502), Reply(202))

    with pytest.raises(errors.PleoServerError):
        make_client(server.url).post_export_job_event(JOB, "started")
    assert server.count("POST", "/v3/export-job-events") == 1


def test_search_post_is_retried_on_502(server, sleeps):
    empty_page = {"data": [], "pagination": {"hasNextPage": False}}
    server.script("POST", "/v1/vendors:search", Reply(502), Reply(200, empty_page))

    assert list(make_client(server.url).iter_vendors(codes=["A"])) == []
    assert server.count("POST", "/v1/vendors:search") == 2


def test_job_item_update_put_is_retried_on_504(server, sleeps):
    path = f"/v3/export-jobs/{JOB}/items"
    server.script("PUT", path, Reply(504), Reply(200, {"data": [], "errors": []}))

    updates = [{"accountingEntryId": "e1", "status": "successful"}]
    make_client(server.url).update_export_job_items(JOB, updates)
    assert server.count("PUT", path) == 2


def test_unreachable_host_raises_connection_error_after_retries(sleeps):
    with ScriptedServer() as srv:
        url = srv.url  # a port that is free again once the server is gone
    client = make_client(url, max_retries=2)

    with pytest.raises(errors.PleoConnectionError) as caught:
        client.get_export_job(JOB)
    assert caught.value.retryable
    assert client.request_count == 3


def test_throttle_is_per_client_and_blocks_over_the_rate(server):
    server.script("GET", JOB_PATH, Reply(200, JOB_BODY))
    busy = make_client(server.url, requests_per_minute=3)
    assert isinstance(busy.adapter, ThrottledPleoAdapter)
    for _ in range(3):
        busy.get_export_job(JOB)
    busy.adapter.max_delay = 0.2  # fail fast instead of waiting for a free slot

    started = time.monotonic()
    with pytest.raises(errors.PleoConnectionError, match="Rate limit"):
        busy.get_export_job(JOB)
    assert time.monotonic() - started < 5
    assert server.count("GET", JOB_PATH) == 3

    other = make_client(server.url, requests_per_minute=3)
    assert other.get_export_job(JOB)["id"] == JOB  # its own budget
    busy.close()
    other.close()


def test_throttle_off_with_zero_rate(server):
    server.script("GET", JOB_PATH, Reply(200, JOB_BODY))
    client = make_client(server.url, requests_per_minute=0)
    assert type(client.adapter) is PleoAdapter
    for _ in range(10):
        client.get_export_job(JOB)
    assert client.request_count == 10


def leak_threads():
    """The throttle's background threads (pyrate-limiter's bucket leakers)."""
    return [t for t in threading.enumerate() if "Leaker" in t.name and t.is_alive()]


def wait_for(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
    return condition()


def test_close_stops_the_throttle_thread(server):
    server.script("GET", JOB_PATH, Reply(200, JOB_BODY))
    before = len(leak_threads())
    with make_client(server.url, requests_per_minute=100) as client:
        client.get_export_job(JOB)
        assert len(leak_threads()) == before + 1
    assert wait_for(lambda: len(leak_threads()) == before)


def test_forgotten_client_stops_its_throttle_thread(server):
    server.script("GET", JOB_PATH, Reply(200, JOB_BODY))
    before = len(leak_threads())
    client = make_client(server.url, requests_per_minute=100)
    client.get_export_job(JOB)
    del client  # never closed, as a cron that simply returns
    gc.collect()
    assert wait_for(lambda: len(leak_threads()) == before)


def test_given_session_is_used_and_left_open(server):
    server.script("GET", JOB_PATH, Reply(200, JOB_BODY))
    session = requests.Session()
    client = make_client(server.url, session=session)
    client.get_export_job(JOB)
    client.close()

    assert session.get_adapter(server.url) is client.adapter
    headers = server.received[0][2]
    assert headers["Accept"] == "application/json"
    assert headers["User-Agent"].startswith("pleo-connector-odoo/")
    assert session.get(server.url + JOB_PATH, timeout=5).status_code == 200


def test_backoff_jitter_stays_within_one_factor():
    retry = PleoRetry(total=5, backoff_factor=0.5)
    for _ in range(3):
        retry = retry.increment(method="GET", url="/", error=None)
    # three consecutive errors: base 0.5 * 2**2 = 2.0, plus up to 0.5 jitter
    values = {retry.get_backoff_time() for _ in range(50)}
    assert all(2.0 <= v <= 2.5 for v in values)
    assert len(values) > 1


def test_receipt_downloads_take_no_slot_of_the_api_throttle(server):
    """Receipt links are file links: with the API budget spent, downloads still
    go at once, and the API's next call is still refused a slot."""
    server.script("GET", JOB_PATH, Reply(200, JOB_BODY))
    server.script("GET", "/files/r.pdf", Reply(200, b"%PDF-1.4 receipt"))
    client = make_client(server.url, requests_per_minute=3)
    for _ in range(3):
        client.get_export_job(JOB)
    client.adapter.max_delay = 0.2  # a throttled call fails fast instead of waiting
    for _ in range(10):
        assert client.download_file(server.url + "/files/r.pdf") == b"%PDF-1.4 receipt"
    assert server.count("GET", "/files/r.pdf") == 10
    assert client.api_request_count == 3
    assert client.request_count == 13
    with pytest.raises(errors.PleoConnectionError, match="Rate limit"):
        client.get_export_job(JOB)
    client.close()


def test_a_429_on_a_download_is_still_honoured(server, sleeps):
    server.script(
        "GET",
        "/files/r.pdf",
        Reply(429, b"", headers={"Retry-After": "7"}),
        Reply(200, b"%PDF-1.4 receipt"),
    )
    client = make_client(server.url, requests_per_minute=3)
    assert client.download_file(server.url + "/files/r.pdf") == b"%PDF-1.4 receipt"
    assert 7 in sleeps
    assert client.api_request_count == 0
    client.close()


def test_receipts_of_a_page_download_in_parallel_with_their_own_errors(server):
    """Slow file hosts: the page's receipts overlap; one failure stays with its
    own link and does not stop the others."""
    server.script("GET", "/files/slow.pdf", Reply(200, b"%PDF-1.4 slow", delay=0.5))
    server.script("GET", "/files/gone.pdf", Reply(404, {"type": "NOT_FOUND"}))
    client = make_client(server.url, requests_per_minute=3)
    urls = [server.url + "/files/slow.pdf"] * 6 + [server.url + "/files/gone.pdf"]
    started = time.monotonic()
    got = client.download_files(urls)
    elapsed = time.monotonic() - started
    assert got[:6] == [b"%PDF-1.4 slow"] * 6
    assert isinstance(got[6], errors.PleoNotFound)
    assert elapsed < 6 * 0.5  # six half-second files did not wait for each other
    assert client.api_request_count == 0
    client.close()


def test_downloads_started_ahead_are_taken_not_fetched_twice(server):
    server.script("GET", "/files/a.pdf", Reply(200, b"%PDF-1.4 a", delay=0.3))
    server.script("GET", "/files/b.pdf", Reply(200, b"%PDF-1.4 b"))
    client = make_client(server.url)
    a, b = server.url + "/files/a.pdf", server.url + "/files/b.pdf"
    client.start_downloads([a, b])  # the next page's receipts
    assert client.download_files([b, a]) == [b"%PDF-1.4 b", b"%PDF-1.4 a"]
    assert server.count("GET", "/files/a.pdf") == 1
    assert server.count("GET", "/files/b.pdf") == 1
    # A batch booked again page by page reads its receipts again: kept.
    assert client.download_files([a]) == [b"%PDF-1.4 a"]
    assert server.count("GET", "/files/a.pdf") == 1
    client.start_downloads([a])
    client.drop_downloads([a])  # its batch is done
    assert client.download_files([a]) == [b"%PDF-1.4 a"]  # fetched anew, once more
    client.close()
