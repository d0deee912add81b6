"""The configuration check's rules (services.config_rules), on plain data."""

from datetime import date, datetime, timedelta

import pytest

from pleo_connector.services.config_rules import (
    AMBER,
    GREEN,
    MAX_LINES,
    RED,
    Finding,
    PleoFacts,
    Rules,
    odoo_account_of,
    worst,
)
from pleo_connector.services.export_mapping import MappingContext

CONNECTION = 7
NOW = datetime(2026, 11, 29, 12, 0)


def tr(text, **params):
    return text % params if params else text


@pytest.fixture
def rules():
    return Rules(tr, CONNECTION)


def ctx(**kw):
    values = {
        "company_currency": "DKK",
        "currency_digits": {"DKK": 2, "EUR": 2},
        "currency_ids": {"DKK": 1, "EUR": 2},
        "accounts": {"600000": 60, "201100": 20, "101401": 10, "60": 60, "20": 20},
        "taxes": {},
        "analytic": {},
        "journal_id": 1,
        "wallets": {"DKK": (20, None)},
    }
    values.update(kw)
    return MappingContext(**values)


def severities(findings):
    return [f.severity for f in findings]


def test_worst_is_the_run_result():
    assert worst([]) == GREEN
    assert worst([Finding("x", GREEN, "a"), Finding("x", AMBER, "b")]) == AMBER
    assert worst([Finding("x", RED, "a"), Finding("x", AMBER, "b")]) == RED


def test_tax_codes_without_odoo_tax(rules):
    codes = [
        {"code": "VAT25", "name": "Danish VAT", "rate": 0.25},
        {"code": "VAT12", "name": "Reduced", "rate": 0.12},
        {"code": "OLD", "name": "Archived", "rate": 0.1, "archived": True},
    ]
    found = rules.tax_codes(codes, {"VAT25": object()})
    assert severities(found) == [RED]
    assert "VAT12" in found[0].title and "12%" in found[0].detail
    assert found[0].fix.model == "account.tax"
    found = rules.tax_codes(codes, {"VAT25": 1, "VAT12": 2})
    assert severities(found) == [GREEN] and "2 tax codes" in found[0].title


def test_many_problems_are_capped_with_a_summary(rules):
    codes = [{"code": f"C{n}", "rate": 0.1} for n in range(MAX_LINES + 5)]
    found = rules.tax_codes(codes, {})
    assert len(found) == MAX_LINES + 1
    assert "5 more" in found[-1].title and found[-1].severity == RED


def test_taxes_the_export_cannot_tell_apart(rules):
    taxes = [
        (1, "VAT 25%", "VAT25"),
        (2, "VAT 25% bis", "VAT25"),
        (3, "Twin", None),
        (4, "Twin", None),
        (5, "Alone", None),
    ]
    found = rules.tax_names(taxes, {"VAT25"})
    by_title = {f.title: f for f in found}
    code = next(f for t, f in by_title.items() if "VAT25" in t)
    name = next(f for t, f in by_title.items() if "Twin" in t)
    assert code.severity == RED  # Pleo uses it: one of them is booked blindly
    assert name.severity == AMBER
    assert name.fix.domain == [("id", "in", [3, 4])]
    assert "id 3" in name.detail
    assert severities(rules.tax_names(taxes[:1] + taxes[2:3], set())) == [GREEN]


def test_accounts_missing_or_closed(rules):
    pleo = [
        {"externalId": "600000", "code": "600000", "name": "General"},
        {"externalId": "699999", "code": "699999", "name": "Unknown"},
        {"externalId": "60", "code": None, "name": "By Odoo id"},
        {"externalId": "old", "code": "650000", "name": "Archived in Odoo"},
        {"externalId": "x", "code": "x", "name": "Archived in Pleo", "archived": True},
    ]
    accounts = {"600000": 60, "60": 60}
    found = rules.accounts(pleo, accounts, {"650000": 65}, {60: "600000 General"})
    assert [(f.severity, f.title) for f in found] == [
        (RED, "Pleo account 699999 Unknown does not exist in Odoo"),
        (RED, "Pleo account 650000 Archived in Odoo is closed in Odoo"),
    ]
    assert found[0].fix.action == "account.action_account_form"
    assert found[1].fix.res_id == 65
    # Deprecated (18.0): still in the export's map, but closed.
    found = rules.accounts(pleo[:1], accounts, {"600000": 60, "60": 60}, {})
    assert "closed" in found[0].title
    own = rules.accounts([], accounts, {"60": 60}, {60: "600000 X"}, [("Contra", 60)])
    assert severities(own) == [RED] and own[0].fix.model == "pleo.connection"
    assert severities(rules.accounts(pleo[:1], accounts, {}, {})) == [GREEN]


