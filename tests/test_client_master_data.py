"""Tags, chart of accounts, tax codes, vendors, subscriptions, installations,
companies: each call's method, path, query and body as Pleo's OpenAPI has them."""

import json

import pytest
import responses
from client_support import (
    API,
    COMPANY,
    json_of,
    make_client,
    page,
    path_of,
    query_of,
)

GROUP = "7d3e0c1a-2b4f-4a6e-9c8d-1e2f3a4b5c6d"
TAG = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"


@pytest.fixture
def api():
    with responses.RequestsMock() as mock:
        yield mock


# --- tags ------------------------------------------------------------------------


def test_list_tag_groups(api):
    groups = [{"id": GROUP, "code": "DEPT", "archived": False}]
    api.get(f"{API}/v0/tag-groups", json={"data": groups})

    assert make_client().list_tag_groups() == groups
    assert query_of(api.calls[0]) == {
        "company_id": [COMPANY],
        "include_archived": ["true"],
    }


def test_create_tag_group(api):
    api.post(f"{API}/v0/tag-groups", status=201, json={"data": {"id": GROUP}})

    assert make_client().create_tag_group("DEPT", "Department") == {"id": GROUP}
    assert query_of(api.calls[0]) == {"company_id": [COMPANY]}
    assert json_of(api.calls[0]) == {
        "code": "DEPT",
        "name": "Department",
        "archived": False,
    }


def test_update_tag_group_sends_all_required_fields(api):
    api.put(f"{API}/v0/tag-groups/{GROUP}", json={"data": {"id": GROUP}})

    make_client().update_tag_group(GROUP, "DEPT", "Department", True)
    assert json_of(api.calls[0]) == {
        "code": "DEPT",
        "name": "Department",
        "archived": True,
        "metadata": {},
    }


def test_iter_tags_pages_through_the_group(api):
    url = f"{API}/v0/tag-groups/{GROUP}/tags"
    api.get(url, json=page([{"id": "t1"}], "NEXTPAGE"))
    api.get(url, json=page([{"id": "t2"}]))

    assert list(make_client().iter_tags(GROUP)) == [{"id": "t1"}, {"id": "t2"}]
    assert query_of(api.calls[0]) == {"include_archived": ["true"], "limit": ["100"]}
    assert query_of(api.calls[1])["after"] == ["NEXTPAGE"]


def test_create_and_update_tag(api):
    api.post(f"{API}/v0/tag-groups/{GROUP}/tags", status=201, json={"data": {}})
    api.put(f"{API}/v0/tags/{TAG}", json={"data": {}})
    client = make_client()

    client.create_tag(GROUP, "D100", "Sales")
    client.update_tag(TAG, "D100", "Sales & Marketing", False)

    assert json_of(api.calls[0]) == {"code": "D100", "name": "Sales", "archived": False}
    assert json_of(api.calls[1]) == {
        "code": "D100",
        "name": "Sales & Marketing",
        "archived": False,
    }


def test_set_tags_archived_in_batches_of_100(api):
    def echo(request):
        ids = json.loads(request.body)["tagIds"]
        return 200, {}, json.dumps({"data": [{"id": i, "archived": True} for i in ids]})

    api.add_callback(responses.POST, f"{API}/v0/tags/archive", callback=echo)
    ids = [f"tag-{n}" for n in range(150)]

    updated = make_client().set_tags_archived(ids)

    bodies = [json_of(call) for call in api.calls]
    assert [len(b["tagIds"]) for b in bodies] == [100, 50]
    assert all(b["companyId"] == COMPANY and b["archived"] is True for b in bodies)
    assert [tag["id"] for tag in updated] == ids


# --- chart of accounts -----------------------------------------------------------


def test_iter_accounts_searches_all_states(api):
    url = f"{API}/v1/chart-of-accounts:search"
    api.post(url, json=page([{"id": "a1"}], "NEXTPAGE"))
    api.post(url, json=page([{"id": "a2"}]))

    assert [a["id"] for a in make_client().iter_accounts()] == ["a1", "a2"]
    assert json_of(api.calls[0]) == {
        "companyId": COMPANY,
        "excludeIfAssignedToCategory": False,
        "excludeIfAssignedToContraAccount": False,
    }
    assert query_of(api.calls[0]) == {"limit": ["100"]}
    assert query_of(api.calls[1]) == {"limit": ["100"], "after": ["NEXTPAGE"]}
    assert json_of(api.calls[1]) == json_of(api.calls[0])


def test_iter_accounts_archived_filter(api):
    api.post(f"{API}/v1/chart-of-accounts:search", json=page([]))
    list(make_client().iter_accounts(archived=False))
    assert json_of(api.calls[0])["archived"] is False


def test_iter_accounts_without_contra_accounts(api):
    api.post(f"{API}/v1/chart-of-accounts:search", json=page([]))
    list(make_client().iter_accounts(exclude_contra=True))
    assert json_of(api.calls[0])["excludeIfAssignedToContraAccount"] is True


