# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Fixtures of the master-data sync tests (levels 2-4): a company with a chart,
analytic plans, purchase taxes and suppliers, and a live, empty sandbox."""

import sys
from pathlib import Path

from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .. import compat

try:
    from pleo_sandbox import SandboxServer
except ImportError:  # repository not pip-installed: the sandbox sits beside the addon
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from pleo_sandbox import SandboxServer

READ_ROUTES = (":search",)


def write_calls(sandbox):
    """{"METHOD /route": count} of the sandbox's requests that change something
    in Pleo (anything but GET and `:search`)."""
    counts = sandbox.request_counts()["counts"]
    return {
        route: n
        for route, n in counts.items()
        if not route.startswith("GET ") and not route.endswith(READ_ROUTES)
    }


class PleoSyncCase(AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.company_data["company"]
        cls.sandbox = SandboxServer(port=0, seed="none", rate_limit=None)
        cls.sandbox.start()
        cls.addClassCleanup(cls.sandbox.stop)
        Plan = cls.env["account.analytic.plan"]
        Analytic = cls.env["account.analytic.account"]
        cls.plan_dept = Plan.create({"name": "Department"})
        cls.plan_proj = Plan.create({"name": "Project"})
        cls.plan_other = Plan.create({"name": "Not synced"})
        cls.sub_plan = Plan.create(
            {"name": "Sales teams", "parent_id": cls.plan_dept.id}
        )
        cls.aa_sales = Analytic.create(
            {"name": "Sales", "code": "SALES", "plan_id": cls.plan_dept.id}
        )
        cls.aa_rnd = Analytic.create(
            {"name": "Research", "code": "RND", "plan_id": cls.plan_dept.id}
        )
        cls.aa_team = Analytic.create(
            {"name": "Team North", "plan_id": cls.sub_plan.id}
        )
        cls.aa_alpha = Analytic.create(
            {"name": "Project Alpha", "code": "P-ALPHA", "plan_id": cls.plan_proj.id}
        )
        cls.aa_old = Analytic.create(
            {
                "name": "Closed project",
                "code": "P-OLD",
                "plan_id": cls.plan_proj.id,
                "active": False,
            }
        )
        cls.aa_hidden = Analytic.create(
            {"name": "Other", "code": "OTHER", "plan_id": cls.plan_other.id}
        )
        cls.reverse_tax = cls._reverse_tax()
        cls.vendor_dk = cls.env["res.partner"].create(
            {
                "name": "Kontorhotellet ApS",
                "is_company": True,
                "supplier_rank": 1,
                "vat": "DK12345678",
                "company_registry": "12345678",
                "country_id": cls.env.ref("base.dk").id,
                "ref": "V-KONTOR",
            }
        )
        cls.vendor_ie = cls.env["res.partner"].create(
            {
                "name": "Adobe Ireland",
                "is_company": True,
                "supplier_rank": 2,
                "country_id": cls.env.ref("base.ie").id,
                "company_id": cls.company.id,
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Only a customer", "customer_rank": 1}
        )
        cls.connection = cls.env["pleo.connection"].create(
            {
                "name": "Pleo sandbox",
                "company_id": cls.company.id,
                "environment": "custom",
                "custom_url": cls.sandbox.url,
                "auth_method": "api_key",
                "api_key": cls.sandbox.api_key,
                "pleo_company_id": cls.sandbox.company_id,
                "state": "connected",
                "integration_level": "4",
                "pleo_analytic_plan_ids": [
                    Command.set([cls.plan_dept.id, cls.plan_proj.id])
                ],
                "webhook_secret": cls.sandbox.state.webhook_secret,
                # The first-sync preview has its own tests.
                "pleo_sync_confirmed_at": "2026-01-01 00:00:00",
            }
        )

    @classmethod
    def _reverse_tax(cls):
        company = cls.company
        Account = cls.env["account.account"].with_company(company)
        ingoing = Account.create(
            {"code": "131999", "name": "RC input VAT", "account_type": "asset_current"}
        )
        outgoing = Account.create(
            {
                "code": "251999",
                "name": "RC output VAT",
                "account_type": "liability_current",
            }
        )
        cls.rc_accounts = (ingoing, outgoing)

        def reps():
            return [
                Command.create({"repartition_type": "base", "factor_percent": 100}),
                Command.create(
                    {
                        "repartition_type": "tax",
                        "factor_percent": 100,
                        "account_id": ingoing.id,
                    }
                ),
                Command.create(
                    {
                        "repartition_type": "tax",
                        "factor_percent": -100,
                        "account_id": outgoing.id,
                    }
                ),
            ]

        return cls.env["account.tax"].create(
            {
                "name": "EU reverse charge 25%",
                "amount": 25,
                "amount_type": "percent",
                "type_tax_use": "purchase",
                "company_id": company.id,
                "invoice_repartition_line_ids": reps(),
                "refund_repartition_line_ids": reps(),
            }
        )

    def setUp(self):
        super().setUp()
        self.empty_sandbox()

    # -- helpers ---------------------------------------------------------------
    def empty_sandbox(self):
        state = self.sandbox.state
        with state.lock:
            state.tags.groups.clear()
            state.tags.tags.clear()
            state.accounts.accounts.clear()
            state.tax_codes.codes.clear()
            state.vendors.vendors.clear()
            state.requests.reset()

    def webhook_vendor(self, **values):
        """A draft vendor created in the sandbox, as v1.vendor.created sends it."""
        vendor = self.sandbox.create_draft_vendor(
            notify=False, **{"country": "DE", "defaultCurrency": "EUR", **values}
        )
        return self.sandbox.state.vendors.webhook_json(vendor)

    def sync(self, *kinds, connection=None):
        connection = connection or self.connection
        return {kind: connection._pleo_sync(kind) for kind in kinds}

    def sync_all(self):
        return self.sync("tags", "tax_codes", "accounts", "vendors")

    def reset_requests(self):
        self.sandbox.state.requests.reset()

    def write_calls(self):
        return write_calls(self.sandbox)

    def routes(self):
        return self.sandbox.request_counts()["counts"]

    def pleo(self):
        state = self.sandbox.state
        with state.lock:
            return {
                "groups": [dict(g) for g in state.tags.groups.values()],
                "tags": [dict(t) for t in state.tags.tags.values()],
                "accounts": [dict(a) for a in state.accounts.accounts.values()],
                "tax_codes": [dict(t) for t in state.tax_codes.codes.values()],
                "vendors": [dict(v) for v in state.vendors.vendors.values()],
            }

    def tags_of(self, plan, archived=None):
        snap = self.pleo()
        binding = self.env["pleo.binding"].search(
            [("pleo_kind", "=", "tag_group"), ("res_id", "=", plan.id)], limit=1
        )
        group = next(
            g
            for g in snap["groups"]
            if g["id"] == binding.pleo_id or g["code"] == f"PLAN{plan.id}"
        )
        return {
            t["code"]: t["name"]
            for t in snap["tags"]
            if t["groupId"] == group["id"]
            and (archived is None or t["archived"] == archived)
        }

    def expected_accounts(self, company=None):
        company = company or self.company
        Account = self.env["account.account"].with_company(company)
        closed_field, closed = compat.account_closed_flag(Account)
        return Account.search(
            Account._check_company_domain(company)
            + [
                (
                    "account_type",
                    "in",
                    ["expense", "expense_direct_cost", "expense_depreciation"],
                ),
                (closed_field, "!=", closed),
            ]
        )

    def expected_taxes(self, company=None):
        return self.env["account.tax"].search(
            [
                ("type_tax_use", "=", "purchase"),
                ("company_id", "=", (company or self.company).id),
                ("amount_type", "in", ("percent", "division")),
            ]
        )

    def expected_vendors(self):
        return self.env["res.partner"].search(self.connection._pleo_vendor_domain())
