#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The demo's middle part (scripts/demo.sh runs it): chart of accounts, a Pleo
connection authorised through the sandbox's OAuth consent, every level once, and
a printed account of what happened.

    python3 scripts/demo.py --config odoo.conf --database pleo_demo \
        --sandbox-url http://127.0.0.1:8900 --odoo-url http://localhost:8069
"""

import argparse
import json
import sys
import time
from urllib.parse import parse_qs, urlsplit

import odoo_info  # noqa: F401 - sets Odoo up on either series
import requests

import odoo
from odoo import Command
from odoo.modules.registry import Registry

# (level, label, candidate method names on pleo.connection, first found is run)
SYNC_STEPS = [
    ("2", "Tags (analytic plans -> tag groups)", ["action_sync_tags"]),
    ("3", "Tax codes (purchase taxes)", ["action_sync_tax_codes"]),
    ("3", "Categories (chart of accounts)", ["action_sync_accounts"]),
    ("4", "Vendors (suppliers <-> Pleo vendors)", ["action_sync_vendors"]),
]
EXPORT_METHODS = ["_pleo_export_run"]


def say(text=""):
    sys.stdout.write(f"{text}\n")
    sys.stdout.flush()


def wait_for(url, seconds=20):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            requests.get(url, timeout=2)
            return True
        except requests.RequestException:
            time.sleep(0.3)
    return False


def load_chart(env, company):
    if company.chart_template:
        say(f"   chart of accounts already loaded: {company.chart_template}")
        return
    env["account.chart.template"].try_loading("generic_coa", company)
    say("   chart of accounts loaded: generic_coa")


def purchase_tax(env, company, accounts, code, rate, reverse=False):
    """The purchase tax with Pleo code `code` (its VAT on account 131000, a
    reverse charge also on 251000), created when the company has none."""
    Tax = env["account.tax"]
    found = Tax.search([("company_id", "=", company.id), ("pleo_code", "=", code)])
    if found:
        return found

    def lines():
        result = [
            Command.create({"repartition_type": "base", "factor_percent": 100}),
            Command.create(
                {
                    "repartition_type": "tax",
                    "factor_percent": 100,
                    "account_id": accounts["131000"].id,
                }
            ),
        ]
        if reverse:
            result.append(
                Command.create(
                    {
                        "repartition_type": "tax",
                        "factor_percent": -100,
                        "account_id": accounts["251000"].id,
                    }
                )
            )
        return result

    return Tax.create(
        {
            "name": f"{rate}% purchase ({code})",
            "pleo_code": code,
            "amount": rate,
            "amount_type": "percent",
            "type_tax_use": "purchase",
            "company_id": company.id,
            "invoice_repartition_line_ids": lines(),
            "refund_repartition_line_ids": lines(),
        }
    )


def prepare_company(env, company):
    """A Danish company whose Odoo already holds what its Pleo uses: DKK,
    purchase taxes with Pleo codes, departments and projects, two suppliers."""
    env = env(su=True)
    dkk = env.ref("base.DKK")
    dkk.active = True
    if company.currency_id != dkk:
        company.currency_id = dkk
    company.partner_id.tz = "Europe/Copenhagen"
    for code in ("EUR", "GBP", "JPY", "KWD"):
        env.ref(f"base.{code}").active = True
    Account = env["account.account"].with_company(company)
    accounts = {
        code: Account.search(
            [*Account._check_company_domain(company), ("code", "=", code)], limit=1
        )
        for code in ("131000", "251000", "230000")
    }
    for code, rate, reverse in (
        ("VAT25", 25, False),
        ("VAT19", 19, False),
        ("VAT20", 20, False),
        ("RC-EU", 25, True),
    ):
        purchase_tax(env, company, accounts, code, rate, reverse)
    plans = env["account.analytic.plan"]
    for plan_name, tags in (
        ("DEPT", ("SALES", "RND", "ADMIN")),
        ("PROJ", ("P-ALPHA", "P-BETA")),
    ):
        plan = plans.search([("name", "=", plan_name)], limit=1) or plans.create(
            {"name": plan_name}
        )
        plans |= plan
        for tag in tags:
            if not env["account.analytic.account"].search_count(
                [("plan_id", "=", plan.id), ("code", "=", tag)]
            ):
                env["account.analytic.account"].create(
                    {"name": tag.title(), "code": tag, "plan_id": plan.id}
                )
    for name, ref in (
        ("Adobe Systems Software Ireland Ltd", "V-ADOBE"),
        ("Kontorhotellet ApS", "V-KONTOR"),
    ):
        if not env["res.partner"].search_count([("ref", "=", ref)]):
            env["res.partner"].create({"name": name, "ref": ref, "supplier_rank": 1})
    # Show the journal items of the imported entries to the administrator.
    # Importable once the config has put the addon on the addons path.
    from odoo.addons.pleo_connector import compat  # noqa: PLC0415

    compat.add_user_to_groups(env.user, env.ref("account.group_account_user"))
    say("   DKK, taxes VAT25/VAT19/VAT20/RC-EU, plans DEPT/PROJ, 2 suppliers")
    return plans, accounts


def connect(env, company, sandbox_url):
    """OAuth 2.0 with PKCE through the sandbox's consent page, driven by requests."""
    Connection = env["pleo.connection"]
    connection = Connection._pleo_company_connection(company)
    vals = {
        "name": "Pleo sandbox",
        "environment": "custom",
        "custom_url": sandbox_url,
        "auth_method": "oauth",
        "client_id": "pleo-sandbox-client",
        "client_secret": "pleo-sandbox-secret",
        "integration_level": "4",
        "responsible_user_id": env.user.id,
    }
    if connection:
        connection.write(vals)
    else:
        connection = Connection.create(dict(vals, company_id=company.id))
    # Tokens are stored in their own transaction, which must see the connection.
    env.cr.commit()
    action = connection.action_pleo_oauth_start()
    say(f"   consent page: {action['url'].split('?')[0]}")
    answer = requests.get(action["url"], allow_redirects=False, timeout=10)
    if answer.status_code != 302:
        raise SystemExit(f"The sandbox refused the consent: {answer.text}")
    back = {
        k: v[0] for k, v in parse_qs(urlsplit(answer.headers["Location"]).query).items()
    }
    if "error" in back:
        raise SystemExit(
            f"Pleo answered {back['error']}: {back.get('error_description')}"
        )
    csrf = json.loads(back["state"])["csrf"]
    if not connection._pleo_oauth_check_state(csrf):
        raise SystemExit("The OAuth state came back altered.")
    say(f"   redirected to {answer.headers['Location'].split('?')[0]} with a code")
    connection._pleo_oauth_callback(back["code"])
    say(
        f"   connected: Pleo company {connection.pleo_company_name} "
        f"({connection.pleo_company_id}), state {connection.state}"
    )
    return connection


