"""Sandbox master data: tags, chart of accounts, tax codes, vendors, subscriptions,
installations and companies store what is pushed and answer like Pleo."""

import pytest
import requests


@pytest.fixture
def sandbox_seed():
    return "none"


def all_pages(http, method, url, body=None, **params):
    params, out = dict(params), []
    while True:
        response = http.request(method, url, params=params, json=body)
        assert response.status_code == 200, response.text
        page = response.json()
        out.extend(page["data"])
        if not page["pagination"]["hasNextPage"]:
            return out
        params["after"] = page["pagination"]["endCursor"]


def test_tag_groups_and_tags_round_trip(srv, http):
    url = srv.url + "/v0/tag-groups"
    company = {"company_id": srv.company_id}
    seeded = http.get(url, params=company).json()["data"]
    assert {g["code"] for g in seeded} == {"DEPT", "PROJ"}

    body = {"code": "ANA-1", "name": "Cost centres", "archived": False}
    group = http.post(url, params=company, json=body)
    assert group.status_code == 201
    group = group.json()["data"]
    assert group["companyId"] == srv.company_id
    dup = http.post(url, params=company, json={**body, "code": "ana-1"})
    assert dup.status_code == 409
    missing = http.post(url, params=company, json={"code": "X"})
    assert missing.status_code == 400
    assert set(missing.json()) == {"type", "message"}

    tags_url = f"{url}/{group['id']}/tags"
    ids = []
    for n in range(7):
        tag = {"code": f"CC{n}", "name": f"Centre {n}", "archived": False}
        response = http.post(tags_url, json=tag)
        assert response.status_code == 201
        ids.append(response.json()["data"]["id"])
    conflict = http.post(tags_url, json={"code": "cc3", "archived": False})
    assert conflict.status_code == 409
    listed = all_pages(http, "GET", tags_url, limit=3)
    assert [t["code"] for t in listed] == [f"CC{n}" for n in range(7)]

    archive_url = srv.url + "/v0/tags/archive"
    archived = http.post(
        archive_url,
        json={"companyId": srv.company_id, "tagIds": ids[:2], "archived": True},
    )
    assert archived.status_code == 200
    assert all(t["archived"] for t in archived.json()["data"])
    assert len(all_pages(http, "GET", tags_url)) == 5
    assert len(all_pages(http, "GET", tags_url, include_archived="true")) == 7
    too_many = http.post(
        archive_url,
        json={"companyId": srv.company_id, "tagIds": ids * 15, "archived": True},
    )
    assert too_many.status_code == 400

    renamed = http.put(
        f"{srv.url}/v0/tags/{ids[2]}",
        json={"code": "CC2", "name": "Renamed", "archived": False},
    )
    assert renamed.json()["data"]["name"] == "Renamed"
    clash = http.put(
        f"{srv.url}/v0/tags/{ids[2]}", json={"code": "CC4", "archived": False}
    )
    assert clash.status_code == 409

    updated = http.put(
        f"{url}/{group['id']}",
        json={
            "code": "ANA-1",
            "name": "Cost centres",
            "archived": True,
            "metadata": {},
        },
    )
    assert updated.json()["data"]["archived"] is True
    active = http.get(url, params=company).json()["data"]
    assert group["id"] not in {g["id"] for g in active}
    with_archived = http.get(
        url,
        params={**company, "include_archived": "true", "include_tags_count": "true"},
    ).json()["data"]
    mine = next(g for g in with_archived if g["id"] == group["id"])
    assert mine["totalTagsCount"] == 7

    found = http.post(
        srv.url + "/v0/tags:search",
        params=company,
        json={"tagGroupIds": [group["id"]], "textSearch": "renamed"},
    ).json()["data"]
    assert [t["id"] for t in found] == [ids[2]]


