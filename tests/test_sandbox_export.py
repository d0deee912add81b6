"""Sandbox Export API v3: job lifecycle, paging, item updates, expiry, seeded items."""

import re

import pytest
import requests

GENERIC_COA_CODES = {
    "600000",
    "611000",
    "612000",
    "620000",
    "961000",
    "962000",
    "230000",
    "101401",
    "201100",
}
ITEM_FIELDS = {
    "_links",
    "accountingEntryId",
    "accountingEntryLines",
    "additionalInformation",
    "amount",
    "companyId",
    "date",
    "type",
}


@pytest.fixture
def sandbox_seed():
    return "demo"


def pages(http, url, **params):
    """Follow Pleo's cursor pagination; yields each page's body."""
    params = dict(params)
    while True:
        response = http.get(url, params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        yield body
        if not body["pagination"]["hasNextPage"]:
            return
        params["after"] = body["pagination"]["endCursor"]


def pending_jobs(srv, http):
    url = srv.url + "/v3/export-jobs"
    return http.get(url, params={"statuses": "pending"}).json()["data"]


def event(srv, http, job_id, name, **extra):
    body = {"jobId": job_id, "event": name, **extra}
    return http.post(srv.url + "/v3/export-job-events", json=body)


def test_full_export_lifecycle(srv, http):
    jobs = pending_jobs(srv, http)
    assert len(jobs) == 2
    assert jobs[0]["createdAt"] < jobs[1]["createdAt"]  # oldest first
    job = jobs[0]
    assert job["numberOfItems"] == 15
    assert job["expiresIn"] == 3600
    job_url = f"{srv.url}/v3/export-jobs/{job['id']}"

    assert event(srv, http, job["id"], "started").status_code == 202
    started = http.get(job_url).json()["data"]
    assert started["status"] == "in_progress"
    assert started["startedAt"]
    again = event(srv, http, job["id"], "started")
    assert again.status_code == 422
    assert again.json()["type"] == "INVALID_EXPORT_JOB_STATUS_CHANGE"

    # Control layer, then data layer, both paged with cursors.
    control = [i for p in pages(http, job_url + "/items", limit=5) for i in p["data"]]
    assert len(control) == 15
    assert {i["status"] for i in control} == {"pending"}
    data_pages = list(
        pages(http, srv.url + "/v3/export-items", job_id=job["id"], limit=4)
    )
    assert [len(p["data"]) for p in data_pages] == [4, 4, 4, 3]
    first = data_pages[0]["pagination"]
    assert first["total"] == 15 and first["hasPreviousPage"] is False
    assert re.match(r"^[A-Z2-7=~]+$", first["endCursor"])
    items = [i for p in data_pages for i in p["data"]]
    assert [i["accountingEntryId"] for i in items] == [
        i["accountingEntryId"] for i in control
    ]
    assert all(ITEM_FIELDS <= set(i) for i in items)

    # Report outcomes in chunks of at most 100.
    updates = [
        {
            "accountingEntryId": item["accountingEntryId"],
            "status": "successful",
            "externalId": f"account.move,{n}",
            "externalUrl": f"http://odoo/move/{n}",
        }
        for n, item in enumerate(items)
    ]
    updates[3] = {
        "accountingEntryId": items[3]["accountingEntryId"],
        "status": "failed",
        "failureReasonType": "account_unknown",
        "failureReason": "Account 611000 does not exist",
    }
    items_url = job_url + "/items"
    first_chunk = http.put(items_url, json=updates[:10]).json()
    assert first_chunk["errors"] == []
    assert len(first_chunk["data"]) == 10
    # Completing with unreported items is refused.
    early = event(srv, http, job["id"], "completed_with_errors")
    assert early.status_code == 422
    unknown = {"accountingEntryId": "00000000-0000-0000-0000-000000000000"}
    second = http.put(
        items_url, json=[*updates[10:], {**unknown, "status": "successful"}]
    ).json()
    assert len(second["data"]) == 5
    assert second["errors"] == [
        {
            **unknown,
            "message": "Accounting entry does not exist in this export job.",
            "type": "ACCOUNTING_ENTRY_DOES_NOT_EXIST",
        }
    ]
    failed = http.get(items_url, params={"status": "failed"}).json()["data"]
    assert [i["failureReasonType"] for i in failed] == ["account_unknown"]

    # One item failed: "completed" is refused, "completed_with_errors" accepted.
    assert event(srv, http, job["id"], "completed").status_code == 422
    assert event(srv, http, job["id"], "completed_with_errors").status_code == 202
    done = http.get(job_url).json()["data"]
    assert done["status"] == "completed_with_errors" and done["completedAt"]

    closed = http.get(srv.url + "/v3/export-items", params={"job_id": job["id"]})
    assert closed.status_code == 422
    assert closed.json()["type"] == "EXPORT_JOB_STATUS_UNPROCESSABLE"
    late = http.put(items_url, json=updates[:1])
    assert late.status_code == 422
    assert late.json()["type"] == "EXPORT_JOB_STATUS_UNPROCESSABLE"

    reported = requests.get(f"{srv.url}/_sandbox/jobs/{job['id']}/reported").json()
    assert reported["counts"]["successful"] == 14
    assert reported["data"][0]["externalId"] == "account.move,0"
    assert reported["data"][0]["updates"] == 1


def test_update_limit_is_100(srv, http):
    job = pending_jobs(srv, http)[0]
    event(srv, http, job["id"], "started")
    item = {
        "accountingEntryId": "00000000-0000-0000-0000-000000000000",
        "status": "successful",
    }
    url = f"{srv.url}/v3/export-jobs/{job['id']}/items"
    too_many = http.put(url, json=[item] * 101)
    assert too_many.status_code == 413
    assert too_many.json()["type"] == "EXPORT_JOB_ITEMS_UPDATE_LIMIT"
    assert http.put(url, json=[item] * 100).status_code == 200


def test_updates_need_a_started_job(srv, http):
    job = pending_jobs(srv, http)[0]
    url = f"{srv.url}/v3/export-jobs/{job['id']}/items"
    response = http.put(url, json=[])
    assert response.status_code == 422


def test_failed_event_abandons_unreported_items(srv, http):
    job = pending_jobs(srv, http)[1]
    event(srv, http, job["id"], "started")
    bad_type = event(srv, http, job["id"], "failed", failureReasonType="oops")
    assert bad_type.status_code == 400
    response = event(
        srv,
        http,
        job["id"],
        "failed",
        failureReason="Journal PLEO missing",
        failureReasonType="missing_configuration",
    )
    assert response.status_code == 202
    body = http.get(f"{srv.url}/v3/export-jobs/{job['id']}").json()["data"]
    assert body["failureReasonType"] == "missing_configuration"
    items = http.get(
        f"{srv.url}/v3/export-jobs/{job['id']}/items", params={"status": "abandoned"}
    ).json()
    assert items["pagination"]["total"] == 3


def test_idle_job_expires_and_items_are_abandoned(srv, http):
    job = pending_jobs(srv, http)[0]
    event(srv, http, job["id"], "started")
    srv.advance_clock(1800)
    url = f"{srv.url}/v3/export-jobs/{job['id']}"
    assert 1790 <= http.get(url).json()["data"]["expiresIn"] <= 1800
    srv.advance_clock(1801)
    expired = http.get(url).json()["data"]
    assert expired["status"] == "failed"
    assert expired["failureReasonType"] == "job_expired"
    assert expired["expiredAt"]
    items = http.get(url + "/items").json()["data"]
    assert {i["status"] for i in items} == {"abandoned"}


def test_item_updates_keep_a_job_alive(srv, http):
    job = pending_jobs(srv, http)[0]
    event(srv, http, job["id"], "started")
    entry = http.get(
        srv.url + "/v3/export-items", params={"job_id": job["id"], "limit": 1}
    ).json()["data"][0]["accountingEntryId"]
    url = f"{srv.url}/v3/export-jobs/{job['id']}"
    srv.advance_clock(3000)
    http.put(
        url + "/items", json=[{"accountingEntryId": entry, "status": "successful"}]
    )
    srv.advance_clock(3000)
    assert http.get(url).json()["data"]["status"] == "in_progress"


def test_errors_have_pleo_bodies(srv, http):
    missing = http.get(srv.url + "/v3/export-jobs/7b0f6a53-3f3c-4a0e-9d4e-1f8e2b9c0a11")
    assert missing.status_code == 404
    assert missing.json()["type"] == "EXPORT_NOT_FOUND"
    bad_cursor = http.get(srv.url + "/v3/export-jobs", params={"after": "not-a-cursor"})
    assert bad_cursor.status_code == 400
    assert set(bad_cursor.json()) == {"type", "message"}
    garbage = http.get(srv.url + "/v3/export-jobs", params={"after": "ZZZZ"})
    assert garbage.status_code == 400
    both = http.get(
        srv.url + "/v3/export-jobs", params={"after": "NM4Q====", "offset": 1}
    )
    assert both.status_code == 400
    malformed = http.post(
        srv.url + "/v3/export-job-events",
        data=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert malformed.status_code == 400
    assert malformed.json()["type"] == "JSON_MAPPING_EXCEPTION"
    no_job = http.post(srv.url + "/v3/export-job-events", json={"event": "started"})
    assert no_job.status_code == 400
    assert "jobId" in no_job.json()["message"]
    bad_status = http.get(srv.url + "/v3/export-jobs", params={"statuses": "done"})
    assert bad_status.status_code == 400


def test_sorting_and_offset_paging(srv, http):
    url = srv.url + "/v3/export-jobs"
    desc = http.get(
        url, params={"sorting_keys": "createdAt", "sorting_order": "DESC"}
    ).json()
    asc = http.get(url).json()
    assert [j["id"] for j in desc["data"]] == [j["id"] for j in asc["data"]][::-1]
    second = http.get(url, params={"offset": 1, "limit": 1}).json()
    assert second["data"][0]["id"] == asc["data"][1]["id"]
    assert second["pagination"]["hasPreviousPage"] is True
    info = second["pagination"]["currentRequestPagination"]
    assert info["offset"] == 1 and info["limit"] == 1
    before = http.get(
        url, params={"before": second["pagination"]["startCursor"]}
    ).json()
    assert [j["id"] for j in before["data"]] == [asc["data"][0]["id"]]


def test_new_jobs_from_sandbox_and_from_the_api(srv, http):
    created = requests.post(srv.url + "/_sandbox/jobs", json={"seed": 5}).json()
    assert created["data"]["status"] == "pending"
    assert created["data"]["numberOfItems"] == 5
    assert len(pending_jobs(srv, http)) == 3

    job = pending_jobs(srv, http)[0]
    event(srv, http, job["id"], "started")
    entries = http.get(
        srv.url + "/v3/export-items", params={"job_id": job["id"], "limit": 2}
    ).json()["data"]
    body = {
        "companyId": srv.company_id,
        "accountingEntryIds": [e["accountingEntryId"] for e in entries],
    }
    busy = http.post(srv.url + "/v3/export-jobs", json=body)
    assert busy.status_code == 409
    assert busy.json()["type"] == "EXPORT_ALREADY_IN_PROGRESS"
    event(srv, http, job["id"], "failed", failureReasonType="canceled_by_user")
    again = http.post(srv.url + "/v3/export-jobs", json=body)
    assert again.status_code == 201
    new = again.json()["data"]
    event(srv, http, new["id"], "started")
    copied = http.get(
        srv.url + "/v3/export-items", params={"job_id": new["id"]}
    ).json()["data"]
    assert [c["accountingEntryId"] for c in copied] == body["accountingEntryIds"]


def _by_type(items):
    out = {}
    for item in items:
        out.setdefault(item["type"], []).append(item)
    return out


def _money_sum(lines, side):
    return sum(line["lineAmount"][side]["value"] for line in lines)


def test_demo_items_cover_the_bookkeeping_cases(srv, http):
    job = pending_jobs(srv, http)[0]
    items = http.get(
        srv.url + "/v3/export-items", params={"job_id": job["id"], "limit": 100}
    ).json()["data"]
    kinds = _by_type(items)
    assert {
        "card_purchase",
        "refund",
        "out_of_pocket",
        "direct_reimbursement",
        "wallet_topup",
        "wallet_unload",
        "fee",
        "invoice",
    } <= set(kinds)

    for item in items:
        lines = item["accountingEntryLines"]
        for side in ("inSupplierCurrency", "inWalletCurrency"):
            assert _money_sum(lines, side) == item["amount"][side]["value"]
        for line in lines:
            assert line["account"]["code"] in GENERIC_COA_CODES
            assert line["netAmount"] == line["lineAmount"]
        assert item["companyId"] == srv.company_id
        assert item["amount"]["inWalletCurrency"]["currency"] == "DKK"

    # Sign convention: money out positive, money back negative.
    assert all(
        i["amount"]["inWalletCurrency"]["value"] > 0 for i in kinds["card_purchase"]
    )
    refund = kinds["refund"][0]
    assert refund["amount"]["inWalletCurrency"]["value"] < 0
    assert (
        refund["accountingEntryLines"][0]["tax"]["amount"]["inWalletCurrency"]["value"]
        < 0
    )
    topup = kinds["wallet_topup"][0]
    assert topup["amount"]["inWalletCurrency"]["value"] < 0
    assert topup["bookkeeping"]["method"] == "none"
    assert kinds["wallet_unload"][0]["bookkeeping"]["method"] == "none"

    currencies = {i["amount"]["inSupplierCurrency"]["currency"] for i in items}
    assert {"DKK", "EUR", "GBP", "JPY", "KWD"} <= currencies
    foreign = [
        i
        for i in items
        if i["amount"]["inSupplierCurrency"]["currency"] not in ("DKK",)
    ]
    assert all(
        i["amount"]["inSupplierCurrency"]["value"]
        != i["amount"]["inWalletCurrency"]["value"]
        for i in foreign
    )

    split = [i for i in items if len(i["accountingEntryLines"]) == 3][0]
    assert len({ln["account"]["code"] for ln in split["accountingEntryLines"]}) == 3
    assert any(len(ln["tags"]) == 2 for ln in split["accountingEntryLines"])
    tag = split["accountingEntryLines"][0]["tags"][0]
    assert set(tag) == {"id", "code", "groupCode"} and tag["groupCode"] == "DEPT"

    taxes = [ln["tax"] for i in items for ln in i["accountingEntryLines"] if ln["tax"]]
    vat25 = next(t for t in taxes if t["code"] == "VAT25")
    assert vat25["type"] == "inclusive" and vat25["rate"] == 0.25
    reverse = next(t for t in taxes if t["type"] == "reverse")
    assert reverse["code"] == "RC-EU"
    assert reverse["ingoingTaxAccount"] == "131000"
    assert reverse["outgoingTaxAccount"] == "251000"

    ap = [i for i in items if i["bookkeeping"]["method"] == "accounts_payable"]
    assert ap and all(i["vendor"]["code"] for i in ap)
    invoice = kinds["invoice"][0]["additionalInformation"]["invoiceInformation"]
    assert invoice["invoiceNumber"] and invoice["status"] == "paid"

    oop = kinds["out_of_pocket"][0]
    assert oop["contraAccount"] is None and oop["user"]["code"]
    reimbursement = kinds["direct_reimbursement"][0]
    assert reimbursement["subType"] == "reimbursement_to_employee"
    assert reimbursement["additionalInformation"]["reconciledEntries"] == [
        oop["additionalInformation"]["reconciliationId"]
    ]
    assert {len(i["files"]) for i in items} == {0, 1, 2}
    jpy = next(
        i for i in items if i["amount"]["inSupplierCurrency"]["currency"] == "JPY"
    )
    assert jpy["amount"]["inSupplierCurrency"]["value"] == 4500  # 4,500 yen, 0 decimals
    kwd = next(
        i for i in items if i["amount"]["inSupplierCurrency"]["currency"] == "KWD"
    )
    assert kwd["amount"]["inSupplierCurrency"]["value"] == 12500  # 12.500 KWD
    edge = items[0]["date"]
    assert edge.endswith("T22:30:00Z")  # already the next day in Copenhagen


def test_items_can_be_looked_up_in_the_sandbox(srv, http):
    job = pending_jobs(srv, http)[0]
    item = http.get(
        srv.url + "/v3/export-items", params={"job_id": job["id"], "limit": 1}
    ).json()["data"][0]
    again = requests.get(item["_links"]["api"]["exportItem"]).json()["data"]
    assert again["accountingEntryId"] == item["accountingEntryId"]
    assert again["amount"] == item["amount"]


def test_jobs_of_chosen_kinds_and_legacy_items(srv, http):
    kinds = ["refund_dkk", "wallet_topup_dkk", "card_software_rc"]
    created = requests.post(
        srv.url + "/_sandbox/jobs",
        json={"seed": kinds, "vendorBasedBookkeeping": False},
    ).json()["data"]
    assert created["vendorBasedBookkeeping"] is False
    items = http.get(
        srv.url + "/v3/export-items", params={"job_id": created["id"]}
    ).json()["data"]
    assert [i["type"] for i in items] == ["refund", "wallet_topup", "card_purchase"]
    # Without vendor-based bookkeeping Pleo sends neither bookkeeping nor vendor.
    assert all(i["bookkeeping"] is None and i["vendor"] is None for i in items)
    unknown = requests.post(srv.url + "/_sandbox/jobs", json={"seed": ["nope"]})
    assert unknown.status_code == 400


def test_card_mix_jobs_are_card_purchases_with_one_receipt_and_tags_on_a_third(
    srv, http
):
    created = requests.post(
        srv.url + "/_sandbox/jobs", json={"seed": 9, "mix": "card", "notify": False}
    ).json()["data"]
    items = http.get(
        srv.url + "/v3/export-items", params={"job_id": created["id"]}
    ).json()["data"]
    assert len(items) == 9
    assert {i["type"] for i in items} == {"card_purchase"}
    assert all(len(i["files"]) == 1 for i in items)
    tagged = [i for i in items if any(x["tags"] for x in i["accountingEntryLines"])]
    assert len(tagged) == 3
    unknown = requests.post(srv.url + "/_sandbox/jobs", json={"seed": 9, "mix": "x"})
    assert unknown.status_code == 400