def test_odoo_account_of_reads_identifier_then_code():
    assert odoo_account_of({"externalId": "60", "code": "nope"}, {"60": 60}) == 60
    assert odoo_account_of({"externalId": "?", "code": "600000"}, {"600000": 6}) == 6
    assert odoo_account_of({"externalId": "?", "code": "?"}, {}) is None


def test_contra_account_that_is_a_bank_journal_account(rules):
    liquidity = {10: (3, "Bank")}
    labels = {10: "101401 Bank", 20: "201100 Wallet"}
    found = rules.contra([("pleo", 10), ("pleo", 20)], liquidity, labels)
    assert severities(found) == [RED]
    assert "101401 Bank" in found[0].title and "statement" in found[0].detail
    assert (found[0].fix.model, found[0].fix.res_id) == ("account.journal", 3)
    found = rules.contra([("connection", 10)], liquidity, labels)
    assert found[0].fix.model == "pleo.connection"
    assert severities(rules.contra([("pleo", 20)], liquidity, labels)) == [GREEN]


def test_wallet_currencies_and_their_accounts(rules):
    labels = {20: "201100 Wallet"}
    item_eur = {"contraAccount": {"code": "209999", "identifier": "209999"}}
    found = rules.wallets(["DKK", "EUR"], {"EUR": item_eur}, ctx(), labels)
    assert severities(found) == [RED] and "EUR" in found[0].title
    # Pleo's contra account of the expense is known to Odoo: booked there.
    item_eur = {"contraAccount": {"code": "201100", "identifier": "201100"}}
    found = rules.wallets(["DKK", "EUR"], {"EUR": item_eur}, ctx(), labels)
    assert severities(found) == [AMBER] and "201100 Wallet" in found[0].detail
    found = rules.wallets(["DKK"], {}, ctx(), labels)
    assert severities(found) == [GREEN] and "DKK" in found[0].title
    # Neither a wallet account nor a contra account: every job fails.
    found = rules.wallets(["DKK"], {}, ctx(wallets={}), labels)
    assert severities(found) == [RED] and found[0].fix.res_id == CONNECTION


def test_currencies_inactive_or_without_rate(rules):
    day = date(2026, 11, 20)
    found = rules.currencies(
        {"DKK", "EUR", "GBP"},
        {"DKK", "EUR"},
        {"GBP": 3, "EUR": 2},
        {"EUR": (day, False)},
    )
    assert [f.title for f in found] == [
        "No EUR rate on or before 2026-11-20",
        "Currency GBP is not active",
    ]
    assert found[1].fix.res_id == 3
    found = rules.currencies({"XYZ"}, set(), {}, {})
    assert found[0].fix.action == "base.action_currency_form"
    found = rules.currencies({"DKK", "EUR"}, {"DKK", "EUR"}, {}, {"EUR": (day, True)})
    assert severities(found) == [GREEN]


def test_lock_date_after_pending_expenses(rules):
    closed = [(date(2026, 11, 2), "Lock (30/11)"), (date(2026, 10, 31), "Lock")]
    fail = rules.lock_date(closed, "fail", 4)
    assert severities(fail) == [RED] and "2026-10-31" in fail[0].detail
    moved = rules.lock_date(closed, "first_open", 4)
    assert severities(moved) == [AMBER]
    assert moved[0].fix.action == "account.action_account_config"
    assert severities(rules.lock_date([], "fail", 4)) == [GREEN]


def test_journals(rules):
    found = rules.journals(None, None, [], vendor_based=True)
    assert severities(found) == [RED, RED]
    assert severities(rules.journals(("Pleo", True), None, [], False)) == [AMBER]
    found = rules.journals(("Pleo", False), ("Bills", True), [("EUR", "EW", False)], 0)
    assert [f.title for f in found] == [
        "Journal Pleo is archived",
        "Journal EW is archived",
    ]
    found = rules.journals(("Pleo", True), ("Bills", True), [("EUR", "Pleo", True)], 0)
    assert severities(found) == [GREEN] and "Pleo, Bills" in found[0].title