def test_tax_codes_round_trip(srv, http):
    url = srv.url + "/v0/tax-codes"
    base = {
        "companyId": srv.company_id,
        "name": "Purchase VAT 15%",
        "code": "VAT15",
        "rate": 0.15,
        "type": "inclusive",
        "archived": False,
    }
    created = http.post(url, json=base)
    assert created.status_code == 201
    tax = created.json()["data"]
    assert tax["rate"] == 0.15 and tax["createdAt"]
    assert http.post(url, json=base).status_code == 409
    percent = http.post(url, json={**base, "code": "X", "rate": 15})
    assert percent.status_code == 400
    exclusive = http.post(url, json={**base, "code": "Y", "type": "exclusive"})
    assert exclusive.status_code == 400
    update = http.put(f"{url}/{tax['id']}", json={**base, "archived": True})
    assert update.json()["data"]["archived"] is True
    found = http.post(
        url + ":search", params={"company_id": srv.company_id}, json={"code": "VAT15"}
    ).json()
    assert [t["id"] for t in found["data"]] == [tax["id"]]
    everything = all_pages(http, "POST", url + ":search", body={}, limit=2)
    assert {t["code"] for t in everything} >= {"VAT25", "RC-EU", "VAT15"}


def test_chart_of_accounts_round_trip(srv, http):
    url = srv.url + "/v1/chart-of-accounts"
    body = {
        "companyId": srv.company_id,
        "externalId": "odoo-42",
        "name": "Office supplies",
        "code": "600100",
        "archived": False,
    }
    created = http.post(url, json=body)
    assert created.status_code == 201
    account = created.json()["data"]
    same = http.post(url, json=body)
    assert same.status_code == 200  # "request matched existing account"
    assert same.json()["data"]["id"] == account["id"]
    conflict = http.post(url, json={**body, "name": "Other"})
    assert conflict.status_code == 409
    unknown_tax = http.post(
        url, json={**body, "externalId": "odoo-43", "taxCodeExternalId": "NOPE"}
    )
    assert unknown_tax.status_code == 400

    batch = http.post(
        url + "/batch",
        json={
            "companyId": srv.company_id,
            "items": [
                {"externalId": f"odoo-{n}", "name": f"Account {n}", "archived": False}
                for n in range(100, 110)
            ]
            + [
                {"externalId": "odoo-42", "name": "dup", "archived": False},
                {"externalId": "odoo-200", "name": "", "archived": False},
                {
                    "externalId": "odoo-201",
                    "name": "Taxed",
                    "archived": False,
                    "taxCodeExternalId": "VAT25",
                },
            ],
        },
    )
    assert batch.status_code == 201
    result = batch.json()["data"]
    assert len(result["created"]) == 11
    assert [f["reasons"] for f in result["failed"]] == [
        ["EXTERNAL_ID_ALREADY_EXISTS"],
        ["NAME_EMPTY"],
    ]
    too_big = http.post(
        url + "/batch",
        json={
            "companyId": srv.company_id,
            "items": [
                {"externalId": str(n), "name": "x", "archived": False}
                for n in range(1001)
            ],
        },
    )
    assert too_big.status_code == 400

    search = {
        "companyId": srv.company_id,
        "excludeIfAssignedToCategory": False,
        "excludeIfAssignedToContraAccount": False,
    }
    everything = all_pages(http, "POST", url + ":search", body=search, limit=7)
    assert len(everything) == 9 + 1 + 11
    by_code = http.post(url + ":search", json={**search, "codes": ["600100"]}).json()
    assert [a["externalId"] for a in by_code["data"]] == ["odoo-42"]
    free = http.post(
        url + ":search",
        json={**search, "excludeIfAssignedToCategory": True, "archived": False},
    ).json()
    assert "600000" not in {a["code"] for a in free["data"]}
    no_company = http.post(url + ":search", json={})
    assert no_company.status_code == 400

    update_url = f"{url}/{account['id']}"
    bad = http.put(
        update_url, json={"name": "x", "archived": False, "taxCodeExternalId": "NOPE"}
    )
    assert bad.status_code == 400
    good = http.put(
        update_url,
        json={"name": "Office", "archived": True, "taxCodeExternalId": "VAT25"},
    ).json()["data"]
    assert good["archived"] is True and good["code"] == "600100"
    assert good["taxCodeExternalId"] == "VAT25"
    seeded = everything[0]
    assert http.delete(f"{url}/{seeded['id']}").status_code == 409
    assert http.delete(update_url).status_code == 204
    assert http.get(update_url).status_code == 404


