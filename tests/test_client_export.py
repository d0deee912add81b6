"""Export API v3: paths, parameters, bodies, paging, chunked item updates, files."""

import json

import pytest
import responses
from client_support import (
    API,
    COMPANY,
    JOB,
    json_of,
    make_client,
    page,
    path_of,
    query_of,
)

from pleo_connector.pleo import BearerTokenAuth, errors


def three_pages(url, items, **kwargs):
    responses.get(url, json=page(items[0:2], "CURSORA"), **kwargs)
    responses.get(url, json=page(items[2:4], "CURSORB"), **kwargs)
    responses.get(url, json=page(items[4:5]), **kwargs)


@responses.activate
def test_list_export_jobs_pages_oldest_first():
    jobs = [{"id": f"job-{n}"} for n in range(5)]
    three_pages(f"{API}/v3/export-jobs", jobs)
    client = make_client(page_size=2)

    listed = client.list_export_jobs(statuses=("pending", "in_progress"))
    assert next(listed) == jobs[0]
    assert len(responses.calls) == 1  # streamed: one page at a time
    assert [jobs[0], *listed] == jobs

    first, second, third = (query_of(call) for call in responses.calls)
    assert first == {
        "company_id": [COMPANY],
        "statuses": ["pending", "in_progress"],
        "sorting_keys": ["createdAt"],
        "sorting_order": ["ASC"],
        "limit": ["2"],
    }
    assert "after" not in first
    assert second["after"] == ["CURSORA"]
    assert third["after"] == ["CURSORB"]
    assert third["statuses"] == ["pending", "in_progress"]


@responses.activate
def test_list_export_jobs_defaults_to_pending_and_omits_unknown_company():
    responses.get(f"{API}/v3/export-jobs", json=page([]))
    assert list(make_client(company_id=None).list_export_jobs()) == []
    sent = query_of(responses.calls[0])
    assert sent["statuses"] == ["pending"]
    assert "company_id" not in sent


@responses.activate
def test_every_call_has_a_timeout():
    responses.get(f"{API}/v3/export-jobs/{JOB}", json={"data": {"id": JOB}})
    make_client(timeout=(3, 7)).get_export_job(JOB)
    assert responses.calls[0].request.req_kwargs["timeout"] == (3, 7)


@responses.activate
def test_get_export_job_unwraps_data():
    job = {"id": JOB, "status": "pending", "numberOfItems": 3}
    responses.get(f"{API}/v3/export-jobs/{JOB}", json={"data": job})
    assert make_client().get_export_job(JOB) == job


@responses.activate
def test_post_export_job_event_started():
    responses.post(f"{API}/v3/export-job-events", status=202)
    assert make_client().post_export_job_event(JOB, "started") is None
    assert json_of(responses.calls[0]) == {"jobId": JOB, "event": "started"}


@responses.activate
def test_post_export_job_event_failed_with_reason():
    responses.post(f"{API}/v3/export-job-events", status=202)
    make_client().post_export_job_event(
        JOB, "failed", "Journal missing", "missing_configuration"
    )
    assert json_of(responses.calls[0]) == {
        "jobId": JOB,
        "event": "failed",
        "failureReason": "Journal missing",
        "failureReasonType": "missing_configuration",
    }


@responses.activate
def test_iter_export_job_items_filters_by_status_across_pages():
    items = [{"accountingEntryId": f"e{n}", "status": "pending"} for n in range(5)]
    three_pages(f"{API}/v3/export-jobs/{JOB}/items", items)

    assert list(make_client().iter_export_job_items(JOB, status="pending")) == items
    assert [query_of(c).get("status") for c in responses.calls] == [["pending"]] * 3
    assert query_of(responses.calls[2])["after"] == ["CURSORB"]


@responses.activate
def test_iter_export_job_items_without_status():
    responses.get(f"{API}/v3/export-jobs/{JOB}/items", json=page([]))
    list(make_client(page_size=50).iter_export_job_items(JOB))
    assert query_of(responses.calls[0]) == {"limit": ["50"]}


@responses.activate
def test_iter_export_item_pages_streams_one_page_at_a_time():
    items = [{"accountingEntryId": f"e{n}"} for n in range(5)]
    three_pages(f"{API}/v3/export-items", items)

    pages = make_client(page_size=2).iter_export_item_pages(JOB)
    assert next(pages) == items[0:2]
    assert len(responses.calls) == 1
    assert list(pages) == [items[2:4], items[4:5]]
    assert query_of(responses.calls[0]) == {"job_id": [JOB], "limit": ["2"]}
    assert query_of(responses.calls[1])["after"] == ["CURSORA"]