def test_pending_jobs_the_pre_export_check_fails(rules):
    found = rules.pending_jobs([("job-1", "Journal missing")], 2)
    assert severities(found) == [RED] and found[0].detail == "Journal missing"
    assert severities(rules.pending_jobs([], 2)) == [GREEN]
    assert rules.pending_jobs([], 0) == []


def test_scheduled_actions(rules):
    found = rules.crons([("Export", 5, False), ("Tags", None, False)])
    assert [(f.severity, f.fix and f.fix.res_id) for f in found] == [
        (RED, 5),
        (RED, None),
    ]
    assert severities(rules.crons([("Export", 5, True)])) == [GREEN]


def test_first_sync(rules):
    assert rules.first_sync("1", False) == []
    assert severities(rules.first_sync("2", True)) == [GREEN]
    waits = rules.first_sync("3", False)
    assert waits[0].fix.method == "action_pleo_sync_preview"


def _facts(**kw):
    values = {"read": True}
    values.update(kw)
    return PleoFacts(**values)


def test_webhooks(rules):
    url, events = "https://odoo/pleo/webhook/t", ["v1.export-job.created"]
    sub = {"status": "ACTIVE", "endpointUrl": url, "eventTypes": events}
    args = (url, events, NOW - timedelta(hours=2), NOW - timedelta(hours=3))

    def run(registered=True, **facts):
        return rules.webhooks(registered, _facts(**facts), *args)

    assert severities(run(False)) == [AMBER]
    assert run(False)[0].fix.method == "action_pleo_register_webhooks"
    assert severities(run(subscription_missing=True)) == [RED]
    assert "INACTIVE" in run(subscription={**sub, "status": "INACTIVE"})[0].title
    assert "another address" in run(subscription={**sub, "endpointUrl": "x"})[0].title
    level4 = rules.webhooks(
        True, _facts(subscription=sub), url, [*events, "v1.vendor.created"], None, None
    )
    assert severities(level4) == [AMBER] and "vendor" in level4[0].title
    assert severities(run(subscription=sub)) == [GREEN]
    # An export job created well after the last delivery: none arrived.
    stale = rules.webhooks(
        True, _facts(subscription=sub), url, events, NOW - timedelta(days=3), NOW
    )
    assert severities(stale) == [AMBER] and "polling" in stale[0].detail
    never = rules.webhooks(
        True,
        _facts(subscription=sub, subscription_created=NOW - timedelta(days=2)),
        url,
        events,
        None,
        NOW,
    )
    assert severities(never) == [AMBER]
    assert rules.webhooks(True, PleoFacts(), *args) == []  # Pleo not read


def test_authorisation(rules):
    ok = _facts()

    def run(state="connected", method="oauth", revoked="", facts=ok, rotated=NOW):
        return rules.authorisation(state, method, revoked, facts, rotated, NOW)

    assert run(state="draft")[0].fix.method == "action_pleo_open_setup"
    revoked = run(state="reauth", revoked="invalid_grant")
    assert severities(revoked) == [RED] and "invalid_grant" in revoked[0].detail
    refused = PleoFacts(error_kind="refused", error="401 UNAUTHORIZED")
    assert run(method="api_key", facts=refused)[0].title == "Pleo refused the API key"
    down = PleoFacts(error_kind="unreachable", error="timeout")
    assert run(facts=down)[0].title == "Pleo could not be reached"
    assert severities(run(method="api_key")) == [GREEN]
    old = run(rotated=NOW - timedelta(days=50))
    assert severities(old) == [AMBER] and "50 days" in old[0].title
    assert severities(run(rotated=NOW - timedelta(days=10))) == [GREEN]
    # The moment to the minute, in UTC as Odoo stores it.
    recent = run(rotated=datetime(2026, 11, 29, 11, 45, 46, 85275))
    assert recent[0].detail == "Refresh token last renewed on 2026-11-29 11:45 UTC."
    assert "on 2026-10-10 12:00 UTC." in old[0].detail