def test_vendors_round_trip(srv, http):
    url = srv.url + "/v1/vendors"
    body = {
        "companyId": srv.company_id,
        "name": "Nordic Paper A/S",
        "defaultCurrency": "DKK",
        "code": "S-1001",
        "externalId": "res.partner,17",
        "country": "DK",
        "taxRegistrationNumber": "DK11223344",
    }
    created = http.post(url, json=body)
    assert created.status_code == 201
    vendor = created.json()["data"]
    assert vendor["state"] == "ACTIVE"
    assert http.post(url, json=body).status_code == 409
    bad_currency = http.post(url, json={**body, "code": "x", "defaultCurrency": "kr"})
    assert bad_currency.status_code == 400

    search_url = url + ":search"
    params = {"company_id": srv.company_id}
    assert http.post(search_url, json={}).status_code == 400  # company_id required
    by_code = http.post(search_url, params=params, json={"codes": ["S-1001"]}).json()
    assert [v["id"] for v in by_code["data"]] == [vendor["id"]]
    too_many = http.post(search_url, params=params, json={"codes": ["x"] * 101})
    assert too_many.status_code == 400

    update = http.put(
        f"{url}/{vendor['id']}",
        json={**body, "name": "Nordic Paper", "state": "ACTIVE"},
    )
    assert update.json()["data"]["name"] == "Nordic Paper"
    assert http.post(f"{url}/{vendor['id']}:archive").status_code == 204
    assert http.get(f"{url}/{vendor['id']}").json()["data"]["state"] == "ARCHIVED"

    # A bookkeeper creates a vendor in Pleo: DRAFT with code null, then activated.
    draft = requests.post(srv.url + "/_sandbox/vendors", json={"name": "Pleo GmbH"})
    draft = draft.json()["data"]
    assert draft["state"] == "DRAFT" and draft["code"] is None
    drafts = http.post(search_url, params=params, json={"states": ["DRAFT"]}).json()
    assert [v["id"] for v in drafts["data"]] == [draft["id"]]
    activate = http.post(
        f"{url}/{draft['id']}:activate",
        json={"externalId": "res.partner,99", "code": "S-1002"},
    )
    assert activate.status_code == 204
    active = http.get(f"{url}/{draft['id']}").json()["data"]
    assert (active["state"], active["code"], active["externalId"]) == (
        "ACTIVE",
        "S-1002",
        "res.partner,99",
    )
    assert http.post(f"{url}/{draft['id']}:activate", json={}).status_code == 400


def test_subscriptions_installation_and_company(srv, http):
    url = srv.url + "/v1/subscriptions"
    body = {
        "endpointUrl": "https://odoo.example/pleo/webhook",
        "eventTypes": ["v1.vendor.created"],
    }
    created = http.post(url, json=body)
    assert created.status_code == 200
    sub = created.json()["data"]
    assert sub["status"] == "ACTIVE"
    assert http.post(url, json={**body, "eventTypes": ["nope"]}).status_code == 400
    secret = http.get(f"{url}/{sub['id']}/secret").json()["data"]["secretKey"]
    assert secret.startswith("whsec_") and secret == srv.webhook_secret
    listed = http.get(url, params={"event_types": "v1.vendor.created"}).json()
    assert [s["id"] for s in listed["data"]] == [sub["id"]]
    both = ["v1.vendor.created", "v1.export-job.created"]
    updated = http.put(f"{url}/{sub['id']}", json={**body, "eventTypes": both})
    assert updated.json()["data"]["eventTypes"] == both
    assert http.delete(f"{url}/{sub['id']}").status_code == 204
    assert http.get(f"{url}/{sub['id']}").status_code == 404
    activity = http.get(f"{url}/{sub['id']}/activities").json()["data"]
    assert [a["operationType"] for a in activity] == ["CREATE", "UPDATE", "DELETE"]

    me = srv.url + "/v1/installations/me"
    assert http.get(me).status_code == 404
    made = http.post(me, json={"metadata": {"odoo": "18.0"}}).json()
    assert made["status"] == "PENDING_INTEGRATION" and made["metadata"] == {
        "odoo": "18.0"
    }
    errored = http.put(me, json={"status": "ERROR", "errorCode": "AUTH_ERROR"}).json()
    assert errored["errorCode"] == "AUTH_ERROR"
    assert http.put(me, json={"status": "BROKEN"}).status_code == 400
    assert http.post(me + ":activate").json()["status"] == "ACTIVATED"
    assert http.delete(me).status_code == 204

    company = http.get(f"{srv.url}/v1/companies/{srv.company_id}").json()["data"]
    assert company["id"] == srv.company_id and company["address"]["country"] == "DK"
    other = http.get(f"{srv.url}/v1/companies/{srv.company_id[:-1]}0")
    assert other.status_code in (403, 404)


