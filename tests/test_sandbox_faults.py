"""Sandbox fault injection, rate limit and request log."""

import time

import pytest
import requests

from pleo_sandbox import SandboxServer


def fault(srv, **spec):
    response = requests.post(srv.url + "/_sandbox/faults", json=spec)
    assert response.status_code == 201, response.text
    return response.json()["data"][0]


def test_429_with_retry_after_for_the_next_n_matching_requests(srv, http):
    fault(srv, status=429, count=2, retry_after=3, path="/v3/export-jobs")
    # Other paths are not affected.
    assert http.get(srv.url + "/v0/tag-groups").status_code == 200
    for _ in range(2):
        limited = http.get(srv.url + "/v3/export-jobs")
        assert limited.status_code == 429
        assert limited.headers["Retry-After"] == "3"
        assert limited.json()["type"] == "TOO_MANY_REQUESTS"
    assert http.get(srv.url + "/v3/export-jobs").status_code == 200


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors(srv, http, status):
    fault(srv, status=status)
    failed = http.get(srv.url + "/v3/export-jobs")
    assert failed.status_code == status
    assert set(failed.json()) == {"type", "message"}
    assert http.get(srv.url + "/v3/export-jobs").status_code == 200


def test_custom_error_body_and_method_filter(srv, http):
    fault(
        srv,
        status=400,
        method="GET",
        path="/v3/export-items",
        type="MISSING_CONTRA_ACCOUNTS",
        message="Contra accounts are not fully configured.",
    )
    job = http.get(srv.url + "/v3/export-jobs").json()["data"][0]
    answer = http.get(srv.url + "/v3/export-items", params={"job_id": job["id"]})
    assert answer.status_code == 400
    assert answer.json()["type"] == "MISSING_CONTRA_ACCOUNTS"


def test_dropped_connection(srv, http):
    fault(srv, drop=True, path="/v3/")
    with pytest.raises(requests.ConnectionError):
        http.get(srv.url + "/v3/export-jobs")
    assert http.get(srv.url + "/v3/export-jobs").status_code == 200


def test_slow_answers(srv, http):
    fault(srv, delay=0.4, count=2)
    started = time.monotonic()
    assert http.get(srv.url + "/v3/export-jobs").status_code == 200
    assert time.monotonic() - started >= 0.4
    with pytest.raises(requests.Timeout):
        http.get(srv.url + "/v3/export-jobs", timeout=0.1)


def test_faults_until_cleared_and_in_process_api(srv, http):
    srv.add_fault(status=503, count=None)
    for _ in range(3):
        assert http.get(srv.url + "/v3/export-jobs").status_code == 503
    assert requests.get(srv.url + "/_sandbox/faults").json()["data"]
    requests.delete(srv.url + "/_sandbox/faults")
    assert http.get(srv.url + "/v3/export-jobs").status_code == 200
    bad = requests.post(srv.url + "/_sandbox/faults", json={"kind": "meteor"})
    assert bad.status_code == 400


def test_oauth_token_endpoint_can_fail_too(srv):
    fault(srv, status=503, path="/oauth/token")
    response = requests.post(
        srv.url + "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": "x"},
        auth=(srv.client_id, srv.client_secret),
    )
    assert response.status_code == 503


def test_rate_limit_per_client_with_retry_after():
    with SandboxServer(port=0, seed="none", rate_limit=5) as srv:
        http = requests.Session()
        http.auth = (srv.api_key, "")
        for _ in range(5):
            assert http.get(srv.url + "/v0/tag-groups").status_code == 200
        limited = http.get(srv.url + "/v0/tag-groups")
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
        # Inspection endpoints are never limited; the window rolls over.
        assert requests.get(srv.url + "/_sandbox/state").status_code == 200
        srv.advance_clock(61)
        assert http.get(srv.url + "/v0/tag-groups").status_code == 200
        state = requests.get(srv.url + "/_sandbox/state").json()
        assert state["rateLimitRejections"] == 1


def test_request_log_counts_by_route_template(srv, http):
    requests.delete(srv.url + "/_sandbox/requests")
    job = http.get(srv.url + "/v3/export-jobs").json()["data"][0]
    for _ in range(3):
        http.get(f"{srv.url}/v3/export-jobs/{job['id']}/items")
    requests.get(srv.url + "/v3/export-jobs")  # no credentials: 401
    log = requests.get(srv.url + "/_sandbox/requests").json()
    assert log["counts"] == {
        "GET /v3/export-jobs": 2,
        "GET /v3/export-jobs/{jobId}/items": 3,
    }
    assert log["total"] == 5
    assert log["statuses"] == {"200": 4, "401": 1}
    assert srv.request_counts()["total"] == 5


def test_reset_restores_seed_and_clears_faults(srv, http):
    fault(srv, status=503, count=None)
    requests.post(srv.url + "/_sandbox/reset", json={"seed": 3})
    jobs = http.get(srv.url + "/v3/export-jobs").json()["data"]
    assert [j["numberOfItems"] for j in jobs] == [3]