def finish_setup(env, connection):
    wizard_action = connection.action_pleo_open_setup()
    wizard = env["pleo.setup.wizard"].browse(wizard_action["res_id"])
    wizard.write({"integration_level": "4", "run_first_sync": False})
    wizard.action_finish()
    wallet = connection.export_wallet_ids[:1]
    journal = connection.export_journal_id.code or "-"
    account = wallet.account_id.display_name if wallet else "-"
    say(
        f"   level {connection.integration_level}; Pleo journal {journal}; "
        f"wallet account {account}"
    )


def run_step(env, connection, label, candidates):
    method = next((m for m in candidates if hasattr(connection, m)), None)
    if not method:
        say(
            f"   SKIPPED {label}: not available in this version "
            f"(none of {', '.join(candidates)} exists)"
        )
        return
    try:
        result = getattr(connection, method)()
        say(
            f"   {label}: done ({method})"
            + (f" -> {result}" if isinstance(result, int) else "")
        )
    except Exception as exc:  # the demo reports and goes on
        env.cr.rollback()
        say(f"   {label}: FAILED ({method}): {exc}")


def report(env, connection):
    say()
    say("== What happened")
    if "pleo.export.job" in env:
        jobs = env["pleo.export.job"].search([("connection_id", "=", connection.id)])
        items = env["pleo.export.item"].search([("connection_id", "=", connection.id)])
        say(f"   export jobs: {len(jobs)} " + _by_state(jobs))
        say(f"   export items: {len(items)} " + _by_state(items))
        reported = items.filtered(lambda i: i.reported_at)
        say(f"   items reported to Pleo: {len(reported)}")
        moves = items.mapped("move_id")
        entries = moves.filtered(lambda m: m.move_type == "entry")
        say(
            f"   Odoo entries created: {len(moves)} ({len(entries)} journal entries, "
            f"{len(moves - entries)} vendor bills/refunds)"
        )
        receipts = env["ir.attachment"].search_count(
            [("res_model", "=", "account.move"), ("res_id", "in", moves.ids)]
        )
        say(f"   receipts attached: {receipts}")
        for item in items.filtered(lambda i: i.state == "failed")[:5]:
            say(f"   failed item {item.accounting_entry_id}: {item.failure_reason}")
    if "pleo.binding" in env:
        bindings = env["pleo.binding"].search([("connection_id", "=", connection.id)])
        kinds = {}
        for binding in bindings:
            kinds[binding.pleo_kind] = kinds.get(binding.pleo_kind, 0) + 1
        say(f"   records synchronised with Pleo: {len(bindings)} {kinds or ''}")
    if "pleo.sync.log" in env:
        logs = env["pleo.sync.log"].search([("connection_id", "=", connection.id)])
        say(f"   sync runs logged: {len(logs)} " + _by_state(logs))
    say(
        f"   connection state: {connection.state}"
        + (f" ({connection.last_error})" if connection.last_error else "")
    )


