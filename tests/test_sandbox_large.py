"""A 50,000-item job is generated lazily: fast first page, small memory."""

import time
import tracemalloc

import requests

from pleo_sandbox import SandboxServer

N = 50_000


def test_large_seed_pages_quickly_without_building_the_job():
    tracemalloc.start()
    try:
        started = time.monotonic()
        with SandboxServer(port=0, seed=N) as srv:
            http = requests.Session()
            http.auth = (srv.api_key, "")
            job = http.get(srv.url + "/v3/export-jobs").json()["data"][0]
            assert job["numberOfItems"] == N
            http.post(
                srv.url + "/v3/export-job-events",
                json={"jobId": job["id"], "event": "started"},
            )
            first = http.get(
                srv.url + "/v3/export-items", params={"job_id": job["id"], "limit": 100}
            ).json()
            elapsed = time.monotonic() - started
            assert len(first["data"]) == 100
            assert first["pagination"]["total"] == N
            assert first["pagination"]["hasNextPage"] is True

            # The last page, by offset, is just as cheap.
            last = http.get(
                srv.url + "/v3/export-items",
                params={"job_id": job["id"], "offset": N - 3, "limit": 100},
            ).json()
            assert len(last["data"]) == 3
            assert last["pagination"]["hasNextPage"] is False
            ids = [i["accountingEntryId"] for i in first["data"] + last["data"]]
            assert len(set(ids)) == len(ids)

            # Reporting the very last item works; counts stay exact.
            url = f"{srv.url}/v3/export-jobs/{job['id']}/items"
            update = [{"accountingEntryId": ids[-1], "status": "successful"}]
            assert http.put(url, json=update).json()["errors"] == []
            pending = http.get(url, params={"status": "pending", "limit": 1}).json()
            assert pending["pagination"]["total"] == N - 1
            state = requests.get(srv.url + "/_sandbox/jobs").json()["data"][0]
            assert state["counts"]["successful"] == 1
            _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 5, f"first page took {elapsed:.2f}s"
    assert peak < 30 * 1024 * 1024, f"peak memory {peak / 1e6:.1f} MB"


def test_large_job_items_in_later_cycles_differ():
    with SandboxServer(port=0, seed=100) as srv:
        http = requests.Session()
        http.auth = (srv.api_key, "")
        job = http.get(srv.url + "/v3/export-jobs").json()["data"][0]
        items = http.get(
            srv.url + "/v3/export-items", params={"job_id": job["id"], "limit": 100}
        ).json()["data"]
        kinds = 15
        first, later = items[0], items[kinds]
        assert first["type"] == later["type"]
        assert first["amount"] != later["amount"]
        for item in items:
            lines = item["accountingEntryLines"]
            total = sum(ln["lineAmount"]["inWalletCurrency"]["value"] for ln in lines)
            assert total == item["amount"]["inWalletCurrency"]["value"]