def test_create_account(api):
    api.post(f"{API}/v1/chart-of-accounts", status=201, json={"data": {"id": "a1"}})

    make_client().create_account("acc-42", "Travel", code="6200")
    assert json_of(api.calls[0]) == {
        "companyId": COMPANY,
        "externalId": "acc-42",
        "name": "Travel",
        "archived": False,
        "code": "6200",
    }


def test_create_accounts_batch_in_chunks_of_1000(api):
    def answer(request):
        items = json.loads(request.body)["items"]
        created = [{"externalId": i["externalId"]} for i in items[1:]]
        failed = [{"reasons": ["EXTERNAL_ID_ALREADY_EXISTS"], "request": items[0]}]
        return 201, {}, json.dumps({"data": {"created": created, "failed": failed}})

    api.add_callback(responses.POST, f"{API}/v1/chart-of-accounts/batch", answer)
    items = [{"externalId": f"acc-{n}", "name": f"Account {n}"} for n in range(2500)]

    result = make_client().create_accounts_batch(items)

    bodies = [json_of(call) for call in api.calls]
    assert [len(b["items"]) for b in bodies] == [1000, 1000, 500]
    assert all(b["companyId"] == COMPANY for b in bodies)
    assert bodies[0]["items"][0] == {
        "externalId": "acc-0",
        "name": "Account 0",
        "archived": False,
    }
    assert len(result["created"]) == 2497
    assert len(result["failed"]) == 3


def test_update_account_sends_a_full_replacement(api):
    api.put(f"{API}/v1/chart-of-accounts/a1", json={"data": {"id": "a1"}})

    make_client().update_account("a1", "Travel", True, code="6200")
    assert json_of(api.calls[0]) == {
        "name": "Travel",
        "archived": True,
        "code": "6200",
        "taxCodeExternalId": None,
    }


# --- tax codes -------------------------------------------------------------------


def test_iter_tax_codes(api):
    api.post(f"{API}/v0/tax-codes:search", json=page([{"id": "t1"}]))

    assert list(make_client().iter_tax_codes(archived=False)) == [{"id": "t1"}]
    assert query_of(api.calls[0]) == {"company_id": [COMPANY], "limit": ["100"]}
    assert json_of(api.calls[0]) == {"archived": False}


def test_create_tax_code(api):
    api.post(f"{API}/v0/tax-codes", status=201, json={"data": {"id": "t1"}})

    make_client().create_tax_code(
        "Reverse charge 25%", 0.25, "reverse", code="RC25", outgoing_tax_account="2610"
    )
    assert json_of(api.calls[0]) == {
        "companyId": COMPANY,
        "name": "Reverse charge 25%",
        "rate": 0.25,
        "type": "reverse",
        "archived": False,
        "code": "RC25",
        "outgoingTaxAccount": "2610",
    }


def test_update_tax_code(api):
    api.put(f"{API}/v0/tax-codes/t1", json={"data": {"id": "t1"}})

    make_client().update_tax_code("t1", "VAT 25%", 0.25, "inclusive", archived=True)
    assert json_of(api.calls[0]) == {
        "companyId": COMPANY,
        "name": "VAT 25%",
        "rate": 0.25,
        "type": "inclusive",
        "archived": True,
        "code": None,
        "ingoingTaxAccount": None,
        "outgoingTaxAccount": None,
    }


# --- vendors ---------------------------------------------------------------------


def test_iter_vendors_filters_in_camel_case(api):
    api.post(f"{API}/v1/vendors:search", json=page([{"id": "v1"}]))

    vendors = make_client().iter_vendors(external_ids=["p-1"], states=["ACTIVE"])
    assert list(vendors) == [{"id": "v1"}]
    assert query_of(api.calls[0]) == {"company_id": [COMPANY], "limit": ["100"]}
    assert json_of(api.calls[0]) == {"externalIds": ["p-1"], "states": ["ACTIVE"]}


def test_iter_vendors_splits_a_long_filter(api):
    api.post(f"{API}/v1/vendors:search", json=page([{"id": "v"}]))
    codes = [f"C{n}" for n in range(250)]

    assert len(list(make_client().iter_vendors(codes=codes, name="x"))) == 3
    bodies = [json_of(call) for call in api.calls]
    assert [len(b["codes"]) for b in bodies] == [100, 100, 50]
    assert sum((b["codes"] for b in bodies), []) == codes
    assert all(b["name"] == "x" for b in bodies)