def _by_state(records):
    if "state" not in records._fields:
        return ""
    counts = {}
    for record in records:
        counts[record.state] = counts.get(record.state, 0) + 1
    return str(counts) if counts else ""


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--sandbox-url", default="http://127.0.0.1:8900")
    parser.add_argument("--odoo-url", default="http://localhost:8069")
    args = parser.parse_args()

    if not wait_for(args.sandbox_url + "/_sandbox/state"):
        raise SystemExit(f"The Pleo sandbox did not answer at {args.sandbox_url}")
    odoo.tools.config.parse_config(
        ["-c", args.config, "-d", args.database, "--log-level=warn"]
    )
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        admin = env.ref("base.user_admin")
        # The overview and the dashboard show times on the reader's clock.
        admin.tz = admin.tz or "Europe/Copenhagen"
        env = env(user=admin, context=dict(admin.context_get()))
        env["ir.config_parameter"].sudo().set_param("web.base.url", args.odoo_url)
        company = env.company
        say(f"-- company {company.name}")
        load_chart(env, company)
        plans, accounts = prepare_company(env, company)
        cr.commit()
        say("-- connect (OAuth 2.0 + PKCE through the sandbox)")
        connection = connect(env, company, args.sandbox_url)
        cr.commit()
        say("-- set up: level 4, export settings")
        connection.write(
            {
                "pleo_analytic_plan_ids": [Command.set(plans.ids)],
                "export_out_of_pocket_account_id": accounts["230000"].id,
            }
        )
        finish_setup(env, connection)
        cr.commit()
        say("-- levels 2-4: Pleo already has master data: preview the first sync")
        preview = env["pleo.sync.preview"]._pleo_build(connection)
        for line in preview.line_ids:
            say(
                f"   {line.kind}: adopt {line.adopt_count}, create {line.create_count},"
                f" update {line.update_count}, archive {line.archive_count}"
            )
        say("   confirmed: adopt, then sync")
        preview.action_confirm()
        cr.commit()
        for level, label, methods in SYNC_STEPS:
            if connection._level_at_least(level):
                run_step(env, connection, label, methods)
                cr.commit()
        if connection._pleo_activate_installation():
            say("   installation activated in Pleo")
        connection.action_pleo_register_webhooks()
        shown = connection._pleo_webhook_url_shown()
        say(f"   webhooks registered: Pleo calls {shown}")
        cr.commit()
        say("-- level 1: import the pending export jobs")
        run_step(env, connection, "Export jobs -> Odoo entries", EXPORT_METHODS)
        cr.commit()
        report(env, connection)
        cr.commit()
        say(
            "-- try level 4's webhook once Odoo runs: a vendor created in Pleo "
            "becomes a partner\n"
            f"   curl -X POST {args.sandbox_url}/_sandbox/vendors "
            "-H 'Content-Type: application/json' "
            """-d '{"name": "Nordlys Catering ApS", "country": "DK", """
            """"defaultCurrency": "DKK"}'"""
        )


if __name__ == "__main__":
    main()
