"""The benchmark's company: a DKK company mirroring the sandbox's master data,
on Odoo's generic chart or on the Danish one (l10n_dk), with its Pleo
connection. Idempotent: a second call finds what the first made."""

import sys
from pathlib import Path

from odoo import Command

from pleo_sandbox import seed

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from demo import purchase_tax  # noqa: E402 - the demo's taxes, made the same way

# Pleo tax codes -> rate; RC-EU is reverse charge.
TAX_CODES = (("VAT25", 25), ("VAT19", 19), ("VAT20", 20), ("RC-EU", 25))
# On the Danish chart Pleo's VAT25 is the chart's own full-deduction purchase VAT.
DK_TAXES = {"VAT25": "tax_k1"}
CHARTS = {"generic": "generic_coa", "dk": "dk"}
VENDORS = (
    ("Adobe Systems Software Ireland Ltd", "V-ADOBE"),
    ("Kontorhotellet ApS", "V-KONTOR"),
)


def setup(env, url, info, rpm, chart="generic"):
    company = env.company
    ensure_chart(env, company, chart)
    accounts = ensure_accounts(env, company)
    ensure_taxes(env, company, chart, accounts)
    ensure_analytics(env, company)
    for name, ref in VENDORS:
        if not env["res.partner"].search_count([("ref", "=", ref)]):
            env["res.partner"].create({"name": name, "ref": ref})
    return ensure_connection(env, company, url, info, rpm, accounts)


def ensure_chart(env, company, chart):
    dkk = env.ref("base.DKK")
    dkk.active = True
    if company.chart_template != CHARTS[chart] and not env["account.move"].search_count(
        [("company_id", "=", company.id)], limit=1
    ):
        # A fresh database has the chart Odoo guessed at install: replace it.
        company.currency_id = dkk
        if chart == "dk":
            company.country_id = env.ref("base.dk")
        env["account.chart.template"].try_loading(
            CHARTS[chart], company=company, install_demo=False
        )
    if company.currency_id != dkk and not env["account.move"].search_count([]):
        company.currency_id = dkk
    company.partner_id.tz = "Europe/Copenhagen"
    for code in ("EUR", "GBP", "JPY", "KWD"):
        env.ref(f"base.{code}").active = True


def _account_type(code):
    if code[0] in "69":
        return "expense"
    if code in ("230000", "251000"):
        return "liability_current"
    return "asset_current"


def ensure_accounts(env, company):
    """{code: account} of every code the sandbox's items name; a chart that
    lacks one (the Danish chart numbers its accounts otherwise) gets it, as
    a company that synchronises its chart with Pleo has it."""
    Account = env["account.account"].with_company(company)
    domain = Account._check_company_domain(company)
    codes = set(seed.ACCOUNT_CODES) | set(seed.WALLET_ACCOUNTS.values())
    found = {a.code: a for a in Account.search([*domain, ("code", "in", list(codes))])}
    for code in sorted(codes - set(found)):
        found[code] = Account.create(
            {
                "code": code,
                "name": f"Pleo {code}",
                "account_type": _account_type(code),
                "reconcile": code == "230000",
            }
        )
    return found


def ensure_taxes(env, company, chart, accounts):
    Tax = env["account.tax"]
    for code, rate in TAX_CODES:
        domain = [("pleo_code", "=", code), ("company_id", "=", company.id)]
        if Tax.search_count(domain):
            continue
        own = DK_TAXES.get(code) if chart == "dk" else None
        if own:
            tax = env["account.chart.template"].with_company(company).ref(own)
            tax.pleo_code = code
            continue
        purchase_tax(env, company, accounts, code, rate, reverse=code == "RC-EU")


def ensure_analytics(env, company):
    for plan_name, _name, tags in seed.TAG_GROUPS:
        Plan = env["account.analytic.plan"]
        plan = Plan.search([("name", "=", plan_name)], limit=1)
        plan = plan or Plan.create({"name": plan_name})
        for tag, _tag_name in tags:
            domain = [("code", "=", tag), ("company_id", "in", (company.id, False))]
            if not env["account.analytic.account"].search_count(domain):
                env["account.analytic.account"].create(
                    {
                        "name": tag.title(),
                        "code": tag,
                        "plan_id": plan.id,
                        "company_id": company.id,
                    }
                )


def ensure_connection(env, company, url, info, rpm, accounts):
    wallet_account = accounts[seed.WALLET_ACCOUNT]
    vals = {
        "environment": "custom",
        "custom_url": url,
        "auth_method": "api_key",
        "api_key": info["apiKey"],
        "pleo_company_id": info["companyId"],
        # The sandbox runs without a rate limit; the client's throttle is
        # the configuration measured (500, the default, or 0: off).
        "requests_per_minute": rpm,
        # Posted, as the floor's moves are (Pleo's default is draft).
        "export_posting": "posted",
        "export_out_of_pocket_account_id": accounts["230000"].id,
    }
    conn = env["pleo.connection"].search([("company_id", "=", company.id)], limit=1)
    if not conn:
        conn = env["pleo.connection"].create(
            dict(vals, name="Pleo bench", company_id=company.id)
        )
    conn.sudo().write(vals)
    if not conn.export_wallet_ids.filtered(
        lambda w: w.currency_id == company.currency_id
    ):
        conn.export_wallet_ids = [
            Command.clear(),
            Command.create(
                {"currency_id": company.currency_id.id, "account_id": wallet_account.id}
            ),
        ]
    conn.sudo().write({"state": "connected"})
    return conn