def test_get_create_update_vendor(api):
    api.get(f"{API}/v1/vendors/v1", json={"data": {"id": "v1"}})
    api.post(f"{API}/v1/vendors", status=201, json={"data": {"id": "v1"}})
    api.put(f"{API}/v1/vendors/v1", json={"data": {"id": "v1"}})
    client = make_client()

    assert client.get_vendor("v1") == {"id": "v1"}
    client.create_vendor(
        "ACME GmbH", "EUR", code="S-1", country="DE", tax_registration_number="DE1"
    )
    client.update_vendor("v1", "ACME GmbH", "EUR", "p-7", "ACTIVE", code="S-1")

    assert json_of(api.calls[1]) == {
        "companyId": COMPANY,
        "name": "ACME GmbH",
        "defaultCurrency": "EUR",
        "code": "S-1",
        "country": "DE",
        "taxRegistrationNumber": "DE1",
    }
    assert json_of(api.calls[2]) == {
        "companyId": COMPANY,
        "name": "ACME GmbH",
        "defaultCurrency": "EUR",
        "externalId": "p-7",
        "state": "ACTIVE",
        "code": "S-1",
    }


def test_activate_and_archive_vendor(api):
    api.post(f"{API}/v1/vendors/v1:activate", status=204)
    api.post(f"{API}/v1/vendors/v1:archive", status=204)
    client = make_client()

    assert client.activate_vendor("v1", "p-7", code="S-1") is None
    assert client.archive_vendor("v1") is None
    assert json_of(api.calls[0]) == {"externalId": "p-7", "code": "S-1"}
    assert api.calls[1].request.body is None


def test_ids_are_escaped_in_paths(api):
    api.get(f"{API}/v1/vendors/..%2Fsubscriptions", json={"data": {}})
    make_client().get_vendor("../subscriptions")
    assert path_of(api.calls[0]) == "/v1/vendors/..%2Fsubscriptions"


# --- webhook subscriptions -------------------------------------------------------


def test_list_subscriptions_by_event_type(api):
    url = f"{API}/v1/subscriptions"
    api.get(url, json=page([{"id": "s1"}], "NEXTPAGE"))
    api.get(url, json=page([{"id": "s2"}]))

    subs = make_client().list_subscriptions(
        event_types=["v1.export-job.created", "v1.vendor.created"]
    )
    assert subs == [{"id": "s1"}, {"id": "s2"}]
    assert query_of(api.calls[0])["event_types"] == [
        "v1.export-job.created",
        "v1.vendor.created",
    ]


def test_create_update_delete_subscription_and_secret(api):
    sub = {"id": "s1", "endpointUrl": "https://odoo.example.com/pleo/webhook/x"}
    api.post(f"{API}/v1/subscriptions", json={"data": sub})
    api.put(f"{API}/v1/subscriptions/s1", json={"data": sub})
    api.get(f"{API}/v1/subscriptions/s1", json={"data": sub})
    api.delete(f"{API}/v1/subscriptions/s1", status=204)
    api.get(
        f"{API}/v1/subscriptions/s1/secret", json={"data": {"secretKey": "whsec_abc"}}
    )
    client = make_client()

    assert client.create_subscription(sub["endpointUrl"], ["v1.vendor.created"]) == sub
    client.update_subscription(
        "s1", sub["endpointUrl"], ["v1.export-job.created"], status="INACTIVE"
    )
    assert client.get_subscription("s1") == sub
    assert client.delete_subscription("s1") is None
    assert client.get_subscription_secret("s1") == "whsec_abc"

    assert json_of(api.calls[0]) == {
        "endpointUrl": sub["endpointUrl"],
        "eventTypes": ["v1.vendor.created"],
    }
    assert json_of(api.calls[1]) == {
        "endpointUrl": sub["endpointUrl"],
        "eventTypes": ["v1.export-job.created"],
        "status": "INACTIVE",
    }


# --- installation and company ----------------------------------------------------


def test_installation_calls(api):
    installation = {"id": "i1", "status": "AUTHORIZED", "resource": "urn:pleo:x"}
    api.get(f"{API}/v1/installations/me", json=installation)  # not wrapped
    api.post(
        f"{API}/v1/installations/me:activate", json={**installation, "status": "A"}
    )
    api.put(f"{API}/v1/installations/me", json=installation)
    api.delete(f"{API}/v1/installations/me", status=204)
    api.post(f"{API}/v1/installations/me", json=installation)
    client = make_client()

    assert client.get_installation() == installation
    assert client.activate_installation()["status"] == "A"
    client.update_installation("ERROR", error_code="AUTH_ERROR")
    assert client.delete_installation() is None
    client.create_installation(status="PENDING_INTEGRATION", metadata={"odoo": "1"})

    assert query_of(api.calls[0]) == {"company_id": [COMPANY]}
    assert api.calls[1].request.body is None
    assert json_of(api.calls[2]) == {"status": "ERROR", "errorCode": "AUTH_ERROR"}
    assert json_of(api.calls[4]) == {
        "status": "PENDING_INTEGRATION",
        "metadata": {"odoo": "1"},
    }


def test_get_company(api):
    company = {"id": COMPANY, "name": "Pleo Demo ApS"}
    api.get(f"{API}/v1/companies/{COMPANY}", json={"data": company})
    assert make_client().get_company(COMPANY) == company