@responses.activate
def test_iter_export_items_flattens_pages():
    items = [{"accountingEntryId": f"e{n}"} for n in range(5)]
    three_pages(f"{API}/v3/export-items", items)
    assert list(make_client().iter_export_items(JOB)) == items


@responses.activate
def test_pagination_without_a_new_cursor_is_an_error():
    stuck = page([{"id": 1}], "SAME")
    responses.get(f"{API}/v3/export-items", json=stuck)
    with pytest.raises(errors.PleoError, match="cursor"):
        list(make_client().iter_export_items(JOB))
    assert len(responses.calls) == 2


@responses.activate
def test_update_export_job_items_in_chunks_of_100_and_merges_answers():
    url = f"{API}/v3/export-jobs/{JOB}/items"

    def echo(request):
        sent = json.loads(request.body)
        refused = [
            {"accountingEntryId": u["accountingEntryId"], "message": "?", "type": "X"}
            for u in sent
            if u["accountingEntryId"] == "e7"
        ]
        accepted = [u for u in sent if u["accountingEntryId"] != "e7"]
        return 200, {}, json.dumps({"data": accepted, "errors": refused})

    responses.add_callback(responses.PUT, url, callback=echo)
    updates = [
        {"accountingEntryId": f"e{n}", "status": "successful", "externalId": str(n)}
        for n in range(250)
    ]

    result = make_client().update_export_job_items(JOB, updates)

    bodies = [json_of(call) for call in responses.calls]
    assert [len(body) for body in bodies] == [100, 100, 50]
    assert sum(bodies, []) == updates  # order kept, nothing lost
    assert len(result["data"]) == 249
    assert result["errors"] == [
        {"accountingEntryId": "e7", "message": "?", "type": "X"}
    ]


@responses.activate
def test_update_export_job_items_with_nothing_sends_nothing():
    assert make_client().update_export_job_items(JOB, []) == {"data": [], "errors": []}
    assert len(responses.calls) == 0


@responses.activate
def test_download_file_sends_no_credentials_to_foreign_hosts():
    receipt = "https://pleo-receipts.s3.amazonaws.com/r/1.jpg?X-Amz-Signature=abc"
    responses.get(receipt, body=b"\xff\xd8jpeg-bytes")
    client = make_client(auth=BearerTokenAuth(lambda: "secret-token"))

    assert client.download_file(receipt) == b"\xff\xd8jpeg-bytes"
    assert "Authorization" not in responses.calls[0].request.headers


@responses.activate
def test_download_file_from_the_api_host_is_authenticated():
    url = f"{API}/v3/files/abc"
    responses.get(url, body=b"%PDF-1.7")
    client = make_client(auth=BearerTokenAuth(lambda: "secret-token"))

    assert client.download_file(url) == b"%PDF-1.7"
    assert responses.calls[0].request.headers["Authorization"] == "Bearer secret-token"
    assert path_of(responses.calls[0]) == "/v3/files/abc"


@responses.activate
def test_download_file_refuses_oversized_files():
    url = "https://files.example.com/huge.pdf"
    responses.get(url, body=b"x" * 2048)
    with pytest.raises(errors.PleoPayloadTooLarge):
        make_client().download_file(url, max_bytes=1024)


@responses.activate
def test_expired_receipt_link_is_a_typed_error():
    url = "https://files.example.com/expired.pdf"
    responses.get(url, status=403, body="<Error><Code>AccessDenied</Code></Error>")
    with pytest.raises(errors.PleoForbidden):
        make_client().download_file(url)


@responses.activate
def test_receipt_downloads_go_through_the_environments_proxy(monkeypatch):
    """An Odoo behind a corporate proxy reaches the file hosts through it, and
    a host in NO_PROXY directly, as requests does for any call."""
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.corp.example:3128")
    monkeypatch.setenv("NO_PROXY", "files.internal.example")
    proxied = "https://pleo-receipts.s3.amazonaws.com/r/1.jpg?X-Amz-Signature=abc"
    direct = "https://files.internal.example/r/2.pdf"
    responses.get(proxied, body=b"\xff\xd8jpeg")
    responses.get(direct, body=b"%PDF-1.7")
    client = make_client()

    assert client.download_files([proxied, direct, proxied]) == [
        b"\xff\xd8jpeg",
        b"%PDF-1.7",
        b"\xff\xd8jpeg",
    ]
    by_url = {call.request.url: call.request.req_kwargs for call in responses.calls}
    assert by_url[proxied]["proxies"]["https"] == "http://proxy.corp.example:3128"
    assert not by_url[direct]["proxies"].get("https")