def test_foreign_company_and_malformed_bodies(srv, http):
    other = "11111111-2222-4333-8444-555555555555"
    wrong = http.get(srv.url + "/v0/tag-groups", params={"company_id": other})
    assert wrong.status_code == 403
    for method, path in [
        ("POST", "/v0/tag-groups"),
        ("POST", "/v0/tax-codes"),
        ("POST", "/v1/chart-of-accounts"),
        ("POST", "/v1/vendors"),
        ("POST", "/v1/subscriptions"),
        ("PUT", "/v1/installations/me"),
    ]:
        response = http.request(
            method,
            srv.url + path,
            data=b'{"name": ',
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 400, path
        assert response.json()["type"] == "JSON_MAPPING_EXCEPTION"
        empty = http.request(method, srv.url + path, json={})
        assert empty.status_code == 400, path
        assert set(empty.json()) == {"type", "message"}


def test_sandbox_puts_accounts_and_tax_codes_by_hand(srv, http):
    """/_sandbox/accounts and /_sandbox/tax-codes: master data a Pleo admin
    makes by hand (a contra account, a tax code the ERP does not know)."""
    search = srv.url + "/v1/chart-of-accounts:search"
    body = {"companyId": srv.company_id}

    def codes(**flags):
        return {a["code"] for a in all_pages(http, "POST", search, {**body, **flags})}

    contra = codes() - codes(excludeIfAssignedToContraAccount=True)
    assert contra == {"101401", "201100"}

    response = http.post(srv.url + "/_sandbox/accounts", json={"code": "101401"})
    assert response.json()["data"]["contra"] is True
    http.post(srv.url + "/_sandbox/accounts", json={"code": "101401", "contra": False})
    made = http.post(
        srv.url + "/_sandbox/accounts",
        json={"code": "999999", "name": "Unknown to Odoo", "contra": True},
    ).json()["data"]
    assert made["externalId"] == "999999" and made["archived"] is False
    assert codes() - codes(excludeIfAssignedToContraAccount=True) == {
        "201100",
        "999999",
    }
    srv.put_account("999999", archived=True)
    assert "999999" not in codes(archived=False)

    tax = http.post(
        srv.url + "/_sandbox/tax-codes",
        json={"code": "VAT12", "name": "Reduced VAT 12%", "rate": 0.12},
    )
    assert tax.status_code == 200
    assert tax.json()["data"]["type"] == "inclusive"
    bad = http.post(srv.url + "/_sandbox/tax-codes", json={"code": "X", "rate": 12})
    assert bad.status_code == 400
    listed = all_pages(
        http,
        "POST",
        srv.url + "/v0/tax-codes:search",
        {},
        company_id=srv.company_id,
    )
    assert {t["code"]: t["rate"] for t in listed}["VAT12"] == 0.12
    assert srv.put_tax_code("VAT12", archived=True)["archived"] is True
